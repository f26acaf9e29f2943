"""After a failed delivery attempt: the shopper's request (reschedule, redirect to a pickup point,
instructions), forwarded to the carrier when it can take it, otherwise a case support staff work."""
