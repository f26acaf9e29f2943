"""DHL Shipment Tracking – Unified API (polling only; one key for Express, Parcel, eCommerce…)."""
from tracking.carriers.dhl.adapter import DHLAdapter

__all__ = ["DHLAdapter"]
