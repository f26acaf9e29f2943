"""Test doubles. Test carriers are registered by dotted path in settings.DOORSTEP_CARRIERS
(``tests.support.fakes.<Class>``), so they live here rather than in a test module.

- PollOnlyCarrier: a scriptable polling-only adapter (polling tests)
- FastCarrier: publishes an overnight transit time (EDD promise tests)
- RefusingCarrier, FlakyCarrier, PlainCarrier: delivery changes refused, failing, or not supported
- RecordingSleep: stands in for time.sleep and records the waits
"""
from typing import ClassVar

from tracking.carriers.base import (
    CarrierAdapter,
    Capability,
    CarrierUnavailable,
    DeliveryChangeResult,
    TrackingResult,
    TransitEstimate,
)


class PollOnlyCarrier(CarrierAdapter):
    slug = "pollonly"
    name = "Poll-only test carrier"
    capabilities = Capability.POLLING
    # tracking number -> TrackingResult to return, or a CarrierError to raise
    script: ClassVar[dict] = {}
    calls: ClassVar[list] = []

    def track(self, tracking_number):
        type(self).calls.append((tracking_number, self.credentials.api_key))
        answer = self.script.get(tracking_number)
        if isinstance(answer, Exception):
            raise answer
        return answer or TrackingResult(tracking_number=tracking_number, carrier=self.slug, events=[])


class FastCarrier(CarrierAdapter):
    slug = "fast"
    name = "Fast"
    capabilities = Capability.TRANSIT_TIMES

    def transit_estimates(self, *, origin_country, destination_country):
        return [TransitEstimate("overnight", 1, 1)]


class RefusingCarrier(CarrierAdapter):
    slug, name = "refusing", "Refusing Post"
    capabilities = Capability.DELIVERY_CHANGES

    def request_delivery_change(self, change):
        return DeliveryChangeResult(False, message="Redirects are not possible for this parcel.")


class PlainCarrier(CarrierAdapter):
    slug, name = "plain", "Plain Post"  # no DELIVERY_CHANGES capability


class FlakyCarrier(RefusingCarrier):
    slug, name = "flaky", "Flaky Post"

    def request_delivery_change(self, change):
        raise CarrierUnavailable("503 from carrier")


class RecordingSleep:
    """Injected in place of time.sleep: records each wait instead of sleeping."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
