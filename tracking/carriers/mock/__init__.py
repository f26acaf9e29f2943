"""The mock carrier: a deterministic, clock-driven scenario engine with every capability.

The names below are the API other code relies on (ingestion, ``simulate_carrier``, returns, tests).
"""
from tracking.carriers.mock.adapter import MockCarrier, pickup_points
from tracking.carriers.mock.scenarios import (
    SCENARIOS,
    STATUS_MAP,
    all_scenario_events,
    estimated_delivery,
    KR_COMPANY,
    is_korean_number,
    is_mock_number,
    make_korean_number,
    make_tracking_number,
    scenario_events,
    scenario_for,
)
from tracking.carriers.mock.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign_webhook,
    simulate_deliveries,
    webhook_payload,
)

__all__ = [
    "MockCarrier",
    "SCENARIOS",
    "STATUS_MAP",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "all_scenario_events",
    "estimated_delivery",
    "KR_COMPANY",
    "is_korean_number",
    "is_mock_number",
    "make_korean_number",
    "make_tracking_number",
    "pickup_points",
    "scenario_events",
    "scenario_for",
    "sign_webhook",
    "simulate_deliveries",
    "webhook_payload",
]
