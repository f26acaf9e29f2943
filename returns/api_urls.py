"""returns' routes under /api/v1/ (mounted by config/api_urls.py)."""
from django.urls import path

from returns import api

urlpatterns = [
    path("returns/", api.ReturnListApi.as_view(), name="api-returns"),
    path("returns/<str:rma>/", api.ReturnDetailApi.as_view(), name="api-return-detail"),
    path("store-credit/<str:code>/", api.CreditBalanceApi.as_view(), name="api-store-credit"),
    path("store-credit/<str:code>/redeem/", api.CreditRedeemApi.as_view(), name="api-store-credit-redeem"),
]
