"""A webhook secret rotated with zero overlap stops verifying at once in every web process: each
process memoises accounts (tracking.ingest.webhooks._accounts), but checks the account's version in the
shared cache on every delivery, and a save writes a new version."""
from datetime import timedelta

import pytest

from tests.support.webhooks import SECRET, mock_body, post, signed
from tracking.ingest import webhooks
from tracking.ingest.accounts import carrier_account_rotate_secret

pytestmark = pytest.mark.django_db


def test_a_zero_overlap_rotation_in_another_process_takes_effect_at_once(client, account):
    body = mock_body(1, "dlv_1")
    assert post(client, account, body, signed(body, SECRET)).status_code == 202
    this_process_memo = webhooks._accounts.get(account.public_id)
    assert this_process_memo is not None  # this process now trusts its memo of the account

    # "Another process" rotates: it bumps the shared version and forgets only its own memo…
    issued = carrier_account_rotate_secret(account=account, overlap=timedelta(0))
    # …so this process still holds the old account with the old secret in memory.
    webhooks._accounts.set(account.public_id, this_process_memo)

    old = mock_body(2, "dlv_2")
    assert post(client, account, old, signed(old, SECRET)).status_code == 401
    new = mock_body(3, "dlv_3")
    assert post(client, account, new, signed(new, issued.webhook_secret)).status_code == 202


def test_without_a_version_change_the_memo_is_used(client, account, django_assert_max_num_queries):
    body = mock_body(1, "dlv_1")
    assert post(client, account, body, signed(body, SECRET)).status_code == 202
    again = mock_body(2, "dlv_2")
    with django_assert_max_num_queries(3):  # the insert (and savepoints): no account query
        assert post(client, account, again, signed(again, SECRET)).status_code == 202


def test_a_process_that_saw_the_cache_unreachable_forgets_its_memo(client, account):
    from unittest import mock

    from django.core.cache import cache

    body = mock_body(1, "dlv_1")
    assert post(client, account, body, signed(body, SECRET)).status_code == 202
    assert webhooks._accounts.get(account.public_id) is not None
    # Redis is down (the cache answers misses and refuses writes): deliveries verify against the row…
    with mock.patch.object(cache, "get", return_value=None), \
            mock.patch.object(cache, "add", return_value=None):
        during = mock_body(2, "dlv_2")
        assert post(client, account, during, signed(during, SECRET)).status_code == 202
    # …and nothing memoised before the outage is trusted after it (a rotation's bump may have been lost).
    assert webhooks._accounts.get(account.public_id) is None
