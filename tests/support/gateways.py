"""A payment gateway that lives outside the test process, for tests with a real Celery worker.

``FileGateway`` keeps its refunds in a directory (DOORSTEP_TEST_GATEWAY_DIR): one line per call in
``calls.log`` (the idempotency key), and at most one refund per key in ``refunds/`` (like a real
gateway's idempotency). While the file ``hang`` exists a call writes ``started`` and then blocks,
so a test can kill the worker mid-call."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from returns.payments.base import PaymentGateway, RefundRequestData, RefundResult


def gateway_dir() -> Path:
    return Path(os.environ["DOORSTEP_TEST_GATEWAY_DIR"])


class FileGateway(PaymentGateway):
    slug = "filegateway"
    name = "File gateway (tests)"

    def refund(self, request: RefundRequestData) -> RefundResult:
        root = gateway_dir()
        with open(root / "calls.log", "a") as log:
            log.write(request.idempotency_key + "\n")
        reference = "fre_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:16]
        refunds = root / "refunds"
        refunds.mkdir(exist_ok=True)
        try:  # the gateway's own idempotency: the first call with a key refunds, later ones answer it
            with open(refunds / reference, "x") as issued:
                issued.write(f"{request.amount} {request.currency}\n")
        except FileExistsError:
            pass
        if (root / "hang").exists():
            (root / "started").write_text(request.idempotency_key)
            time.sleep(600)  # the money has left; the worker is about to be killed before recording it
        return RefundResult(reference=reference, status="succeeded", amount=request.amount,
                            currency=request.currency)

    @staticmethod
    def calls(root: Path) -> list[str]:
        path = root / "calls.log"
        return path.read_text().split() if path.exists() else []

    @staticmethod
    def refunds(root: Path) -> list[str]:
        path = root / "refunds"
        return sorted(p.name for p in path.iterdir()) if path.exists() else []
