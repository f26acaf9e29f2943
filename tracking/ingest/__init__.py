"""Carrier news in: carrier accounts, the webhook endpoint (verify, store raw, acknowledge), the
delivery log, draining and sweeping to workers, applying results to parcels, events for unknown
parcels, and polling carriers that don't push."""
