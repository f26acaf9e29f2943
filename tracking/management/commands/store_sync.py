"""Backfill a connected store's orders (and products) with a progress bar; resumable:

    manage.py store_sync --connection <public id or pk> [--since 2026-01-01] [--restart] [--products]

Each page is written in one transaction through tracking.stores.sync (the services webhooks use),
then the platform's cursor is saved: run it again after an interruption and it carries on."""
from django.core.management.base import BaseCommand, CommandError

from tracking.management.commands.store_connection import _since, find_connection


class Command(BaseCommand):
    help = "Backfill orders from a connected store, resuming from the last saved page."

    def add_arguments(self, parser):
        parser.add_argument("--connection", required=True)
        parser.add_argument("--since", default=None, help="Only orders changed since this date (YYYY-MM-DD).")
        parser.add_argument("--restart", action="store_true", help="Ignore the saved cursor.")
        parser.add_argument("--page-size", type=int, default=50)
        parser.add_argument("--max-pages", type=int, default=None)
        parser.add_argument("--products", action="store_true", help="Also page through the products.")

    def handle(self, *args, **o):
        from tracking.stores.connections import store_sync_run

        connection = find_connection(o["connection"])
        resuming = bool(connection.sync_cursor) and not o["restart"]
        if resuming:
            self.stdout.write("resuming from the saved cursor")

        def progress(report):
            bar = "#" * min(report.pages, 40)
            self.stdout.write(f"\r[{bar:<40}] {report.pages} page(s), {report.orders} order(s), "
                              f"{report.created} new", ending="")
            self.stdout.flush()

        report = store_sync_run(connection=connection, since=_since(o["since"]), restart=o["restart"],
                                page_size=o["page_size"], max_pages=o["max_pages"], progress=progress)
        self.stdout.write("")
        if o["products"] and not report.error:
            self._products(connection)
        if report.error:
            raise CommandError(f"stopped: {report.error} (run again to resume)")
        self.stdout.write(f"{'done' if report.done else 'paused'}: {report.orders} order(s), {report.created} new, "
                          f"{report.skipped} unchanged, {report.errors} error(s)")

    def _products(self, connection):
        from tracking.stores.base import StoreError
        from tracking.stores.connections import with_fresh_token
        from tracking.stores.sync import store_product_apply

        cursor = None
        count = 0
        while True:
            try:
                page = with_fresh_token(connection, lambda a, at=cursor: a.fetch_products(cursor=at))
            except StoreError as exc:
                raise CommandError(f"products: {exc}") from None
            for product in page.items:
                store_product_apply(connection=connection, product=product)
                count += 1
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        self.stdout.write(f"{count} product(s) synced")
