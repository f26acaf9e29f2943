"""Create, list and rotate carrier accounts from the shell.

    manage.py carrier_account create --merchant acme --carrier mock [--label eu] [--webhook-secret S] [--api-key K]
    manage.py carrier_account list [--merchant acme]
    manage.py carrier_account rotate <public_id> [--webhook-secret S] [--overlap-hours 24]

The webhook secret is printed once (create, rotate); it is stored encrypted and never shown again.
"""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracking.models import CarrierAccount, Merchant
from tracking.ingest.accounts import carrier_account_create, carrier_account_rotate_secret


class Command(BaseCommand):
    help = "Create, list or rotate carrier accounts (webhook URL and secret per account)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an account and print its webhook URL and secret.")
        create.add_argument("--merchant", required=True, help="Merchant slug.")
        create.add_argument("--carrier", required=True, help="Carrier slug (see DOORSTEP_CARRIERS).")
        create.add_argument("--label", default="")
        create.add_argument("--webhook-secret", default="", help="Use this secret instead of generating one.")
        create.add_argument("--api-key", default="")
        create.add_argument("--rate-limit", type=int, default=None, help="Tracking requests per minute.")
        lst = sub.add_parser("list", help="List accounts and their webhook URLs (never secrets).")
        lst.add_argument("--merchant", default="")
        rotate = sub.add_parser("rotate", help="Issue a new webhook secret; the old one works for the overlap.")
        rotate.add_argument("public_id")
        rotate.add_argument("--webhook-secret", default="")
        rotate.add_argument("--overlap-hours", type=int, default=None)

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        try:
            merchant = Merchant.objects.get(slug=options["merchant"])
        except Merchant.DoesNotExist:
            raise CommandError(f"no merchant with slug {options['merchant']!r}") from None
        try:
            issued = carrier_account_create(
                merchant=merchant, carrier=options["carrier"], label=options["label"],
                webhook_secret=options["webhook_secret"], api_key=options["api_key"],
                poll_rate_limit_per_minute=options["rate_limit"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self._print_issued(issued, "Created")

    def _list(self, options):
        accounts = CarrierAccount.objects.select_related("merchant").order_by("merchant__slug", "carrier", "label")
        if options["merchant"]:
            accounts = accounts.filter(merchant__slug=options["merchant"])
        for account in accounts:
            state = "active" if account.is_active else "inactive"
            self.stdout.write(f"{account.public_id}\t{account.merchant.slug}\t{account.carrier}\t{account.label or '-'}"
                              f"\t{state}\t{account.webhook_url}")

    def _rotate(self, options):
        try:
            account = CarrierAccount.objects.get(public_id=options["public_id"])
        except CarrierAccount.DoesNotExist:
            raise CommandError(f"no carrier account {options['public_id']!r}") from None
        overlap = timedelta(hours=options["overlap_hours"]) if options["overlap_hours"] is not None else None
        issued = carrier_account_rotate_secret(account=account, new_secret=options["webhook_secret"], overlap=overlap)
        self._print_issued(issued, "Rotated")
        self.stdout.write(f"Previous secret accepted until: {issued.account.previous_secret_expires_at:%Y-%m-%d %H:%M %Z}")

    def _print_issued(self, issued, verb):
        account = issued.account
        self.stdout.write(self.style.SUCCESS(f"{verb} carrier account {account.public_id} ({account})"))
        self.stdout.write(f"Webhook URL:    {account.webhook_url}")
        self.stdout.write(f"Webhook secret: {issued.webhook_secret}")
        self.stdout.write(self.style.WARNING("The secret is shown only now; it is stored encrypted."))
