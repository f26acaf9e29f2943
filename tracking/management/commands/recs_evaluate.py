"""Offline evaluation of the recommendation model against the popularity baseline.

    python manage.py recs_evaluate [--orders 20000] [--seed 0]

Generates (a) history with planted co-purchase bundles and (b) a control without any, splits each by
time, trains on the past and prints HitRate@10 / NDCG@10 for both methods (protocol:
tracking/recommendations/evaluation.py)."""
from django.core.management.base import BaseCommand

from tracking.recommendations.evaluation import evaluate, generate_history, report_lines


class Command(BaseCommand):
    help = "Print HitRate@10 and NDCG@10 of the recommendation model and the popularity baseline."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, orders, seed, **options):
        for label, planted in (("planted", True), ("control", False)):
            result = evaluate(generate_history(n_orders=orders, planted=planted, seed=seed), seed=seed)
            for line in report_lines(label, result):
                self.stdout.write(line)
