"""The shopper's server-side draft between the steps of the returns portal."""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tracking.models import Order

from returns.models import ReturnDraft

DRAFT_MAX_AGE = timedelta(days=1)


@transaction.atomic
def return_draft_create(*, order: Order) -> ReturnDraft:
    return ReturnDraft.objects.create(merchant_id=order.merchant_id, order=order)


@transaction.atomic
def return_draft_update(*, draft: ReturnDraft, **changes) -> ReturnDraft:
    locked = ReturnDraft.objects.select_for_update().get(pk=draft.pk)
    locked.data = {**locked.data, **changes}
    locked.save(update_fields=["data", "updated_at"])
    draft.data = locked.data
    return draft


def draft_is_fresh(draft: ReturnDraft) -> bool:
    return draft.created_at >= timezone.now() - DRAFT_MAX_AGE
