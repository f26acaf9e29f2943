"""Signed link tokens: tamper, purpose and age checks hold on the first read and on every read after
it (a process remembers tokens it has verified, to skip the HMAC on a shopper's refreshes)."""
from datetime import timedelta
from unittest import mock

import pytest

from tracking.memo import memos_clear
from tracking import tokens
from tracking.tokens import BadToken, ExpiredToken, make_token, read_token


@pytest.fixture(autouse=True)
def _fresh_memo():
    memos_clear()
    yield
    memos_clear()


def test_round_trip_and_repeat_reads_give_the_payload():
    token = make_token("order", {"o": 7})
    assert read_token("order", token) == {"o": 7}
    assert read_token("order", token) == {"o": 7}


def test_remembered_token_still_expires():
    token = make_token("order", {"o": 7})
    assert read_token("order", token, max_age=timedelta(days=1)) == {"o": 7}
    later = tokens.time.time() + 2 * 86400
    with mock.patch.object(tokens.time, "time", return_value=later), pytest.raises(ExpiredToken):
        read_token("order", token, max_age=timedelta(days=1))


def test_remembered_token_is_still_bound_to_its_purpose():
    token = make_token("order", {"o": 7})
    read_token("order", token)
    with pytest.raises(BadToken):
        read_token("nps", token)


@pytest.mark.parametrize("tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x" + t,
                                    lambda t: t.replace(":", ";", 1), lambda t: ""])
def test_tampered_token_is_rejected_even_after_the_genuine_one_was_read(tamper):
    token = make_token("order", {"o": 7})
    read_token("order", token)
    with pytest.raises(BadToken):
        read_token("order", tamper(token))


def test_returned_payload_cannot_change_the_remembered_one():
    token = make_token("order", {"o": 7})
    read_token("order", token)["o"] = 8
    assert read_token("order", token) == {"o": 7}
