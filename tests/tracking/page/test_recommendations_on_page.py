"""The tracking page shows "You may also like" and the merchant's offer, within the page's CSP."""
import pytest
from django.utils import timezone

from tests.factories import OrderLineFactory, ProductVariantFactory
from tracking.recommendations.models import OfferImpression, PostPurchaseOffer
from tracking.recommendations.training import recommendations_train

from tests.support.page import add_events, order_link
from tracking.carriers import status as st

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(order, shipment):
    """A second product bought with the first one elsewhere, so the model recommends it."""
    bought = order.lines.first().variant.product
    other = ProductVariantFactory(product__merchant=order.merchant, product__title="Matching pillow", stock=5)
    for n in range(3):
        line = OrderLineFactory(order__merchant=order.merchant, order__number=f"PAST-{n}",
                                variant=bought.variants.first())
        OrderLineFactory(order=line.order, variant=other)
    recommendations_train(merchant_id=order.merchant_id, now=timezone.now())
    return other


def test_page_shows_recommendations_and_the_offer_once(client, order, shipment, catalogue):
    add_events(shipment, st.INFO_RECEIVED, st.IN_TRANSIT)
    PostPurchaseOffer.objects.create(merchant=order.merchant, active=True, headline="10% off your next order",
                                     code="THANKS10", valid_days=30)
    link = order_link(order)
    first = client.get(link).content.decode()
    assert "You may also like" in first and "Matching pillow" in first and "/r/" in first
    assert "THANKS10" in first
    assert "<style" not in first  # the page's CSP allows no inline styles
    second = client.get(link).content.decode()
    assert "THANKS10" not in second  # shown once per order, even though the page is cached
    assert "Matching pillow" in second
    assert OfferImpression.objects.filter(order=order).count() == 1


def test_new_event_rerenders_the_page_but_reuses_the_recommendation_block(client, order, shipment, catalogue,
                                                                          django_capture_on_commit_callbacks):
    """The block is cached per order (DOORSTEP_RECS_PAGE_CACHE_SECONDS): the same products, the same
    click links, one impression; with the cache off every render is a new impression."""
    from tracking.recommendations.models import RecommendationImpression

    link = order_link(order)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(link).content.decode()
        add_events(shipment, st.OUT_FOR_DELIVERY)
        second = client.get(link).content.decode()
    assert "Arriving today" in second and "Arriving today" not in first
    links = lambda html: sorted(set(html.split('href="/r/')[1:]))  # noqa: E731
    assert links(first) == links(second) and "Matching pillow" in second
    assert RecommendationImpression.objects.filter(order=order).count() == 1


def test_recommendation_block_cache_can_be_switched_off(client, order, shipment, catalogue, settings,
                                                         django_capture_on_commit_callbacks):
    from tracking.recommendations.models import RecommendationImpression

    settings.DOORSTEP_RECS_PAGE_CACHE_SECONDS = 0
    link = order_link(order)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(link)
        add_events(shipment, st.OUT_FOR_DELIVERY)
        client.get(link)
    assert RecommendationImpression.objects.filter(order=order).count() == 2
