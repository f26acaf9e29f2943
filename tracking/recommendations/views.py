"""The click redirect: log the click, send the shopper to the merchant's store with UTM tags."""
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tracking.models import Merchant, Product

from tracking.recommendations.links import InvalidLink, read_click_token, store_destination
from tracking.recommendations.services import recommendation_click_record


def _not_found(request):
    return render(request, "tracking/recommendations/link_invalid.html", status=404)


@never_cache
@require_GET
def click_redirect(request, token: str):
    try:
        payload = read_click_token(token)
    except InvalidLink:
        return _not_found(request)
    merchant = Merchant.objects.filter(pk=payload.merchant_id).only("store_url").first()
    if merchant is None:
        return _not_found(request)
    # Scoped to the signed merchant: a product of another merchant (or one deleted since) is not followed.
    product = (Product.objects.filter(pk=payload.product_id, merchant_id=merchant.pk, is_active=True)
               .only("url").first())
    destination = store_destination(product_url=product.url if product else "", store_url=merchant.store_url,
                                    placement=payload.placement)
    if destination is None:
        return _not_found(request)
    recommendation_click_record(merchant_id=merchant.pk, impression_id=payload.impression_id,
                                product_id=product.pk if product else None, placement=payload.placement)
    return HttpResponseRedirect(destination)
