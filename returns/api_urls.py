"""returns' routes under /api/v1/ (mounted by config/api_urls.py)."""
from django.urls import path

from returns import api
from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>

urlpatterns = [
    path("returns/", api.ReturnListApi.as_view(), name="api-returns"),
    path("returns/<ident:rma>/", api.ReturnDetailApi.as_view(), name="api-return-detail"),
    path("store-credit/<ident:code>/", api.CreditBalanceApi.as_view(), name="api-store-credit"),
    path("store-credit/<ident:code>/redeem/", api.CreditRedeemApi.as_view(), name="api-store-credit-redeem"),
]
