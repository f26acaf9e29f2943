"""Backfill past orders and parcels: ``python manage.py import_orders FILE.csv|FILE.jsonl [--merchant SLUG]``.

Default: batches of --batch-size orders, one transaction each; bad orders are skipped and reported by
line number, good ones land. ``--atomic``: the whole file or nothing. Formats: tracking/import_formats.py."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracking.imports.formats import RowError, read_csv, read_jsonl
from tracking.models import Merchant
from tracking.imports.services import ImportAborted, orders_import


class Command(BaseCommand):
    help = "Import past orders and shipments from a CSV or JSON Lines file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--merchant", help="Merchant slug (required when there is more than one merchant).")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--atomic", action="store_true", help="All or nothing: any bad row aborts the import.")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="Default: from the file extension.")

    def handle(self, *args, path: Path, merchant=None, batch_size=500, atomic=False, format=None, **options):
        merchant = self._merchant(merchant)
        fmt = format or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(path.suffix.lower())
        if fmt is None:
            raise CommandError("Cannot tell the format from the extension; use --format csv|jsonl.")
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        reader = read_csv if fmt == "csv" else read_jsonl
        with path.open(newline="", encoding="utf-8-sig") as stream:
            try:
                report = orders_import(merchant=merchant, records=reader(stream), batch_size=batch_size, atomic=atomic)
            except RowError as exc:
                raise CommandError(str(exc)) from None
            except ImportAborted as exc:
                self._print_errors(exc.report)
                raise CommandError(f"{len(exc.report.errors)} problem(s): nothing was imported (--atomic).") from None
        self._print_errors(report)
        self.stdout.write(self.style.SUCCESS(
            f"Imported {report.orders} orders ({report.order_lines} lines) and {report.shipments} shipments; "
            f"skipped {len(report.errors)}."))

    def _merchant(self, slug):
        if slug:
            try:
                return Merchant.objects.get(slug=slug)
            except Merchant.DoesNotExist:
                raise CommandError(f"No merchant {slug!r}.") from None
        merchants = list(Merchant.objects.all()[:2])
        if len(merchants) != 1:
            raise CommandError("Say which merchant with --merchant SLUG.")
        return merchants[0]

    def _print_errors(self, report):
        for line_numbers, message in report.errors:
            where = f"line {line_numbers[0]}" if len(line_numbers) == 1 else (
                f"lines {', '.join(map(str, line_numbers))}" if line_numbers else "file")
            self.stderr.write(f"{where}: {message}")
