"""Load the demo shop. Idempotent: merchants that already have orders are left as they are."""
import json
import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from tracking.demo import seed as demo
from tracking.tokens import make_token

DEMO_USERNAME = "support"
# Development only; production never gets a default password (a random one is generated and printed).
DEV_PASSWORD = "doorstep-demo"


class Command(BaseCommand):
    help = "Create the demo merchants, catalogue, customers, a year of orders and parcels in every scenario."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print machine-readable demo data only.")
        parser.add_argument("--scale", type=float, default=1.0, help="Fraction of the full volume (tests).")
        parser.add_argument("--admin-password", default="", help="Password for the demo staff user.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = demo.seed(scale=options["scale"])
        credentials = self._staff_user(options["admin_password"])
        elapsed = time.perf_counter() - started
        base = settings.DOORSTEP_BASE_URL
        data = {
            "admin": {"url": f"{base}/admin/", **credentials},
            "lookup": f"{base}/track/",
            "returns": f"{base}/returns/",
            "created": report.created,
            "skipped_existing": report.skipped,
            "seconds": round(elapsed, 2),
            "orders": [_public(order) for order in report.demo_orders],
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self._print_summary(data)

    @transaction.atomic
    def _staff_user(self, password: str) -> dict:
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USERNAME).first()
        if user is not None and not password:
            # Never change an existing password behind someone's back; show what we know.
            known = DEV_PASSWORD if settings.DEBUG and user.check_password(DEV_PASSWORD) else "(unchanged)"
            return {"username": DEMO_USERNAME, "password": known}
        if not password:
            password = DEV_PASSWORD if not settings.PRODUCTION else secrets.token_urlsafe(18)
        user = user or user_model(username=DEMO_USERNAME, email="support@doorstep.local")
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return {"username": DEMO_USERNAME, "password": password}

    def _print_summary(self, data):
        write = self.stdout.write
        created = data["created"]
        if data["skipped_existing"]:
            write(f"Demo data already present for: {', '.join(data['skipped_existing'])} (left unchanged).")
        if created["orders"]:
            write(f"Created {created['merchants']} merchants, {created['products']} products, "
                  f"{created['customers']} customers, {created['orders']} orders, {created['shipments']} parcels, "
                  f"{created['events']} tracking events in {data['seconds']} s.")
        write("")
        write(self.style.SUCCESS(f"Admin: {data['admin']['url']}  user: {data['admin']['username']}  "
                                 f"password: {data['admin']['password']}"))
        write(f"Track an order: {data['lookup']}    Start a return: {data['returns']}")
        write("Demo orders (look them up with the order number and email or postal code):")
        for order in data["orders"]:
            write(f"  {order['state']:<18} {order['merchant']:<11} {order['order_number']:<9} {order['email']:<34} "
                  f"{order['postal_code']}")
            if order["tracking_link"]:
                write(f"  {'':<18} {order['tracking_link']}")


def _public(order: dict) -> dict:
    """The showcase order without its database id, with its signed tracking link instead."""
    public = {key: value for key, value in order.items() if key != "order_id"}
    public["tracking_link"] = _order_link(order["order_id"])
    return public


def _order_link(order_id: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("tracking:order_link", args=[make_token("order", {"o": order_id})])
    except NoReverseMatch:  # the tracking page is not installed
        return ""
    return settings.DOORSTEP_BASE_URL + path
