"""manage.py staff_member add | remove | list: staff users and the merchants they work for, for scripts."""
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.factories import MerchantFactory, OrderFactory
from tracking.models import StaffMembership
from tracking.staff.roles import SUPPORT_AGENT, SUPPORT_LEAD

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("staff_member", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def shops(db):
    return MerchantFactory(slug="acme", name="Acme"), MerchantFactory(slug="globex", name="Globex")


def test_add_creates_a_staff_user_with_memberships_and_a_group(shops):
    output = run("add", "--username", "mina", "--password", "a-long-pass-123", "--merchant", "acme",
                 "--merchant", "globex", "--group", SUPPORT_LEAD, "--money-limit", "500000")
    assert "Created staff user mina: member of acme, globex" in output
    user = get_user_model().objects.get(username="mina")
    assert user.is_staff and not user.is_superuser and user.check_password("a-long-pass-123")
    assert [g.name for g in user.groups.all()] == [SUPPORT_LEAD]
    memberships = StaffMembership.objects.filter(user=user).order_by("merchant__slug")
    assert [(m.merchant.slug, m.role, m.money_limit) for m in memberships] == [
        ("acme", "lead", Decimal("500000.00")), ("globex", "lead", Decimal("500000.00"))]
    # The new user can log in and sees exactly those merchants.
    OrderFactory(merchant=shops[0])
    OrderFactory(merchant=MerchantFactory(slug="initech"))
    client = Client()
    assert client.login(username="mina", password="a-long-pass-123")
    response = client.get(reverse("admin:tracking_merchant_changelist"))
    assert {m.slug for m in response.context["cl"].result_list} == {"acme", "globex"}
    assert response.context["cl"].full_result_count == 2


def test_add_again_updates_role_group_and_limit_and_keeps_other_memberships(shops):
    run("add", "--username", "jun", "--merchant", "acme", "--group", SUPPORT_LEAD, "--money-limit", "100")
    output = run("add", "--username", "jun", "--merchant", "globex", "--group", SUPPORT_AGENT)
    assert "Updated staff user jun" in output
    user = get_user_model().objects.get(username="jun")
    assert [g.name for g in user.groups.all()] == [SUPPORT_AGENT]  # one support group at a time
    roles = dict(StaffMembership.objects.filter(user=user).values_list("merchant__slug", "role"))
    assert roles == {"acme": "lead", "globex": "agent"}
    assert not user.has_usable_password()  # created without a password
    run("add", "--username", "jun", "--merchant", "acme", "--role", "agent", "--money-limit", "none")
    membership = StaffMembership.objects.get(user=user, merchant__slug="acme")
    assert (membership.role, membership.money_limit) == ("agent", None)
    run("add", "--username", "jun", "--merchant", "acme")  # no --money-limit: the limit is kept
    membership.refresh_from_db()
    assert membership.money_limit is None


def test_remove_memberships_then_everything(shops):
    run("add", "--username", "ara", "--merchant", "acme", "--merchant", "globex", "--group", SUPPORT_AGENT)
    assert "Removed 1 membership(s) of ara." in run("remove", "--username", "ara", "--merchant", "globex")
    user = get_user_model().objects.get(username="ara")
    assert list(StaffMembership.objects.filter(user=user).values_list("merchant__slug", flat=True)) == ["acme"]
    run("remove", "--username", "ara")
    user.refresh_from_db()
    assert not StaffMembership.objects.filter(user=user).exists()
    assert not user.is_staff and not user.groups.exists()
    assert get_user_model().objects.filter(username="ara").exists()  # audit trails still name the account


def test_list(shops):
    run("add", "--username", "mina", "--merchant", "acme", "--group", SUPPORT_LEAD, "--money-limit", "500")
    run("add", "--username", "jun", "--merchant", "globex", "--group", SUPPORT_AGENT)
    assert run("list").splitlines() == [
        f"mina\tacme\tlead\t500.00\t{SUPPORT_LEAD}",
        f"jun\tglobex\tagent\t-\t{SUPPORT_AGENT}",
    ]
    assert run("list", "--merchant", "globex").splitlines() == [f"jun\tglobex\tagent\t-\t{SUPPORT_AGENT}"]
    assert run("list", "--username", "mina").startswith("mina\tacme")


@pytest.mark.parametrize("args, message", [
    (("add", "--username", "x", "--merchant", "nope"), "no merchant with slug 'nope'"),
    (("add", "--username", "x", "--merchant", "acme", "--money-limit", "lots"), "must be an amount"),
    (("add", "--username", "x", "--merchant", "acme", "--money-limit", "-5"), "positive amount"),
    (("remove", "--username", "ghost"), "no user 'ghost'"),
])
def test_mistakes_are_command_errors_and_change_nothing(shops, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not get_user_model().objects.filter(username="x").exists()


def test_group_must_be_a_support_group(shops):
    with pytest.raises(CommandError):
        run("add", "--username", "x", "--merchant", "acme", "--group", "Admins")
