"""Connect a store from the command line (scripts, tests, single-store apps):

    manage.py store_connection create --merchant acme --platform shopify --shop acme.myshopify.com \
        --access-token shpat_… [--webhook-secret S] [--register-webhooks] [--sync]
    manage.py store_connection list [--merchant acme]
    manage.py store_connection sync <public id> [--since 2026-01-01] [--restart]
    manage.py store_connection disconnect <public id>

``create`` prints the connection's webhook URL and its secret (shown once)."""
from datetime import datetime, timezone

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracking.models import Merchant, StoreConnection
from tracking.stores.base import StoreError


def _since(value: str | None):
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: not a date {value!r} (use YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def find_connection(identifier: str) -> StoreConnection:
    query = StoreConnection.objects.select_related("merchant")
    connection = query.filter(public_id=identifier).first()
    if connection is None and identifier.isdigit():
        connection = query.filter(pk=int(identifier)).first()
    if connection is None:
        raise CommandError(f"no store connection {identifier!r}")
    return connection


class Command(BaseCommand):
    help = "Create, list, sync or disconnect store connections (Shopify, WooCommerce, Cafe24)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--merchant", required=True, help="Merchant slug.")
        create.add_argument("--platform", required=True, help="shopify, woocommerce or cafe24.")
        create.add_argument("--shop", required=True, help="x.myshopify.com, https://store.example or a mall id.")
        create.add_argument("--access-token", default="")
        create.add_argument("--refresh-token", default="")
        create.add_argument("--webhook-secret", default="", help="Default: generated where the platform needs one.")
        create.add_argument("--consumer-key", default="", help="WooCommerce REST API key.")
        create.add_argument("--consumer-secret", default="")
        create.add_argument("--register-webhooks", action="store_true", help="Create the subscriptions by API.")
        create.add_argument("--sync", action="store_true", help="Queue a backfill.")
        listing = sub.add_parser("list")
        listing.add_argument("--merchant", default="")
        sync = sub.add_parser("sync")
        sync.add_argument("connection")
        sync.add_argument("--since", default=None)
        sync.add_argument("--restart", action="store_true")
        disconnect = sub.add_parser("disconnect")
        disconnect.add_argument("connection")

    def handle(self, *args, **o):
        getattr(self, f"_{o['action']}")(o)

    def _create(self, o):
        from tracking.stores.connections import connection_create, connection_register_webhooks

        merchant = Merchant.objects.filter(slug=o["merchant"]).first()
        if merchant is None:
            raise CommandError(f"no merchant {o['merchant']!r}")
        try:
            issued = connection_create(merchant=merchant, platform=o["platform"], shop=o["shop"],
                                       access_token=o["access_token"], refresh_token=o["refresh_token"],
                                       webhook_secret=o["webhook_secret"], consumer_key=o["consumer_key"],
                                       consumer_secret=o["consumer_secret"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        connection = issued.connection
        self.stdout.write(f"connection {connection.public_id} ({connection.platform} {connection.shop}, "
                          f"merchant {merchant.slug})")
        self.stdout.write(f"webhook URL: {connection.webhook_url}")
        if issued.webhook_secret:
            self.stdout.write(f"webhook secret: {issued.webhook_secret}")
        elif connection.platform == "shopify":
            self.stdout.write("webhook secret: the Shopify app's client secret (DOORSTEP_SHOPIFY_CLIENT_SECRET)")
        if o["register_webhooks"]:
            try:
                created = connection_register_webhooks(connection=connection)
            except StoreError as exc:
                self.stderr.write(f"webhook registration failed: {exc}")
            else:
                self.stdout.write(f"registered {len(created)} webhook subscription(s)")
        if o["sync"]:
            from tracking.stores.tasks import sync_store_connection

            sync_store_connection.delay_on_commit(connection.pk)
            self.stdout.write("backfill queued")

    def _list(self, o):
        query = StoreConnection.objects.select_related("merchant").order_by("merchant__slug", "platform", "shop")
        if o["merchant"]:
            query = query.filter(merchant__slug=o["merchant"])
        for c in query:
            last = f"{c.last_sync_at:%Y-%m-%d %H:%M}" if c.last_sync_at else "never"
            error = f"  error: {c.last_error}" if c.last_error else ""
            self.stdout.write(f"{c.public_id}  {c.merchant.slug:12} {c.platform:12} {c.shop:40} {c.state:13} "
                              f"synced {last}{error}")

    def _sync(self, o):
        from django.core.management import call_command

        args = ["--connection", o["connection"]]
        if o["since"]:
            args += ["--since", o["since"]]
        if o["restart"]:
            args.append("--restart")
        call_command("store_sync", *args, stdout=self.stdout, stderr=self.stderr)

    def _disconnect(self, o):
        from tracking.stores.connections import connection_disconnect

        connection = find_connection(o["connection"])
        connection_disconnect(connection=connection, reason="disconnected from the command line")
        self.stdout.write(f"disconnected {connection.public_id}")
