"""Per-merchant credentials: encrypted at rest, shown back only as a masked hint, rotatable, and
resolved merchant first, install-wide default second — two merchants refund through two Toss (and
two Stripe) accounts, and text messages go out through each merchant's own Solapi account."""
import base64
from decimal import Decimal

import pytest
import responses
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory

from returns.money.refunds import refund_execute
from returns.models import Refund
from tests.factories import RefundFactory, ReturnRequestFactory, ServiceCredentialFactory
from tests.support.fixtures import payment_json
from tests.support.returns import make_order
from tracking import crypto
from tracking.credentials.admin import ServiceCredentialAdmin
from tracking.credentials.services import merchant_credential, service_credential_rotate, service_credential_set
from tracking.ingest.accounts import carrier_account_create, carrier_account_set_api_key
from tracking.models import ServiceCredential
from tracking.notifications.channels import get_channel

pytestmark = pytest.mark.django_db
KEY_A = "test_sk_acme_aaaaaaaa1111"
KEY_B = "test_sk_other_bbbbbbbb2222"


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def toss_refund(merchant, payment_key):
    order = make_order(merchant, gateway="toss", currency="KRW")
    order.payment_reference = payment_key
    order.save(update_fields=["payment_reference"])
    rr = ReturnRequestFactory(order=order, merchant=merchant, customer=order.customer, currency="KRW",
                              refund_amount=Decimal("12500"))
    return RefundFactory(return_request=rr, gateway="toss", amount=Decimal("12500"))


def test_the_secret_is_stored_encrypted_and_shown_only_as_a_hint(merchant):
    row = service_credential_set(merchant=merchant, service="toss", secret=KEY_A)
    stored = ServiceCredential.objects.get(pk=row.pk)
    assert KEY_A not in stored.secret_encrypted and crypto.decrypt(stored.secret_encrypted) == KEY_A
    assert stored.masked_secret == "••••1111" and KEY_A not in str(stored)


def test_rotation_replaces_the_secret_in_place(merchant):
    row = service_credential_set(merchant=merchant, service="solapi", secret="old-secret-000000", key_id="NCS1",
                                 config={"sender": "0212345678", "sender_profile": "KA01PF"})
    rotated = service_credential_rotate(credential=row, secret="new-secret-999999")
    assert rotated.pk == row.pk and rotated.rotated_at is not None
    resolved = merchant_credential(merchant_id=merchant.pk, service="solapi")
    assert (resolved.secret, resolved.key_id, resolved.config["sender_profile"]) == ("new-secret-999999", "NCS1",
                                                                                      "KA01PF")
    assert ServiceCredential.objects.filter(merchant=merchant, service="solapi").count() == 1


def test_two_merchants_refund_through_two_toss_accounts(merchant, other_merchant):
    ServiceCredentialFactory(merchant=merchant, service="toss", secret=KEY_A)
    ServiceCredentialFactory(merchant=other_merchant, service="toss", secret=KEY_B)
    ours, theirs = toss_refund(merchant, "tpay_acme_0001"), toss_refund(other_merchant, "tpay_other_0001")
    with responses.RequestsMock() as api:
        for key in ("tpay_acme_0001", "tpay_other_0001"):
            document = payment_json("toss", "payment_partial_canceled_card.json")
            document["paymentKey"] = key
            api.post(f"https://api.tosspayments.com/v1/payments/{key}/cancel", json=document)
        refund_execute(refund_id=ours.pk)
        refund_execute(refund_id=theirs.pk)
        seen = {call.request.url.split("/")[-2]: call.request.headers["Authorization"] for call in api.calls}
    assert seen == {"tpay_acme_0001": basic(KEY_A), "tpay_other_0001": basic(KEY_B)}
    assert set(Refund.objects.filter(pk__in=[ours.pk, theirs.pk]).values_list("status", flat=True)) == {"succeeded"}


def test_two_merchants_refund_through_two_stripe_accounts(merchant, other_merchant):
    ServiceCredentialFactory(merchant=merchant, service="stripe", secret="sk_test_acme_000000000001")
    ServiceCredentialFactory(merchant=other_merchant, service="stripe", secret="sk_test_other_00000000002")
    refunds = []
    for owner in (merchant, other_merchant):
        refund = toss_refund(owner, "pi_test_123")
        Refund.objects.filter(pk=refund.pk).update(gateway="stripe")
        refunds.append(refund)
    with responses.RequestsMock() as api:
        api.post("https://api.stripe.com/v1/refunds", json=payment_json("stripe", "refund_succeeded.json"))
        for refund in refunds:
            refund_execute(refund_id=refund.pk)
        keys = [call.request.headers["Authorization"] for call in api.calls]
    assert keys == ["Bearer sk_test_acme_000000000001", "Bearer sk_test_other_00000000002"]


def test_without_its_own_key_a_merchant_uses_the_install_wide_default(merchant, settings):
    settings.DOORSTEP_PAYMENT_CREDENTIALS = {**settings.DOORSTEP_PAYMENT_CREDENTIALS, "toss": {
        "secret_key": "test_sk_install_default", "api_url": "https://api.tosspayments.com"}}
    refund = toss_refund(merchant, "tpay_default_0001")
    with responses.RequestsMock() as api:
        document = payment_json("toss", "payment_partial_canceled_card.json")
        api.post("https://api.tosspayments.com/v1/payments/tpay_default_0001/cancel", json=document)
        refund_execute(refund_id=refund.pk)
        assert api.calls[0].request.headers["Authorization"] == basic("test_sk_install_default")


def test_text_messages_go_out_through_the_merchants_own_solapi_account(merchant, other_merchant, settings):
    settings.DOORSTEP_SMS_BACKEND = "tracking.notifications.providers.backends.SolapiSMSBackend"
    service_credential_set(merchant=merchant, service="solapi", secret="acme-solapi-secret", key_id="NCSACME",
                           config={"sender": "0212345678"})
    channel = get_channel("sms", merchant_id=merchant.pk)
    assert channel.backend.provider.credentials.api_key == "NCSACME"
    assert channel.backend.provider.credentials.api_secret == "acme-solapi-secret"
    assert channel.backend.provider.credentials.sender == "0212345678"
    # The other merchant has none: the install-wide account (settings) is used.
    assert get_channel("sms", merchant_id=other_merchant.pk).backend.provider.credentials.api_key == (
        settings.DOORSTEP_TEXT_PROVIDER_CREDENTIALS["solapi"]["api_key"])


def test_email_goes_out_from_the_merchants_own_sender(merchant, mailoutbox):
    from tracking.notifications.channels import Message

    service_credential_set(merchant=merchant, service="email", secret="smtp-password-123",
                           config={"from_email": "Acme <hello@acme.example>"})
    get_channel("email", merchant_id=merchant.pk).send(Message(to="a@b.example", subject="s", text="t"))
    assert mailoutbox[-1].from_email == "Acme <hello@acme.example>"


def test_the_admin_takes_the_secret_once_and_shows_a_mask(merchant, admin_user):
    admin_view = ServiceCredentialAdmin(ServiceCredential, AdminSite())
    request = RequestFactory().post("/")
    request.user = admin_user
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    form_class = admin_view.get_form(request)
    form = form_class(data={"merchant": merchant.pk, "service": "toss", "key_id": "", "config": "{}",
                            "is_active": "on", "secret": KEY_A})
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    admin_view.save_model(request, obj, form, change=False)
    row = ServiceCredential.objects.get(merchant=merchant, service="toss")
    assert row.masked_secret == "••••1111"
    assert 'value="' + KEY_A not in str(form_class(instance=row)["secret"])
    # Without a secret, creating is refused.
    assert not form_class(data={"merchant": merchant.pk, "service": "stripe", "config": "{}"}).is_valid()


def test_carrier_api_keys_show_a_hint_after_save(merchant):
    account = carrier_account_create(merchant=merchant, carrier="trackerdelivery",
                                     api_key="client-id:secret-9876").account
    assert account.api_key_hint == "9876"
    carrier_account_set_api_key(account=account, api_key="client-id:secret-5432")
    account.refresh_from_db()
    assert account.api_key_hint == "5432"
