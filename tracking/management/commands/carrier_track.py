"""Ask a carrier about one parcel and print what it says. Writes nothing to the database.

    manage.py carrier_track --carrier trackerdelivery --carrier-code kr.cjlogistics --tracking-number 1234567890
    manage.py carrier_track --carrier koreapost --tracking-number 6012345678901 --account ca_…

One line per event, oldest first, tab-separated: time (ISO 8601 with its offset), canonical
status, reason ("-" when none), the carrier's own text, location. Without ``--account`` the
install-wide credentials from the environment are used (tracking.carriers.registry.
environment_credentials); with it, that carrier account's. The provider's base URL comes from
settings.DOORSTEP_<CARRIER>_API_URL either way.
"""
from django.core.management.base import BaseCommand, CommandError

from tracking.carriers.base import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    InvalidRequest,
    NotFound,
    RateLimited,
)
from tracking.carriers.registry import UnknownCarrier, available_carriers, environment_credentials, get_adapter
from tracking.models import CarrierAccount


def _clean(value: str) -> str:
    """One line per event: tabs and newlines in carrier text would break the columns."""
    return " ".join((value or "").split()) or "-"


class Command(BaseCommand):
    help = "Print a carrier's tracking events for one parcel (oldest first). Writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--carrier", required=True, help="Adapter slug (see DOORSTEP_CARRIERS), e.g. trackerdelivery.")
        parser.add_argument("--tracking-number", required=True)
        parser.add_argument("--carrier-code", default="",
                            help="Carrier company for adapters that track many (e.g. kr.cjlogistics).")
        parser.add_argument("--account", default="", help="Public id of a carrier account whose credentials to use.")

    def handle(self, *args, **options):
        slug = options["carrier"]
        credentials = self._credentials(slug, options["account"])
        try:
            adapter = get_adapter(slug, credentials)
        except UnknownCarrier:
            raise CommandError(f"unknown carrier {slug!r}; configured: {', '.join(available_carriers())}") from None
        kwargs = {"carrier_code": options["carrier_code"]} if options["carrier_code"] else {}
        number = options["tracking_number"]
        try:
            result = adapter.track(number, **kwargs)
        except NotImplementedError:
            raise CommandError(f"{slug} cannot be asked about a parcel (no polling)") from None
        except CarrierError as exc:
            raise CommandError(self._explain(slug, number, exc)) from None
        summary = f"{result.carrier} {result.carrier_code or '-'} {result.tracking_number}: {len(result.events)} event(s)"
        self.stderr.write(summary + (f" · {result.carrier_url}" if result.carrier_url else ""))
        for event in sorted(result.events, key=lambda e: e.occurred_at):
            self.stdout.write("\t".join([
                event.occurred_at.isoformat(),
                event.status,
                event.reason or "-",
                _clean(event.carrier_text),
                _clean(event.location),
            ]))

    def _credentials(self, slug, public_id):
        if not public_id:
            return environment_credentials(slug)
        account = CarrierAccount.objects.filter(public_id=public_id).first()
        if account is None:
            raise CommandError(f"no carrier account {public_id!r}")
        if account.carrier != slug:
            raise CommandError(f"carrier account {public_id} is a {account.carrier} account, not {slug}")
        return account.credentials()

    @staticmethod
    def _explain(slug: str, number: str, exc: CarrierError) -> str:
        if isinstance(exc, NotFound):
            return f"{slug} does not know tracking number {number!r} (yet): {exc}"
        if isinstance(exc, AuthError):
            return f"{slug} refused the credentials (check the account's key or the environment): {exc}"
        if isinstance(exc, RateLimited):
            wait = f"; retry in {exc.retry_after:.0f} s" if exc.retry_after is not None else ""
            return f"{slug} is rate limiting us{wait}: {exc}"
        if isinstance(exc, InvalidRequest):
            return f"{slug} cannot track this: {exc}"
        if isinstance(exc, CarrierUnavailable):
            return f"{slug} is unavailable right now, try again later: {exc}"
        return f"{slug}: {exc}"
