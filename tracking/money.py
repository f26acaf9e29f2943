"""Money helpers: ISO 4217 currency codes and Decimal quantisation. Money is never a float."""
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Active ISO 4217 codes (list maintained by SIX on behalf of ISO).
CURRENCY_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)
# Currencies whose minor unit is not hundredths.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "PYG": 0, "XAF": 0, "XOF": 0,
                "XPF": 0, "BIF": 0, "DJF": 0, "GNF": 0, "KMF": 0, "RWF": 0, "VUV": 0,
                "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3}


def validate_currency(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": value})


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (half up, as shops and payment providers do)."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


# Symbols shown before the amount; a currency without one reads "12.50 CHF".
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "KRW": "₩", "CNY": "¥", "AUD": "A$", "CAD": "CA$",
            "HKD": "HK$", "SGD": "S$", "TWD": "NT$", "INR": "₹"}


def format_money(amount, currency: str, language: str | None = None) -> str:
    """The one way shopper pages and emails write an amount, per language and currency.

    ``format_money(Decimal("39543"), "KRW", "ko") == "39,543원"`` (Korean readers put won after the
    number), ``format_money(Decimal("39543"), "KRW", "en") == "₩39,543"``,
    ``format_money(Decimal("307"), "USD", "ko") == "$307.00"``. ``language`` defaults to the active one;
    ``amount`` may be a Decimal, an int or the string a JSON-safe email context carries."""
    from django.utils.translation import get_language

    if amount is None or amount == "":
        return ""
    try:
        value = quantize(Decimal(str(amount)), currency)
    except ArithmeticError:  # decimal.InvalidOperation: not a number, shown as given
        return f"{amount} {currency}".strip()
    language = (language or get_language() or "en").lower()
    sign, value = ("−", -value) if value < 0 else ("", value)
    number = f"{value:,.{minor_units(currency)}f}"
    if currency == "KRW" and language.startswith("ko"):
        return f"{sign}{number}원"
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"
