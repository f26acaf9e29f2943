"""Backtest the EDD on a time split and print its accuracy next to the carrier-table baseline.

    python manage.py edd_backtest [--shipments N] [--seed S] [--from-db] [--per-lane] [--no-save]

By default it runs on generated lane history (tracking.edd.history); ``--from-db`` uses this
installation's delivered shipments instead. The report is stored for staff (admin → EDD backtest
runs) unless ``--no-save``.
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracking.carriers import status as st
from tracking.edd.backtest import run_backtest
from tracking.edd.carrier_table import DEFAULT_TABLE
from tracking.edd.history import PUBLISHED_TABLE, HistoricShipment, generate_history
from tracking.edd.report import render
from tracking.models import EddBacktestRun, Shipment


def delivered_history() -> list[HistoricShipment]:
    rows = Shipment.objects.filter(status=st.DELIVERED, is_return=False, shipped_at__isnull=False,
                                   delivered_at__isnull=False).select_related("merchant", "order")
    return [HistoricShipment(s.carrier, s.service_level, s.origin_country or s.merchant.country, s.origin_postal_code,
                             s.destination_country or s.order.ship_country,
                             s.destination_postal_code or s.order.ship_postal_code, s.order.placed_at, s.shipped_at,
                             s.delivered_at) for s in rows.iterator(chunk_size=2000)]


class Command(BaseCommand):
    help = "Backtest delivery-date estimates on a time split against the static carrier table."

    def add_arguments(self, parser):
        parser.add_argument("--shipments", type=int, default=20000, help="generated shipments (default 20000)")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--train-share", type=float, default=0.7)
        parser.add_argument("--refit-days", type=int, default=7, help="rebuild lane stats every N days (0: frozen)")
        parser.add_argument("--target", type=float, default=0.92, help="validation coverage to tune for when no configuration fits the 3-day width budget")
        parser.add_argument("--from-db", action="store_true", help="use delivered shipments, not generated history")
        parser.add_argument("--per-lane", action="store_true")
        parser.add_argument("--no-save", action="store_true")

    def handle(self, *args, **options):
        if options["from_db"]:
            history, source = delivered_history(), "delivered shipments"
            table = {**DEFAULT_TABLE, **settings.DOORSTEP_EDD_TRANSIT_TABLE}
        else:
            if options["shipments"] < 50:
                raise CommandError("--shipments must be at least 50")
            history, source = generate_history(shipments=options["shipments"], seed=options["seed"]), "generated"
            table = PUBLISHED_TABLE
        if not 0.3 <= options["train_share"] <= 0.9:
            raise CommandError("--train-share must be within 0.3..0.9")
        try:
            report = run_backtest(history, table=table, train_share=options["train_share"],
                                  refit_days=options["refit_days"], target=options["target"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        title = f"EDD backtest — {source}, {len(history)} shipments"
        if source == "generated":
            title += f", seed {options['seed']}"
        self.stdout.write(title)
        self.stdout.write(render(report, per_lane=options["per_lane"]))
        if not options["no_save"]:
            run = EddBacktestRun.objects.create(
                source=source, seed=options["seed"] if source == "generated" else None, shipments=len(history),
                params={k: options[k] for k in ("train_share", "refit_days", "target")}, report=report)
            self.stdout.write(f"\nsaved as backtest run #{run.pk} (admin → EDD backtest runs)")
