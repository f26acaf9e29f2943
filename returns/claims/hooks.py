"""PARCEL_ACTIONS: "Report a problem" on the tracking page, for a parcel where a claim applies now
(lost, damaged, delivered: missing items or not received) and something is left to report; once
everything is reported, "See your claim"."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from returns.claims.services import claim_policy_for, claimability
from returns.models import RequestKind, ReturnRequest, ReturnStatus
from returns.tokens import return_token
from tracking.carriers import status as st
from tracking.models import Shipment

# Statuses where a claim can apply at all (claimability decides the rest); others cost no query.
MAYBE = frozenset({st.DELIVERED, st.EXCEPTION, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.EXPIRED})


def claim_actions(order, token: str, parcel) -> list[tuple[str, str]]:
    if parcel.status not in MAYBE:
        return []
    shipment = (Shipment.objects.select_related("merchant", "order")
                .filter(order_id=order.pk, tracking_number=parcel.tracking_number, is_return=False).first())
    if shipment is None:
        return []
    state = claimability(shipment=shipment, policy=claim_policy_for(order.merchant))
    if not state.open:
        # Everything reported: lead to the latest claim instead (its state, what happens next).
        latest = (ReturnRequest.objects.filter(claim_shipment=shipment, kind=RequestKind.CLAIM)
                  .exclude(status=ReturnStatus.REJECTED).order_by("-created_at").values_list("pk", flat=True).first())
        return [(_("See your claim"), reverse("returns:detail", args=[return_token(latest)]))] if latest else []
    label = _("Report a lost parcel") if state.types == ("lost",) else _("Report a problem")
    return [(label, reverse("returns:claim", args=[token, parcel.tracking_number]))]
