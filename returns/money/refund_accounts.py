"""Refund accounts for bank-transfer payments (Toss virtual accounts, 가상계좌): a refund of such a
payment is paid by bank transfer to an account the shopper names (Toss ``refundReceiveAccount``).

The returns portal asks for it when the order's payment needs one (the gateway says so, asked once
per payment and remembered); the account number and holder are stored encrypted and decrypted only
to send the refund."""
from __future__ import annotations

import logging
import re

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tracking import crypto
from tracking.models import Order

from returns.models import Refund, RefundAccount, ReturnRequest
from returns.payments.base import BankAccount, GatewayError
from returns.payments.registry import UnknownGateway, gateway_for_merchant

logger = logging.getLogger(__name__)

# Toss Payments' two-digit bank codes for the banks most shoppers use.
TOSS_BANKS = [
    ("88", _("Shinhan Bank")), ("06", _("KB Kookmin Bank")), ("20", _("Woori Bank")), ("81", _("Hana Bank")),
    ("11", _("NongHyup Bank")), ("03", _("IBK Industrial Bank")), ("90", _("Kakao Bank")), ("92", _("Toss Bank")),
    ("89", _("K Bank")), ("71", _("Korea Post (우체국)")), ("23", _("SC First Bank")), ("31", _("iM Bank (Daegu)")),
    ("32", _("Busan Bank")), ("45", _("Saemaul Geumgo")),
]
ACCOUNT_RE = re.compile(r"^\d{8,20}$")
CACHE_SECONDS = 24 * 3600


def needs_refund_account(order: Order) -> bool:
    """Whether a refund of ``order``'s payment is paid to a bank account the shopper must name.
    Asked of the gateway once per payment (cached); when the gateway cannot say, False (staff can
    still add the account before refunding; the refund fails with the gateway's clear code)."""
    if not order.payment_gateway or not order.payment_reference:
        return False
    key = f"refund-account-needed:{order.merchant_id}:{order.payment_gateway}:{order.payment_reference}"
    known = cache.get(key)
    if known is not None:
        return known
    try:
        gateway = gateway_for_merchant(order.payment_gateway, merchant_id=order.merchant_id)
    except UnknownGateway:
        return False
    if not gateway.supports_balance:
        cache.set(key, False, CACHE_SECONDS)
        return False
    try:
        needed = gateway.payment_balance(order.payment_reference).needs_refund_account
    except GatewayError as exc:
        logger.info("could not ask %s about payment of order %s: %s", order.payment_gateway, order.pk, exc)
        return False
    cache.set(key, needed, CACHE_SECONDS)
    return needed


def normalize_account_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


@transaction.atomic
def refund_account_store(*, rr: ReturnRequest, bank: str, account_number: str, holder_name: str) -> RefundAccount:
    """Store (or replace) where the refund of ``rr`` is paid. Raises ValueError on a malformed number."""
    number = normalize_account_number(account_number)
    if not ACCOUNT_RE.match(number):
        raise ValueError("account number must be 8 to 20 digits")
    holder = (holder_name or "").strip()[:60]
    if not holder or not bank:
        raise ValueError("bank and account holder are required")
    account, _created = RefundAccount.objects.update_or_create(
        return_request=rr, defaults={
            "merchant_id": rr.merchant_id, "bank": bank[:4], "account_number_encrypted": crypto.encrypt(number),
            "holder_name_encrypted": crypto.encrypt(holder), "account_hint": number[-4:]})
    return account


def refund_account_for(refund: Refund) -> BankAccount | None:
    account = RefundAccount.objects.filter(return_request_id=refund.return_request_id).first()
    if account is None:
        return None
    return BankAccount(bank=account.bank, account_number=crypto.decrypt(account.account_number_encrypted),
                       holder_name=crypto.decrypt(account.holder_name_encrypted))
