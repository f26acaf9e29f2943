"""GET /api/v1/edd/ — the public, read-only delivery promise for a product page.

Public by design (a product page has no credentials), so it is rate-limited per IP, cached per
(merchant, destination zone, SKU, language) and only readable cross-origin by the merchant's own
store origins. It says nothing about orders or shoppers: only the merchant's own promise.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import holidays
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from tracking.models import Merchant, ProductVariant
from tracking.edd import engine
from tracking.edd.formatting import get_it_by
from tracking.edd.promise import next_cutoff
from tracking.edd.zones import InvalidPostalCode, normalize_country, normalize_postal_code, zone_for
from tracking.page.ratelimit import client_ip

_SUPPORTED_COUNTRIES = frozenset(holidays.list_supported_countries())


class EddThrottle(AnonRateThrottle):
    scope = "edd"

    def get_rate(self):
        return settings.DOORSTEP_EDD_API_RATE

    def get_ident(self, request):
        # The lookup's rule (trusted proxy hops), not a client-supplied X-Forwarded-For.
        return client_ip(request)


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme in ("http", "https") and parts.netloc else ""


def allowed_origins(merchant: Merchant) -> set[str]:
    shipping = engine.shipping_settings_for(merchant)
    found = {_origin(merchant.store_url)} | {_origin(line) for line in shipping.extra_allowed_origins.splitlines()}
    return found - {""}


class EddApi(APIView):
    authentication_classes: list = []  # anonymous by design; no session, so no CSRF surface
    permission_classes = [AllowAny]
    throttle_classes = [EddThrottle]

    class InputSerializer(serializers.Serializer):
        merchant = serializers.SlugField(max_length=50)
        postal_code = serializers.CharField(max_length=20)
        country = serializers.CharField(max_length=2)
        sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
        lang = serializers.ChoiceField(choices=["en", "ko"], required=False)

        def validate(self, attrs):
            try:
                country = normalize_country(attrs["country"])
                if country not in _SUPPORTED_COUNTRIES:
                    raise InvalidPostalCode("unsupported country")
                attrs["country"] = country
                attrs["postal_code"] = normalize_postal_code(attrs["postal_code"], country)
            except InvalidPostalCode as exc:
                raise serializers.ValidationError({"postal_code": [str(exc)]}) from exc
            return attrs

    class OutputSerializer(serializers.Serializer):
        merchant = serializers.CharField()
        country = serializers.CharField()
        postal_code = serializers.CharField()
        window_start = serializers.DateField()
        window_end = serializers.DateField()
        most_likely = serializers.DateField()
        confidence = serializers.FloatField()
        basis = serializers.CharField()
        order_by = serializers.DateTimeField(help_text="Order before this moment for this window.")
        lang = serializers.CharField()
        message = serializers.CharField()
        window_message = serializers.CharField()
        in_stock = serializers.BooleanField(allow_null=True)

    @extend_schema(parameters=[InputSerializer], responses={200: OutputSerializer}, auth=[],
                   summary="Estimated delivery for a postal code (public, for product pages)")
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        merchant = Merchant.objects.select_related("shipping_settings").filter(slug=data["merchant"]).first()
        if merchant is None:
            raise Http404("unknown merchant")
        in_stock = None
        if data.get("sku"):
            variant = ProductVariant.objects.filter(merchant=merchant, sku=data["sku"]).only("stock").first()
            if variant is None:
                raise Http404("unknown product")
            in_stock = variant.stock > 0
        lang = data.get("lang") or (request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("en", "ko") else "en")
        body = self._promise(merchant, data["country"], data["postal_code"], lang)
        response = Response({**body, "postal_code": data["postal_code"], "in_stock": in_stock})
        response["Cache-Control"] = "public, max-age=60"
        response["Vary"] = "Origin, Accept-Language"
        origin = request.headers.get("Origin", "")
        if origin and origin.lower() in allowed_origins(merchant):
            response["Access-Control-Allow-Origin"] = origin
        return response

    def _promise(self, merchant: Merchant, country: str, postal_code: str, lang: str) -> dict:
        zone = zone_for(country, postal_code)
        shipping = engine.shipping_settings_for(merchant)
        # Versioned by both rows' updated_at: editing the cut-off or warehouse shows at once.
        version = f"{merchant.updated_at.timestamp()}:{shipping.updated_at.timestamp() if shipping.updated_at else 0}"
        key = f"edd:api:v1:{merchant.pk}:{version}:{zone}:{lang}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        now = timezone.now()
        prediction = engine.promise_for(merchant=merchant, destination_country=country,
                                        destination_postal_code=postal_code, ordered_at=now)
        cutoff = next_cutoff(now, engine.handling_policy(merchant, shipping), merchant.country)
        body = self.OutputSerializer({
            "merchant": merchant.slug, "country": country, "postal_code": postal_code,
            "window_start": prediction.window_start, "window_end": prediction.window_end,
            "most_likely": prediction.most_likely, "confidence": prediction.confidence, "basis": prediction.basis,
            "order_by": cutoff, "lang": lang, **get_it_by(prediction, lang), "in_stock": None,
        }).data
        # Never serve a promise past the cut-off it was computed for.
        ttl = min(settings.DOORSTEP_EDD_API_CACHE_SECONDS, int((cutoff - now).total_seconds()))
        if ttl > 0:
            cache.set(key, dict(body), ttl)
        return body
