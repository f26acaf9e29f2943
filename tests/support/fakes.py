"""Test doubles: a scriptable polling-only carrier (registered via settings.DOORSTEP_CARRIERS as
``tests.support.fakes.PollOnlyCarrier``) and a sleep that records its waits."""
from typing import ClassVar

from tracking.carriers.base import CarrierAdapter, Capability, TrackingResult


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


class RecordingSleep:
    """Injected in place of time.sleep: records each wait instead of sleeping."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
