"""Writes about staff: who works for which merchant, in which support group, up to which amount."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tracking.models import Merchant
from tracking.staff.models import StaffMembership
from tracking.staff.roles import SUPPORT_AGENT, SUPPORT_LEAD

SUPPORT_GROUPS = (SUPPORT_AGENT, SUPPORT_LEAD)
# Keep the current limit (the default when none is given) vs. set one (a Decimal) or clear it (None).
KEEP = object()
MAX_LIMIT = Decimal("1e10")  # the column holds 12 digits, 2 after the point


class StaffError(ValueError):
    pass


@dataclass(frozen=True)
class StaffMemberAdded:
    user: object
    user_created: bool
    memberships: list[StaffMembership]


def _merchants(slugs) -> list[Merchant]:
    slugs = list(dict.fromkeys(slugs))
    found = {m.slug: m for m in Merchant.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise StaffError(f"no merchant with slug {', '.join(repr(s) for s in missing)}")
    return [found[slug] for slug in slugs]


@transaction.atomic
def staff_member_add(*, username: str, merchant_slugs, password: str | None = None, group: str | None = None,
                     role: str | None = None, money_limit=KEEP) -> StaffMemberAdded:
    """Create the staff user if needed (``is_staff``), make them a member of each merchant and put them
    in one support group. Adding again updates role and limit; the user's other memberships stay.

    The role defaults to "lead" for the Support lead group, else "agent". Without a password a new
    user gets an unusable one (set it later with ``changepassword`` or a reset)."""
    if not username.strip():
        raise StaffError("a username is required")
    if group is not None and group not in SUPPORT_GROUPS:
        raise StaffError(f"group must be one of {', '.join(repr(g) for g in SUPPORT_GROUPS)}")
    if role is not None and role not in StaffMembership.Role.values:
        raise StaffError(f"role must be one of {', '.join(StaffMembership.Role.values)}")
    if money_limit is not KEEP and money_limit is not None:
        try:
            money_limit = Decimal(str(money_limit))
        except InvalidOperation:
            raise StaffError("the money limit must be an amount such as 500 or 500.00") from None
        if not money_limit.is_finite() or not 0 <= money_limit < MAX_LIMIT:
            raise StaffError("the money limit must be a positive amount")
        money_limit = money_limit.quantize(Decimal("0.01"))
    merchants = _merchants(merchant_slugs)
    if not merchants:
        raise StaffError("name at least one merchant")

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created and not password:
        user.set_unusable_password()
    if password:
        user.set_password(password)
    user.is_staff = True
    user.save()
    if group is not None:
        try:
            chosen = Group.objects.get(name=group)
        except Group.DoesNotExist:
            raise StaffError(f"the group {group!r} does not exist yet: run migrate first") from None
        user.groups.remove(*Group.objects.filter(name__in=SUPPORT_GROUPS).exclude(pk=chosen.pk))
        user.groups.add(chosen)
    if role is None:
        role = StaffMembership.Role.LEAD if group == SUPPORT_LEAD else StaffMembership.Role.AGENT

    memberships = []
    for merchant in merchants:
        defaults = {"role": role}
        if money_limit is not KEEP:
            defaults["money_limit"] = money_limit
        membership, _ = StaffMembership.objects.update_or_create(user=user, merchant=merchant, defaults=defaults)
        memberships.append(membership)
    return StaffMemberAdded(user=user, user_created=created, memberships=memberships)


@transaction.atomic
def staff_member_remove(*, username: str, merchant_slugs=()) -> int:
    """Remove the user's memberships of these merchants; with none named, every membership, the
    support groups and staff status (the account stays: audit trails name it). Returns how many
    memberships were removed."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise StaffError(f"no user {username!r}") from None
    memberships = StaffMembership.objects.filter(user=user)
    if merchant_slugs:
        memberships = memberships.filter(merchant__in=_merchants(merchant_slugs))
    removed, _ = memberships.delete()
    if not merchant_slugs:
        user.groups.remove(*Group.objects.filter(name__in=SUPPORT_GROUPS))
        if not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    return removed
