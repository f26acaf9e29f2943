"""Staff read labels, not codes: the return's reason and states by name, the policy quote as a table."""
import pytest
from django.urls import reverse

from tests.support.returns import ask, make_order

pytestmark = pytest.mark.django_db


def test_return_page_in_the_admin_shows_labels_not_codes_or_dicts(admin_client, merchant, policy):
    rr = ask(make_order(merchant), reason="doesnt_fit")
    body = admin_client.get(reverse("admin:returns_returnrequest_change", args=[rr.pk])).content.decode()
    assert "Doesn&#x27;t fit" in body or "Doesn't fit" in body
    assert "doesnt_fit" not in body
    assert "{&#x27;" not in body and "{'" not in body  # the quote is a table, not a dict
    assert "<th>Refund</th>" in body
    assert ">Requested<" in body  # the audit trail names states


def test_order_page_in_the_admin_links_to_the_shoppers_page(admin_client, merchant, policy, client):
    order = make_order(merchant)
    body = admin_client.get(reverse("admin:tracking_order_change", args=[order.pk])).content.decode()
    link = body.split("View as shopper")[0].rsplit('href="', 1)[1].split('"')[0]
    assert link.startswith("/t/")
    shopper = client.get(link)
    assert shopper.status_code == 200 and order.number in shopper.content.decode()


def test_customers_other_returns_are_listed_with_their_reason_by_name(admin_client, merchant, policy):
    first = ask(make_order(merchant), reason="doesnt_fit")
    second = ask(make_order(merchant, customer=first.customer), reason="doesnt_fit")
    body = admin_client.get(reverse("admin:returns_returnrequest_change", args=[second.pk])).content.decode()
    history = body.split("Return rate:")[1].split("</ul>")[0]
    assert first.rma in history
    assert "bound method" not in history  # once printed a method's repr instead of the reason
    assert history.count("Doesn&#x27;t fit") + history.count("Doesn't fit") == 1
