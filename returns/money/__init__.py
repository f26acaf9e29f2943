"""Money: refunds (through returns.payments gateways) and the per-order ledger that caps them,
store credit accounts and their entries."""
