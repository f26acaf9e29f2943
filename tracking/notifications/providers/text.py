"""Pure helpers about text messages: phone numbers and how long a Korean text is.

Korean SMS are counted in EUC-KR bytes: up to 90 bytes is an SMS (a Hangul syllable is 2 bytes, ASCII
1), above that an LMS of up to 2,000 bytes with an optional subject of up to 40 bytes.
"""
from __future__ import annotations

import re

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
LMS_SUBJECT_MAX_BYTES = 40

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SEPARATORS = re.compile(r"[\s\-().]")


class InvalidPhoneNumber(ValueError):
    pass


def euc_kr_bytes(text: str) -> int:
    """Length in EUC-KR bytes, counting a character EUC-KR cannot encode (emoji, rare Hanja) as 2 —
    what Korean carriers charge for it, when they carry it at all."""
    total = 0
    for char in text:
        try:
            total += len(char.encode("euc-kr"))
        except UnicodeEncodeError:
            total += 2
    return total


def fits_euc_kr(text: str) -> bool:
    try:
        text.encode("euc-kr")
    except UnicodeEncodeError:
        return False
    return True


def truncate_euc_kr(text: str, max_bytes: int) -> str:
    out, used = [], 0
    for char in text:
        size = euc_kr_bytes(char)
        if used + size > max_bytes:
            break
        out.append(char)
        used += size
    return "".join(out)


def plain_text_kind(text: str) -> str:
    """"sms" for up to 90 EUC-KR bytes, else "lms" (only an LMS carries a subject)."""
    return "sms" if euc_kr_bytes(text) <= SMS_MAX_BYTES else "lms"


def normalize_phone(raw: str, *, default_country: str = "82") -> str:
    """A phone number as E.164. Accepts "+82 10-1234-5678", "010-1234-5678" (national, in
    ``default_country``), "0082…"; raises InvalidPhoneNumber otherwise."""
    number = _SEPARATORS.sub("", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    elif not number.startswith("+"):
        if not number.isdigit() or not number.startswith("0"):
            raise InvalidPhoneNumber(f"not a phone number: {raw!r}")
        number = f"+{default_country}{number[1:]}"
    if not _E164.match(number):
        raise InvalidPhoneNumber(f"not a phone number: {raw!r}")
    return number


def korean_national(e164: str) -> str:
    """"+821012345678" -> "01012345678" (what Korean providers expect); InvalidPhoneNumber for a
    number outside Korea."""
    number = normalize_phone(e164)
    if not number.startswith("+82"):
        raise InvalidPhoneNumber(f"not a Korean number: {e164!r}")
    return "0" + number[3:]
