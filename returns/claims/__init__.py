"""Claims: "Report a problem" for a lost, damaged, incomplete or not-received parcel. A claim is a
ReturnRequest of kind "claim" that needs no return shipment (see returns.claims.services)."""
