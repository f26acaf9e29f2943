"""Prices for shopper pages: the one money formatter (tracking.money.format_money) under its old name."""
from decimal import Decimal

from tracking.money import format_money


def format_price(amount: Decimal, currency: str, language: str = "en") -> str:
    """``format_price(Decimal("25000"), "KRW", "ko") == "25,000원"``; ``(Decimal("12.5"), "USD") == "$12.50"``."""
    return format_money(amount, currency, language)
