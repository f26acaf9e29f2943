"""Rebuild lane statistics, re-predict every travelling parcel and run delay detection now.

    python manage.py edd_refresh

What the beat jobs do over time, at once: after importing history, changing shipping settings or
the transit table, or seeding a demo."""
from django.core.management.base import BaseCommand

from tracking.carriers import status as st
from tracking.models import Shipment
from tracking.edd.delays import delays_detect
from tracking.edd.services import lane_stats_recompute, shipment_update_prediction


class Command(BaseCommand):
    help = "Recompute EDD lane statistics, re-predict travelling shipments and detect delays."

    def handle(self, *args, **options):
        rows = lane_stats_recompute()
        predicted = 0
        travelling = Shipment.objects.exclude(status__in=sorted(st.TERMINAL))
        for shipment in travelling.only("pk").iterator(chunk_size=500):
            shipment_update_prediction(shipment=shipment)
            predicted += 1
        opened = delays_detect()
        self.stdout.write(f"lane statistics: {rows} rows; predictions updated: {predicted}; delay cases opened: {opened}")
