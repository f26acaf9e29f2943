"""Post-purchase offer: once per order, hidden while the order is troubled (parcel or registered app)."""
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.utils import timezone

from tests.factories import ShipmentFactory
from tracking.carriers import status as st
from tracking.models import OfferImpression, PostPurchaseOffer, Shipment
from tracking import extensions
from tracking.recommendations import troubles
from tracking.recommendations.selectors import post_purchase_offer_for_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(shop):
    return PostPurchaseOffer.objects.create(
        merchant=shop.merchant, headline="10% off your next order", headline_ko="다음 주문 10% 할인",
        discount_text="On everything", code="THANKS10", valid_days=14)


@pytest.fixture
def shop_order(shop):
    shop.product("Tent")
    return shop.buy(shop.customer(), "Tent")


def test_shown_once_per_order(offer, shop_order, shop):
    shown = post_purchase_offer_for_order(order=shop_order, language="en")
    assert shown.headline == "10% off your next order" and shown.code == "THANKS10"
    assert shown.valid_until == timezone.localdate() + timedelta(days=14)
    assert post_purchase_offer_for_order(order=shop_order) is None
    assert OfferImpression.objects.filter(offer=offer, order=shop_order).count() == 1
    # another order of the same shopper gets it once too
    assert post_purchase_offer_for_order(order=shop.buy(shop_order.customer, "Tent")) is not None


def test_unique_per_offer_and_order_in_the_database(offer, shop_order):
    OfferImpression.objects.create(merchant=shop_order.merchant, offer=offer, order=shop_order)
    with pytest.raises(IntegrityError):
        OfferImpression.objects.create(merchant=shop_order.merchant, offer=offer, order=shop_order)


def test_korean_text_and_partial(offer, shop_order):
    shown = post_purchase_offer_for_order(order=shop_order, language="ko")
    assert shown.headline == "다음 주문 10% 할인"
    assert shown.discount_text == "On everything"  # no Korean text given: English
    html = render_to_string("tracking/partials/post_purchase_offer.html", {"offer": shown})
    assert "THANKS10" in html and "다음 주문 10% 할인" in html
    assert render_to_string("tracking/partials/post_purchase_offer.html", {"offer": None}).strip() == ""


@pytest.mark.parametrize("status", [st.EXCEPTION, st.FAILED_ATTEMPT, st.RETURNED_TO_SENDER])
def test_hidden_while_a_parcel_is_in_trouble_then_shown_once_resolved(offer, shop_order, status):
    shipment = ShipmentFactory(order=shop_order)
    Shipment.objects.filter(pk=shipment.pk).update(status=status)
    assert post_purchase_offer_for_order(order=shop_order) is None
    assert not OfferImpression.objects.exists()  # nothing recorded: it can still be shown later
    Shipment.objects.filter(pk=shipment.pk).update(status=st.DELIVERED)
    assert post_purchase_offer_for_order(order=shop_order) is not None


def test_return_parcels_and_healthy_parcels_do_not_count(offer, shop_order):
    ret = ShipmentFactory(order=shop_order, is_return=True)
    Shipment.objects.filter(pk=ret.pk).update(status=st.EXCEPTION)
    ok = ShipmentFactory(order=shop_order)
    Shipment.objects.filter(pk=ok.pk).update(status=st.IN_TRANSIT)
    assert post_purchase_offer_for_order(order=shop_order) is not None


def test_merchant_can_show_it_to_troubled_orders(offer, shop_order):
    offer.show_when_order_troubled = True
    offer.save()
    shipment = ShipmentFactory(order=shop_order)
    Shipment.objects.filter(pk=shipment.pk).update(status=st.EXCEPTION)
    with extensions.ORDER_TROUBLES.registered(lambda order_id: True, key="test.open_return"):
        assert post_purchase_offer_for_order(order=shop_order) is not None


def test_registered_predicate_hides_the_offer(offer, shop_order):
    seen = []

    def open_return(order_id):
        seen.append(order_id)
        return order_id == shop_order.pk

    with extensions.ORDER_TROUBLES.registered(open_return, key="test.open_return"):
        assert post_purchase_offer_for_order(order=shop_order) is None
    assert seen == [shop_order.pk]
    assert post_purchase_offer_for_order(order=shop_order) is not None  # unregistered after the block


def test_failing_predicate_counts_as_trouble(offer, shop_order):
    def broken(order_id):
        raise RuntimeError("returns database unavailable")

    with extensions.ORDER_TROUBLES.registered(broken, key="test.broken"):
        assert post_purchase_offer_for_order(order=shop_order) is None


def test_registry_replaces_by_name():
    with extensions.ORDER_TROUBLES.registered(lambda order_id: True, key="test.p"):
        extensions.ORDER_TROUBLES.register(lambda order_id: False, key="test.p")
        assert troubles.registered_trouble(1) is None
        extensions.ORDER_TROUBLES.register(lambda order_id: True, key="test.p")
        assert troubles.registered_trouble(1) == "test.p"
    assert troubles.registered_trouble(1) is None


def test_inactive_offer_or_other_merchants_offer_is_not_shown(offer, shop_order):
    offer.active = False
    offer.save()
    assert post_purchase_offer_for_order(order=shop_order) is None
    from tests.factories import MerchantFactory
    PostPurchaseOffer.objects.create(merchant=MerchantFactory(), headline="Other shop", code="OTHER")
    assert post_purchase_offer_for_order(order=shop_order) is None


def test_one_active_offer_per_merchant(offer, shop):
    with pytest.raises(IntegrityError):
        PostPurchaseOffer.objects.create(merchant=shop.merchant, headline="Second", code="TWO")
