"""Prices for shopper pages: the currency's minor unit, grouping, and where the symbol goes."""
from decimal import Decimal

from tracking.money import minor_units, quantize

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "KRW": "₩", "CNY": "¥", "AUD": "A$", "CAD": "CA$",
            "HKD": "HK$", "SGD": "S$", "TWD": "NT$", "INR": "₹"}


def format_price(amount: Decimal, currency: str, language: str = "en") -> str:
    """``format_price(Decimal("25000"), "KRW", "ko") == "25,000원"``; ``(Decimal("12.5"), "USD") == "$12.50"``."""
    amount = quantize(amount, currency)
    number = f"{amount:,.{minor_units(currency)}f}"
    if currency == "KRW" and language.startswith("ko"):
        return f"{number}원"  # Korean shoppers read won as a suffix
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"
