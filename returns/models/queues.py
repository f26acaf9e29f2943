"""Work queues for support staff: proxy models so each queue is its own admin list (and permission)."""
from returns.models.requests import ReturnRequest


class NeedsReview(ReturnRequest):
    class Meta:
        proxy = True
        verbose_name = "return needing review"
        verbose_name_plural = "queue · needs review"


class AwaitingParcel(ReturnRequest):
    class Meta:
        proxy = True
        verbose_name = "return awaiting the parcel"
        verbose_name_plural = "queue · awaiting the parcel"


class ToInspect(ReturnRequest):
    class Meta:
        proxy = True
        verbose_name = "return to inspect"
        verbose_name_plural = "queue · to inspect"


class ToRefund(ReturnRequest):
    class Meta:
        proxy = True
        verbose_name = "return to refund"
        verbose_name_plural = "queue · to refund or credit"
