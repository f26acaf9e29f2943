"""The merchant's return policy (windows, reasons, fees, category rules) and the engine that decides
what is returnable and what a return costs."""
