"""The shopper's side of claims: "Report a problem" on the tracking page only where a claim applies,
"Start a return" only when something is returnable, and the claim form — a claim in a few taps, bad
input answered in the shopper's language with nothing written."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from returns.claims.services import claim_policy_ensure
from returns.models import ReturnPhoto, ReturnRequest, ReturnStatus
from tests.support.claims import jpeg, not_an_image, parcel_order
from tests.support.page import order_link
from tracking.carriers import status as st
from tracking.tokens import make_token

pytestmark = pytest.mark.django_db


def claim_url(order, shipment):
    return reverse("returns:claim", args=[make_token("order", {"o": order.pk}), shipment.tracking_number])


def links_to_claim(html, order, shipment) -> bool:
    """The page links to this parcel's claim form with a token for this order (the token's signing
    second may differ from the test's own)."""
    payload = make_token("order", {"o": order.pk}).split(":")[0]
    return re.search(rf'/returns/claim/{re.escape(payload)}:[^/"]+/{re.escape(shipment.tracking_number)}/', html) is not None


def form_data(client, url, **answers):
    """The form as served (its one-time key) with the shopper's ``answers``."""
    page = client.get(url)
    assert page.status_code == 200
    return {"key": page.context["form"]["key"].value(), **answers}


# --- The tracking page -------------------------------------------------------------------------------
def test_a_delivered_parcel_offers_report_a_problem_after_the_proof(client, merchant):
    order, _shipment = parcel_order(merchant)
    html = client.get(order_link(order)).content.decode()
    assert "Report a problem" in html and 'class="parcel-actions"' in html
    assert "Start a return" in html


def test_a_parcel_on_its_way_offers_neither_a_claim_nor_a_return(client, merchant):
    order, _shipment = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=1)
    html = client.get(order_link(order)).content.decode()
    assert "Report a problem" not in html and "Report a lost parcel" not in html
    assert "Start a return" not in html  # nothing delivered: the portal would only say "not delivered yet"


def test_long_after_delivery_neither_a_claim_nor_a_return_is_offered(client, merchant):
    order, _shipment = parcel_order(merchant, days_ago=90)
    html = client.get(order_link(order)).content.decode()
    assert "Report a problem" not in html and "Start a return" not in html


def test_a_parcel_silent_for_long_may_be_reported_lost(client, merchant):
    policy = claim_policy_ensure(merchant=merchant)
    order, shipment = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=policy.lost_after_days + 1)
    html = client.get(order_link(order)).content.decode()
    assert "This parcel has not moved for a long time." in html and links_to_claim(html, order, shipment)
    assert "Report a lost parcel" in html


def test_a_lost_parcel_leads_its_notice_with_the_claim(client, merchant):
    order, shipment = parcel_order(merchant, status=st.EXCEPTION, reason="lost", days_ago=1)
    html = client.get(order_link(order)).content.decode()
    notice = html[html.index("banner-exception"):]
    assert notice.index("Report a lost parcel") < notice.index("</div>")
    assert links_to_claim(html, order, shipment)


def test_a_fully_reported_parcel_no_longer_offers_the_claim(client, merchant):
    order, shipment = parcel_order(merchant)
    url = claim_url(order, shipment)
    data = form_data(client, url, claim_type="not_received", resolution="refund",
                     **{f"qty_{line.pk}": line.quantity for line in order.lines.all()})
    response = client.post(url, data)
    assert response.status_code == 302
    html = client.get(order_link(order)).content.decode()
    assert "Report a problem" not in html
    assert "See your claim" in html and 'href="/returns/r/' in html


# --- The claim form ----------------------------------------------------------------------------------
def test_the_shopper_reports_damage_with_a_photo_and_sees_the_claim(client, merchant):
    order, shipment = parcel_order(merchant)
    url = claim_url(order, shipment)
    line = order.lines.get(quantity=2)
    data = form_data(client, url, claim_type="damaged", resolution="store_credit", note="Box crushed",
                     **{f"qty_{line.pk}": 1}, photos=[jpeg()])
    response = client.post(url, data)
    rr = ReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"].startswith("/returns/r/")
    assert rr.kind == "claim" and rr.claim_type == "damaged" and rr.status == ReturnStatus.REQUESTED
    assert rr.items_total == Decimal(12500) and rr.photos.count() == 1 and rr.comment == "Box crushed"
    page = client.get(response["Location"]).content.decode()
    assert f"Claim {rr.rma}" in page and "Arrived damaged" in page and "Nothing needs to be sent back" in page


def test_the_form_offers_only_what_applies(client, merchant):
    policy = claim_policy_ensure(merchant=merchant)
    policy.allow_replacement = False
    policy.save()
    order, shipment = parcel_order(merchant, status=st.EXCEPTION, reason="lost", days_ago=1)
    form = client.get(claim_url(order, shipment)).context["form"]
    assert [code for code, _label in form.fields["claim_type"].choices] == ["lost"]
    assert [code for code, _label in form.fields["resolution"].choices] == ["refund", "store_credit"]


@pytest.mark.parametrize("lang, expected", [("en", "at most 2"), ("ko", "최대 2")])
def test_more_than_shipped_is_refused_in_the_shoppers_language(client, merchant, lang, expected):
    order, shipment = parcel_order(merchant)
    url = claim_url(order, shipment)
    line = order.lines.get(quantity=2)
    data = form_data(client, url, claim_type="missing_items", resolution="refund", **{f"qty_{line.pk}": 5})
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert expected in " ".join(response.context["form"].non_field_errors())
    assert ReturnRequest.objects.count() == 0


@pytest.mark.parametrize("lang, expected", [("en", "already reported"), ("ko", "이미 신고")])
def test_the_same_items_twice_are_refused_in_the_shoppers_language(client, merchant, lang, expected):
    order, shipment = parcel_order(merchant)
    url = claim_url(order, shipment)
    line = order.lines.get(quantity=1)
    first = form_data(client, url, claim_type="not_received", resolution="refund", **{f"qty_{line.pk}": 1})
    second = form_data(client, url, claim_type="not_received", resolution="refund", **{f"qty_{line.pk}": 1})
    assert client.post(url, first).status_code == 302
    other = order.lines.get(quantity=2)
    second[f"qty_{other.pk}"] = 0
    # The stale form still carries the already-reported line.
    response = client.post(url, {**second}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert ReturnRequest.objects.count() == 1
    assert expected in response.content.decode() or expected in " ".join(response.context["form"].non_field_errors())


@pytest.mark.parametrize("lang, expected", [("en", "Upload a JPEG, PNG or WebP photo"), ("ko", "사진을 올려 주세요")])
def test_a_file_that_is_not_an_image_is_refused_in_the_shoppers_language(client, merchant, lang, expected):
    order, shipment = parcel_order(merchant)
    url = claim_url(order, shipment)
    data = form_data(client, url, claim_type="damaged", resolution="refund",
                     **{f"qty_{line.pk}": 1 for line in order.lines.all()}, photos=[not_an_image("x.png")])
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert any(expected in error for error in response.context["form"].errors["photos"])
    assert ReturnRequest.objects.count() == 0 and ReturnPhoto.objects.count() == 0


@pytest.mark.parametrize("lang, expected", [("en", "still on its way"), ("ko", "배송 중")])
def test_a_parcel_still_on_its_way_cannot_be_claimed(client, merchant, lang, expected):
    order, shipment = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=1)
    response = client.post(claim_url(order, shipment), {"claim_type": "lost"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400 and expected in response.content.decode()
    assert ReturnRequest.objects.count() == 0


@pytest.mark.parametrize("lang, expected", [("en", "ended on"), ("ko", "기간")])
def test_after_the_window_the_page_says_when_it_ended(client, merchant, lang, expected):
    order, shipment = parcel_order(merchant, days_ago=45)
    response = client.get(claim_url(order, shipment), HTTP_ACCEPT_LANGUAGE=lang)
    assert expected in response.content.decode()
    assert "<form" not in response.content.decode().split("lang-switch")[-1].split("</form>", 1)[-1]


def test_a_forged_link_or_another_orders_parcel_is_not_found(client, merchant):
    order, _shipment = parcel_order(merchant)
    _other, foreign = parcel_order(merchant)
    assert client.get(reverse("returns:claim", args=["forged", foreign.tracking_number])).status_code == 404
    assert client.get(claim_url(order, foreign)).status_code == 404


def test_the_returns_portal_never_offers_a_continue_that_goes_nowhere(client, merchant):
    from returns.services import return_policy_ensure

    return_policy_ensure(merchant=merchant)
    order, _shipment = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=1)
    response = client.get(reverse("returns:order", args=[make_token("order", {"o": order.pk})]), follow=True)
    html = response.content.decode()
    assert "Nothing in this order can be returned right now" in html
    assert ">Continue<" not in html and order_link(order) in html


def test_a_rejected_claim_promises_no_amount(client, merchant, admin_user):
    from returns.services.workflow import return_reject

    order, shipment = parcel_order(merchant)
    url = claim_url(order, shipment)
    line = order.lines.get(quantity=2)
    response = client.post(url, form_data(client, url, claim_type="missing_items", resolution="store_credit",
                                          **{f"qty_{line.pk}": 1}))
    rr = return_reject(rr=ReturnRequest.objects.get(), by=admin_user, reason="The parcel was signed for.")
    page = client.get(response["Location"]).content.decode()
    summary = page.split('class="summary"')[1].split("</dl>")[0]
    # The page once showed "Store credit ₩12,500" beside "rejected": the shopper is owed nothing.
    assert "Asked for" in summary and "Store credit" in summary
    assert 'class="total"' not in summary and "12,500" not in summary
    assert rr.status == ReturnStatus.REJECTED
