from __future__ import annotations

import contextlib

from django.db import connection, transaction


def pct(part, whole) -> float | None:
    """part / whole × 100, one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(float(part) * 100.0 / float(whole), 1)


@contextlib.contextmanager
def analytics_session():
    """Run a batch of metric queries in one read transaction (one consistent snapshot) and, on
    PostgreSQL, without JIT compilation: the planner switches JIT on for these aggregates because
    their estimated cost is high, then spends ~0.5 s compiling queries that run in ~0.1 s."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield
