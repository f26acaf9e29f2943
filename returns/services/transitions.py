"""Applying a state change: check it against the state machine, stamp it, log it. Callers hold the row lock."""
from __future__ import annotations

from django.utils import timezone

from returns.models import ReturnEvent, ReturnRequest, ReturnStatus
from returns.states import check_transition

STAMPS = {
    ReturnStatus.APPROVED: "approved_at",
    ReturnStatus.IN_TRANSIT: "in_transit_at",
    ReturnStatus.RECEIVED: "received_at",
    ReturnStatus.INSPECTED: "inspected_at",
    ReturnStatus.REFUNDED: "resolved_at",
    ReturnStatus.CREDITED: "resolved_at",
    ReturnStatus.EXCHANGED: "resolved_at",
}


def actor_of(user) -> tuple[str, object]:
    """('user', user) for a staff user, else (name, None) for 'system' / 'shopper'."""
    if isinstance(user, str):
        if user not in (ReturnEvent.Actor.SYSTEM, ReturnEvent.Actor.SHOPPER):
            raise ValueError(f"unknown actor {user!r}")
        return user, None
    return ReturnEvent.Actor.USER, user


def actor_name(user) -> str:
    return user if isinstance(user, str) else user.get_username()


def apply_transition(rr: ReturnRequest, target: str, *, by, note: str = "") -> ReturnEvent:
    """Move ``rr`` (a row locked by the caller) to ``target``; raises InvalidTransition otherwise."""
    check_transition(rr.status, target, claim=rr.is_claim)
    actor, user = actor_of(by)
    previous = rr.status
    rr.status = target
    fields = ["status", "updated_at"]
    stamp = STAMPS.get(target)
    if stamp:
        setattr(rr, stamp, timezone.now())
        fields.append(stamp)
    rr.save(update_fields=fields)
    return ReturnEvent.objects.create(return_request=rr, from_status=previous, to_status=target, actor=actor,
                                      user=user, note=note[:2000])


def log_note(rr: ReturnRequest, *, by, note: str) -> ReturnEvent:
    """An audit entry without a state change (label created, refund sent, stock released…)."""
    actor, user = actor_of(by)
    return ReturnEvent.objects.create(return_request=rr, from_status=rr.status, to_status=rr.status, actor=actor,
                                      user=user, note=note[:2000])
