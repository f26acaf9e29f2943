"""How a row reaches its merchant, and the queryset filters that keep staff inside their merchants.

``merchant_path(Model)`` finds the ORM path from a model to ``Merchant`` ("pk" for Merchant itself,
"merchant", "shipment__merchant"…) by following foreign keys, shortest first. Admin classes declare
their own path (``merchant_field``); this discovery scopes the *related* models an admin form or
filter offers, and lets a test check that every admin for a tenant-owned model is scoped."""
from __future__ import annotations

import functools
from collections import deque

from django.contrib.auth import get_user_model
from django.db.models import Q

from tracking.models import Merchant

MAX_DEPTH = 4


def _is_merchant(model) -> bool:
    return model._meta.concrete_model is Merchant


@functools.cache
def merchant_path(model) -> str | None:
    """The ORM path from rows of ``model`` to their Merchant, or None for install-wide models."""
    if _is_merchant(model):
        return "pk"
    seen = {model._meta.concrete_model}
    queue = deque([(model, "")])
    while queue:
        current, prefix = queue.popleft()
        if prefix.count("__") >= MAX_DEPTH:
            continue
        forward = [f for f in current._meta.get_fields()
                   if f.concrete and f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model]
        # Prefer a required link to a nullable one at the same depth.
        forward.sort(key=lambda f: (f.null, f.name != "merchant", f.name))
        for field in forward:
            path = f"{prefix}{field.name}"
            if _is_merchant(field.related_model):
                return path
        for field in forward:
            target = field.related_model._meta.concrete_model
            if target not in seen:
                seen.add(target)
                queue.append((target, f"{prefix}{field.name}__"))
    return None


def scope_by_path(queryset, path: str, merchant_ids):
    """Rows of ``queryset`` whose merchant (through ``path``) is one of ``merchant_ids``; every row when
    ``merchant_ids`` is None (a superuser)."""
    if merchant_ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": merchant_ids})


def scope_related(queryset, merchant_ids):
    """Limit the choices a form or filter offers for a related model: rows of the user's merchants;
    for users (assignees), the staff of those merchants and the superusers; install-wide models as is."""
    if merchant_ids is None:
        return queryset
    model = queryset.model
    path = merchant_path(model)
    if path is not None:
        return scope_by_path(queryset, path, merchant_ids)
    if model._meta.concrete_model is get_user_model()._meta.concrete_model:
        members = get_user_model().objects.filter(
            Q(staff_memberships__merchant_id__in=merchant_ids) | Q(is_superuser=True)).values("pk")
        return queryset.filter(pk__in=members)
    return queryset


def merchant_id_of(obj, path: str):
    """The merchant id of one instance through ``path`` (None when the chain is broken)."""
    if path in ("pk", "id") and _is_merchant(type(obj)):
        return obj.pk
    *hops, last = path.split("__")
    current = obj
    for hop in hops:
        current = getattr(current, hop, None)
        if current is None:
            return None
    if last in ("pk", "id"):
        return current.pk
    return getattr(current, f"{last}_id", None)
