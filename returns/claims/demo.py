"""DEMO_SEED: claims in every state for the demo merchants, written through the claims services (so
they carry the same lines, audit trail, money and replacement orders as real ones). Idempotent: a
merchant that already has claims is left alone."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from returns.claims.services import (
    ClaimedLine,
    claim_approve,
    claim_policy_ensure,
    claim_submit,
    claimable_lines,
)
from returns.models import Refund, RequestKind, ReturnRequest, ReturnStatus
from returns.money.refunds import refund_execute
from returns.services import return_close, return_reject
from returns.services.transitions import apply_transition
from tracking.carriers import status as st
from tracking.models import Merchant, Shipment

DEMO_SLUGS = ("hanok-home", "trailhead")
NOTES = {
    "hanok-home": {"lost": "택배가 일주일째 움직이지 않아요.", "damaged": "상자가 찌그러져 찻잔이 깨졌어요.",
                   "missing": "밥그릇 하나가 빠져 있어요.", "not_received": "배송 완료로 나오는데 문 앞에 없어요."},
    "trailhead": {"lost": "Tracking hasn't moved in a week.", "damaged": "The box was crushed and the pole snapped.",
                  "missing": "The stove was not in the box.", "not_received": "Marked delivered, but nothing at the door."},
}


def _photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 360), (214, 196, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 420, 300), outline=(120, 84, 50), width=8)
    draw.line((60, 60, 240, 200, 420, 90), fill=(150, 30, 30), width=10)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile("damaged-box.jpg", out.getvalue(), content_type="image/jpeg")


def _free(shipment: Shipment) -> bool:
    return not ReturnRequest.objects.filter(order_id=shipment.order_id).exists()


def _candidates(merchant, *, now: datetime, window_days: int):
    delivered = (Shipment.objects.filter(merchant=merchant, is_return=False, status=st.DELIVERED,
                                         delivered_at__gte=now - timedelta(days=max(1, window_days - 2)),
                                         lines__isnull=False)
                 .select_related("order", "merchant").distinct().order_by("-delivered_at"))
    lost = (Shipment.objects.filter(merchant=merchant, is_return=False, status=st.EXCEPTION, status_reason="lost",
                                    lines__isnull=False)
            .select_related("order", "merchant").distinct().order_by("-last_event_at"))
    seen, free = set(), []
    for shipment in delivered[:40]:  # one claim per order
        if shipment.order_id not in seen and _free(shipment):
            seen.add(shipment.order_id)
            free.append(shipment)
    return free, [s for s in lost[:10] if _free(s) and s.order_id not in seen]


def _claim(shipment, claim_type, resolution, *, key, note, now, photos=()):
    lines = [ClaimedLine(line.order_line.pk, line.remaining) for line in claimable_lines(shipment) if line.remaining]
    rr, _created = claim_submit(order=shipment.order, shipment=shipment, claim_type=claim_type, lines=lines,
                                resolution=resolution, idempotency_key=key, note=note, photos=list(photos),
                                locale="ko" if shipment.merchant.slug == "hanok-home" else "en", now=now)
    return rr


def _seed_merchant(merchant, *, now: datetime) -> int:
    policy = claim_policy_ensure(merchant=merchant)
    delivered, lost = _candidates(merchant, now=now, window_days=policy.window_days)
    if len(delivered) < 6:
        return 0
    notes = NOTES.get(merchant.slug, NOTES["trailhead"])
    made = 0
    key = f"demo-claim-{merchant.slug}"
    if lost:  # the carrier confirmed it lost: approved and credited at once, by the merchant's rule
        parcel = lost[0]
        last = parcel.last_event_at or now
        # A loss from months ago was reported when it happened: judge it as of the day after.
        when = now if last > now - timedelta(days=policy.window_days) else last + timedelta(days=1)
        _claim(parcel, "lost", "store_credit", key=f"{key}-lost", note=notes["lost"], now=when)
        made += 1
    # Waiting for review.
    _claim(delivered[0], "not_received", "refund", key=f"{key}-review", note=notes["not_received"], now=now)
    # Damaged, replacement sent: a replacement order and its outbound parcel (from stock on hand).
    stocked = next((i for i, parcel in enumerate(delivered[1:], start=1) if all(
        line.order_line.variant.stock >= line.quantity
        for line in parcel.lines.select_related("order_line__variant"))), None)
    if stocked is None:
        return made
    delivered.insert(1, delivered.pop(stocked))
    rr = _claim(delivered[1], "damaged", "replacement", key=f"{key}-replacement", note=notes["damaged"], now=now,
                photos=[_photo()])
    claim_approve(rr=rr, by="system", note="Demo: photo shows the damage.")
    # Approved; the refund is on its way to the gateway.
    rr = _claim(delivered[2], "missing_items", "refund", key=f"{key}-approved", note=notes["missing"], now=now)
    claim_approve(rr=rr, by="system", note="Demo: the warehouse confirms a short pack.")
    # Approved and refunded.
    rr = _claim(delivered[3], "missing_items", "refund", key=f"{key}-refunded", note=notes["missing"], now=now)
    claim_approve(rr=rr, by="system", note="Demo: short pack confirmed.")
    for refund in Refund.objects.filter(return_request=rr, status=Refund.Status.PENDING):
        refund_execute(refund_id=refund.pk)
    # Rejected, with the reason the shopper reads.
    rr = _claim(delivered[4], "not_received", "refund", key=f"{key}-rejected", note=notes["not_received"], now=now)
    return_reject(rr=rr, by="system", reason="The carrier's photo shows the parcel handed to your building's "
                                             "concierge. Please check there; reply to this email if it is not.")
    # Approved, then closed: the parcel turned up after all.
    rr = _claim(delivered[5], "not_received", "store_credit", key=f"{key}-closed", note=notes["not_received"],
                now=now)
    with transaction.atomic():
        locked = ReturnRequest.objects.select_for_update().get(pk=rr.pk)
        apply_transition(locked, ReturnStatus.APPROVED, by="system", note="Demo: approved, waiting for the carrier.")
    return_close(rr=rr, by="system", note="The neighbour had the parcel; the shopper has it. Nothing owed.")
    return made + 6


def seed_claims(*, now: datetime) -> dict[str, int]:
    created = 0
    for merchant in Merchant.objects.filter(slug__in=DEMO_SLUGS):
        if ReturnRequest.objects.filter(merchant=merchant, kind=RequestKind.CLAIM).exists():
            continue
        with transaction.atomic():
            created += _seed_merchant(merchant, now=now)
    return {"claims": created}
