"""Reads about staff memberships, shared by the admin, the file views and the money rules."""
from __future__ import annotations

from django.http import Http404

from tracking.models import Merchant
from tracking.staff.models import StaffMembership

# Cached on the user object, which lives for one request (the admin asks many times per page).
_CACHE_ATTR = "doorstep_staff_merchant_ids"


def merchant_ids_for(user) -> frozenset[int] | None:
    """The ids of the merchants ``user`` may see: None means every merchant (an active superuser);
    an empty set means none (anonymous, inactive, or staff without a membership)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(StaffMembership.objects.filter(user=user).values_list("merchant_id", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def is_member(user, merchant_id) -> bool:
    """May ``user`` see rows of merchant ``merchant_id``? (Superusers: always.)"""
    ids = merchant_ids_for(user)
    return ids is None or merchant_id in ids


def membership_for(user, merchant_id) -> StaffMembership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return StaffMembership.objects.filter(user=user, merchant_id=merchant_id).first()


def is_lead_of(user, merchant_id) -> bool:
    """A lead of this merchant, or an active superuser."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    membership = membership_for(user, merchant_id)
    return membership is not None and membership.role == StaffMembership.Role.LEAD


def visible_merchants(user):
    """The merchants ``user`` may see, by name."""
    ids = merchant_ids_for(user)
    merchants = Merchant.objects.order_by("name")
    return merchants if ids is None else merchants.filter(pk__in=ids)


def merchant_from_query(request, param: str = "merchant") -> Merchant | None:
    """The merchant a report or dashboard was asked for in the query string, or None if not given.

    An id the user may not see is a 404 whether that merchant exists or not, so a report never
    confirms another tenant's ids. Text that is not an id is ignored (None)."""
    raw = (request.GET.get(param) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        return None
    merchant = visible_merchants(request.user).filter(pk=int(raw)).first()
    if merchant is None:
        raise Http404("No such merchant.")
    return merchant
