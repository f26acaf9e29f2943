"""Parsing robustness: money is Decimal from strings (never float), junk gives neutral values,
timestamps, tracking numbers, carrier names, and parse functions that survive odd but valid orders."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tracking.stores import parsing as p
from tracking.stores.carrier_names import cafe24_company_id, company_id, fold


@pytest.mark.parametrize("value, expected", [
    ("19.99", Decimal("19.99")), (" 1,234.50 ", Decimal("1234.50")), (5, Decimal(5)), (Decimal("0.10"), Decimal("0.10")),
    ("-5.00", Decimal("-5.00")), ("0", Decimal("0")), ("", None), ("abc", None), (None, None), (True, None),
    (19.99, None), ("NaN", None), ("Infinity", None), ("1e999", None), ("9" * 41, None), ([], None), ({}, None),
])
def test_money(value, expected):
    assert p.money(value) == expected
    if expected is not None:
        assert isinstance(p.money(value), Decimal)


def test_json_numbers_are_decimals():
    document = p.loads(b'{"price": 19.99, "qty": 2, "tiny": 1e-7}')
    assert document["price"] == Decimal("19.99") and isinstance(document["price"], Decimal) and document["qty"] == 2
    assert p.money(document["price"]) == Decimal("19.99")


@pytest.mark.parametrize("value, expected", [(2, 2), ("3", 3), (Decimal("4"), 4), (Decimal("4.5"), 0), ("x", 0),
                                             (True, 0), (None, 0), (10**12, 0), ("-1", -1)])
def test_quantity(value, expected):
    assert p.quantity(value) == expected


@pytest.mark.parametrize("value, expected", [("usd", "USD"), ("KRW", "KRW"), ("XTS", "XTS"), ("EURO", ""), ("", ""),
                                             (None, ""), (840, ""), ("U$D", "")])
def test_currency(value, expected):
    assert p.currency(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("2026-11-02T10:15:02-05:00", datetime(2026, 11, 2, 15, 15, 2, tzinfo=timezone.utc)),
    ("2026-11-02T15:15:02Z", datetime(2026, 11, 2, 15, 15, 2, tzinfo=timezone.utc)),
    ("2026-11-02T15:15:02", datetime(2026, 11, 2, 15, 15, 2, tzinfo=timezone.utc)),
    ("1793750400", datetime.fromtimestamp(1793750400, tz=timezone.utc)), (1793750400, datetime.fromtimestamp(1793750400, tz=timezone.utc)),
    ("0000-00-00", None), ("yesterday", None), ("", None), (None, None), (True, None), ("9" * 30, None), (-5, None),
])
def test_when(value, expected):
    assert p.when(value) == expected


@pytest.mark.parametrize("value, number, suspicious", [
    ("1Z999AA10123456784", "1Z999AA10123456784", False), (" 651234567893 ", "651234567893", False),
    ("4081 2345 6789", "4081 2345 6789", True), ("123", "123", True), ("송장번호없음", "송장번호없음", True),
    ("AB-12/34", "AB-12/34", True), ("", "", True), (None, "", True), (12345678, "12345678", False),
])
def test_tracking_numbers_are_kept_but_flagged(value, number, suspicious):
    assert p.tracking_number(value) == (number, suspicious)


def test_ids():
    assert p.ident("gid://shopify/Order/123") == "123" and p.ident(456) == "456" and p.ident(None) == ""
    assert p.opt_ident(0) is None and p.opt_ident("0") is None and p.opt_ident(None) is None and p.opt_ident(7) == "7"
    assert p.ident(True) == ""


@pytest.mark.parametrize("name, company", [
    ("UPS", "ups"), ("ups ground", "ups"), ("USPS", "usps"), ("U.S. Postal Service", "usps"), ("FedEx", "fedex"),
    ("Federal Express", "fedex"), ("DHL Express", "dhl"), ("DHL eCommerce", "dhl"), ("CJ대한통운", "kr.cjlogistics"),
    ("CJ 대한통운", "kr.cjlogistics"), ("ＣＪ대한통운", "kr.cjlogistics"), ("대한통운", "kr.cjlogistics"),
    ("CJ Logistics", "kr.cjlogistics"), ("cj-gls", "kr.cjlogistics"), ("한진택배", "kr.hanjin"), ("한진", "kr.hanjin"),
    ("Hanjin", "kr.hanjin"), ("롯데택배", "kr.lotte"), ("Lotte Global Logistics", "kr.lotte"), ("Lotte", "kr.lotte"),
    ("현대택배", "kr.lotte"), ("우체국택배", "kr.epost"), ("우체국", "kr.epost"), ("Korea Post", "kr.epost"),
    ("korea-post", "kr.epost"), ("로젠택배", "kr.logen"), ("Logen", "kr.logen"), ("쿠팡", "kr.coupangls"),
    ("Coupang Logistics Services", "kr.coupangls"), ("CU 편의점택배", "kr.cupost"), ("GS Postbox 택배", "kr.cvsnet"),
    ("경동택배", "kr.kdexp"), ("대신택배", "kr.daesin"), ("합동택배", "kr.hdexp"), ("일양로지스", "kr.ilyanglogis"),
    ("Some Local Courier", ""), ("택배", ""), ("", ""), (None, ""), ("x" * 200, ""), ("Logistics", ""),
])
def test_carrier_names(name, company):
    assert company_id(name) == company


def test_fold_ignores_case_width_and_punctuation():
    assert fold("CJ 대한통운") == fold("cj대한통운") == fold("ＣＪ-대한통운")


def test_cafe24_codes_resolve_by_name_table_or_override():
    table = {"0006": "CJ대한통운", "0099": "우체국택배"}
    assert cafe24_company_id("0006", "", mall_carriers=table) == "kr.cjlogistics"
    assert cafe24_company_id("0099", "롯데택배", mall_carriers=table) == "kr.lotte"  # the name sent with it wins
    assert cafe24_company_id("0042", "", overrides={"0042": "kr.logen"}) == "kr.logen"
    assert cafe24_company_id("0123", "") == "" and cafe24_company_id(None, None) == ""


# --- odd but valid orders -------------------------------------------------------------------------
def test_shopify_order_with_no_lines_and_unknown_currency():
    from tracking.stores.shopify.parse import parse_rest_order

    order = parse_rest_order({"id": 1, "currency": "XTS", "presentment_currency": "ZZZ", "line_items": [],
                              "total_price": "0.00", "financial_status": "weird", "fulfillment_status": "also_weird"})
    assert order.lines == () and order.currency == "XTS" and order.presentment_currency == "ZZZ"
    assert order.financial_status == "unknown" and order.fulfilment_status == "unknown"
    assert order.presentment_totals is None and order.totals.total == Decimal("0.00")


def test_shopify_order_with_junk_money_and_lines():
    from tracking.stores.shopify.parse import parse_rest_order

    order = parse_rest_order({"id": "2", "total_price": 12.5, "line_items": [
        {"id": 3, "price": "abc", "quantity": "x"}, "not a line", {"no": "id"}], "fulfillments": "nope", "refunds": [1]})
    assert order.totals.total == Decimal("0") and len(order.lines) == 1
    assert order.lines[0].unit_price == Decimal("0") and order.lines[0].quantity == 0
    assert order.fulfilments == () and order.refunds == ()


def test_woocommerce_zero_quantity_line_does_not_divide_by_zero():
    from tracking.stores.woocommerce.parse import parse_order

    order = parse_order({"id": 5, "currency": "USD", "line_items": [{"id": 1, "quantity": 0, "subtotal": "5.00",
                                                                      "price": "5.00"}]})
    assert order.lines[0].unit_price == Decimal("5.00") and order.customer is None


def test_cafe24_order_without_anyone():
    from tracking.stores.cafe24.parse import parse_order

    order = parse_order({"order_id": "20261101-0000001", "items": [], "currency": "KRW"})
    assert order.customer is None and order.lines == () and order.shipping_address is None
    assert order.totals.total == Decimal("0") and order.financial_status == "unknown"


@pytest.mark.parametrize("document", [{}, {"id": None}, {"id": 1, "line_items": "x"}, [], "x"])
def test_shopify_parse_raises_value_error_on_the_wrong_shape(document):
    from tracking.stores.shopify.parse import parse_rest_order

    with pytest.raises(ValueError):
        parse_rest_order(document)
