"""Pure helpers: quiet hours for promotional texts, EUC-KR lengths, phone numbers, the message contract."""
import datetime as dt

import pytest

from tracking.notifications.providers import policy
from tracking.notifications.providers.base import MessageTemplate, TextMessage, check_variables
from tracking.notifications.providers.text import (
    InvalidPhoneNumber,
    euc_kr_bytes,
    korean_national,
    normalize_phone,
    plain_text_kind,
)

UTC = dt.timezone.utc


def seoul(hour, minute=0, day=25):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.mark.parametrize("kind", ["alimtalk", "sms", "lms", "whatsapp"])
def test_transactional_messages_may_go_any_time(kind):
    assert policy.may_send_at(seoul(23), kind) and policy.category(kind) == "transactional"


def test_promotional_texts_wait_for_eight_in_seoul():
    assert policy.earliest_send_time(seoul(22), "sms", promotional=True) == seoul(8, day=26)
    assert policy.earliest_send_time(seoul(7, 59), "lms", promotional=True) == seoul(8)
    assert policy.may_send_at(seoul(20, 59), "sms", promotional=True)
    assert not policy.may_send_at(seoul(21), "sms", promotional=True)
    at = dt.datetime(2026, 11, 25, 13, 30, tzinfo=UTC)  # 22:30 in Seoul
    assert policy.earliest_send_time(at, "whatsapp", promotional=True) == dt.datetime(2026, 11, 25, 23, tzinfo=UTC)


def test_promotional_alimtalk_is_refused():
    with pytest.raises(ValueError):
        policy.category("alimtalk", promotional=True)
    with pytest.raises(ValueError):
        TextMessage(to="+821012345678", kind="alimtalk", template_code="x", promotional=True)


def test_euc_kr_lengths_and_kinds():
    assert euc_kr_bytes("배송 완료 ABC") == 4 * 2 + 1 + 3 + 1
    assert euc_kr_bytes("📦") == 2  # not in EUC-KR: counted as 2
    assert plain_text_kind("가" * 45) == "sms" and plain_text_kind("가" * 45 + "a") == "lms"


@pytest.mark.parametrize("raw, e164", [
    ("010-1234-5678", "+821012345678"), ("+82 10 1234 5678", "+821012345678"), ("0082-10-1234-5678", "+821012345678"),
    ("+1 (415) 523-8886", "+14155238886"), ("02-1234-5678", "+82212345678"),
])
def test_normalize_phone(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "12345", "phone", "+0123456789", "1012345678"])
def test_not_phone_numbers(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(raw)


def test_korean_national():
    assert korean_national("+821012345678") == "01012345678"
    with pytest.raises(InvalidPhoneNumber):
        korean_national("+14155238886")


def test_template_declares_its_variables_from_its_text():
    template = MessageTemplate(code="t", text="#{name}님 #{order} 배송 시작", variables=frozenset({"extra"}))
    assert template.variables == {"name", "order", "extra"} and template.template_id == "t"
    assert template.render({"#{name}": "민지", "order": "HK-1", "extra": "-"}) == "민지님 HK-1 배송 시작"
    assert check_variables(template, {"#{name}": "민지", "order": "HK-1", "extra": 3}) == {
        "name": "민지", "order": "HK-1", "extra": "3"}


def test_alimtalk_needs_a_template_and_kinds_are_checked():
    with pytest.raises(ValueError):
        TextMessage(to="+821012345678", kind="alimtalk")
    with pytest.raises(ValueError):
        TextMessage(to="+821012345678", kind="rcs")
