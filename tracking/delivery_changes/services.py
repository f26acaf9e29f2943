"""Failed-delivery recovery: the shopper's choice goes to the carrier when its adapter can change
deliveries; otherwise — or when the carrier refuses — it becomes a case for support staff."""
from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracking.carriers import status as st
from tracking.carriers.base import Capability, CarrierError, DeliveryChange
from tracking.carriers.registry import UnknownCarrier, get_adapter
from tracking.models import DeliveryRequest, DeliveryRequestEvent, Shipment

logger = logging.getLogger(__name__)

Kind = DeliveryRequest.Kind
Status = DeliveryRequest.Status
Route = DeliveryRequest.Route

# Shipments in these states accept a shopper's delivery change.
ACTIONABLE = frozenset({st.FAILED_ATTEMPT})


class DeliveryChangeNotAllowed(Exception):
    """The parcel is not (or no longer) waiting for a shopper decision."""


def _carrier_can_change(slug: str) -> bool:
    try:
        return get_adapter(slug).supports(Capability.DELIVERY_CHANGES)
    except UnknownCarrier:
        return False


def _log(request: DeliveryRequest, *, actor_label: str, from_status: str, note: str = "", actor=None) -> None:
    # Every state change passes here; touching the shipment moves the order page's cache version
    # (tracking.page.selectors.order_page_version), so the shopper sees the new state at once.
    Shipment.objects.filter(pk=request.shipment_id).update(updated_at=timezone.now())
    DeliveryRequestEvent.objects.create(request=request, actor=actor, actor_label=actor_label[:64],
                                        from_status=from_status, to_status=request.status, note=note)


@transaction.atomic
def delivery_request_submit(
    *,
    shipment: Shipment,
    kind: str,
    idempotency_key: str,
    requested_date: date | None = None,
    pickup_point_id: str = "",
    pickup_point_label: str = "",
    instructions: str = "",
) -> DeliveryRequest:
    """Record the shopper's choice. A repeated submit (same form key) returns the first request.

    The shipment row is locked so a double click racing itself serialises here; the carrier is
    called by a task after commit, never inside the shopper's request transaction."""
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    existing = DeliveryRequest.objects.filter(shipment=locked, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if locked.status not in ACTIONABLE:
        raise DeliveryChangeNotAllowed(locked.status)
    if kind not in Kind.values:
        raise ValueError(f"unknown delivery change {kind!r}")
    route = Route.CARRIER if _carrier_can_change(locked.carrier) else Route.SUPPORT
    try:
        with transaction.atomic():
            request = DeliveryRequest.objects.create(
                merchant_id=locked.merchant_id, shipment=locked, kind=kind, idempotency_key=idempotency_key[:64],
                requested_date=requested_date if kind == Kind.RESCHEDULE else None,
                pickup_point_id=pickup_point_id if kind == Kind.REDIRECT else "",
                pickup_point_label=pickup_point_label[:300] if kind == Kind.REDIRECT else "",
                instructions=instructions.strip()[:300] if kind == Kind.INSTRUCTIONS else "",
                route=route,
            )
    except IntegrityError:
        return DeliveryRequest.objects.get(shipment=locked, idempotency_key=idempotency_key[:64])
    _log(request, actor_label="shopper", from_status="",
         note="sent to the carrier" if route == Route.CARRIER else "carrier cannot change deliveries: support case")
    if route == Route.CARRIER:
        from tracking.delivery_changes.tasks import forward_delivery_request

        forward_delivery_request.delay_on_commit(request.pk)
    return request


@transaction.atomic
def delivery_request_forward(*, request_id: int) -> DeliveryRequest:
    """Ask the carrier to make the change. Idempotent: only an open, carrier-routed request that
    the carrier has not answered yet is sent; the row lock stops two workers sending it twice.

    Retryable carrier errors propagate (the task retries them); anything the carrier says no to
    hands the request to support staff with the carrier's message."""
    request = DeliveryRequest.objects.select_for_update().select_related("shipment").get(pk=request_id)
    if request.route != Route.CARRIER or request.status != Status.OPEN:
        return request
    request.carrier_attempts += 1
    request.save(update_fields=["carrier_attempts", "updated_at"])
    change = DeliveryChange(tracking_number=request.shipment.tracking_number, kind=request.kind,
                            new_date=request.requested_date, pickup_point_id=request.pickup_point_id,
                            instructions=request.instructions)
    try:
        result = get_adapter(request.shipment.carrier).request_delivery_change(change)
    except CarrierError as exc:
        if exc.retryable:
            raise
        return _hand_to_support(request, f"carrier error: {exc}")
    except (NotImplementedError, UnknownCarrier) as exc:
        return _hand_to_support(request, f"carrier cannot change deliveries: {exc}")
    if not result.accepted:
        return _hand_to_support(request, result.message or "refused by the carrier")
    before = request.status
    request.status = Status.CARRIER_CONFIRMED
    request.carrier_confirmation = result.confirmation[:100]
    request.carrier_message = result.message[:500]
    request.save(update_fields=["status", "carrier_confirmation", "carrier_message", "updated_at"])
    _log(request, actor_label="carrier", from_status=before, note=result.message)
    return request


def _hand_to_support(request: DeliveryRequest, message: str) -> DeliveryRequest:
    request.route = Route.SUPPORT
    request.carrier_message = message[:500]
    request.save(update_fields=["route", "carrier_message", "updated_at"])
    _log(request, actor_label="carrier", from_status=request.status, note=f"handed to support: {message}")
    return request


@transaction.atomic
def delivery_request_give_up_on_carrier(*, request_id: int, error: str) -> DeliveryRequest:
    """The carrier stayed unreachable through every retry: support takes over."""
    request = DeliveryRequest.objects.select_for_update().get(pk=request_id)
    if request.route == Route.CARRIER and request.status == Status.OPEN:
        return _hand_to_support(request, f"carrier unreachable: {error}")
    return request


@transaction.atomic
def delivery_request_update(*, request: DeliveryRequest, user, status: str | None = None, assignee=None,
                            assignee_changed: bool = False, notes: str | None = None, note: str = "") -> DeliveryRequest:
    """A staff member works the case: status, assignee, notes — each change lands in the audit log."""
    locked = DeliveryRequest.objects.select_for_update().get(pk=request.pk)
    before = locked.status
    changes = []
    if status is not None and status != locked.status:
        if status not in Status.values:
            raise ValueError(f"unknown status {status!r}")
        locked.status = status
        changes.append(f"status {before} → {status}")
    if assignee_changed and assignee != locked.assignee:
        locked.assignee = assignee
        changes.append(f"assigned to {assignee.get_username() if assignee else 'nobody'}")
    if notes is not None and notes != locked.notes:
        locked.notes = notes
        changes.append("notes edited")
    if not changes and not note:
        return locked
    locked.save()
    label = user.get_username() if user is not None else "system"
    _log(locked, actor=user, actor_label=label, from_status=before, note="; ".join(filter(None, [*changes, note])))
    return locked
