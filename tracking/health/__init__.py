"""Probes for load balancers and orchestrators: liveness (the process answers) and readiness
(database, cache and broker each)."""
