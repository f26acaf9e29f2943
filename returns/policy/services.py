"""Writes to a merchant's return policy."""
from django.db import IntegrityError, transaction

from tracking.models import Merchant

from returns.models import DEFAULT_REASONS, ReturnPolicy, ReturnReason


@transaction.atomic
def return_policy_ensure(*, merchant: Merchant) -> ReturnPolicy:
    """The merchant's policy, created with sensible defaults (and the default reasons) the first time."""
    policy = ReturnPolicy.objects.filter(merchant=merchant).first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            policy = ReturnPolicy.objects.create(
                merchant=merchant,
                warehouse_name=f"{merchant.name} returns",
                warehouse_country=merchant.country,
            )
    except IntegrityError:  # created concurrently
        return ReturnPolicy.objects.get(merchant=merchant)
    ReturnReason.objects.bulk_create(
        ReturnReason(policy=policy, code=code, label=label, label_ko=label_ko, waive_restocking_fee=waive,
                     waive_shipping_fee=waive, photo_required=photo, position=i)
        for i, (code, label, label_ko, waive, photo) in enumerate(DEFAULT_REASONS)
    )
    return policy
