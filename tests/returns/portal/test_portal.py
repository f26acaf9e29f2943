"""The shopper's portal, step by step, through Django's test client."""
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from PIL import Image

from returns.models import ReturnDraft, ReturnPhoto, ReturnRequest, ReturnStatus
from returns.tokens import read_return_token, return_token
from tracking.tokens import make_token

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(40, 30), exif=True):
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


def start_from_lookup(client, order, answer=None):
    response = client.post(reverse("returns:start"), {"number": order.number,
                                                      "answer": answer or order.customer.email})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def walk(client, order, *, resolution="store_credit", method="drop_off", reason="changed_mind", files=None):
    items_url = start_from_lookup(client, order)
    key = items_url.split("/")[3]
    lines = list(order.lines.all())
    r = client.post(items_url, {f"qty_{line.pk}": line.quantity for line in lines})
    assert r.status_code == 302, r.content.decode()[:2000]
    data = {"reason": reason, "comment": "too big", "resolution": resolution}
    if files:
        data["photos"] = files
    r = client.post(reverse("returns:details", args=[key]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    r = client.post(reverse("returns:method", args=[key]), {"method": method})
    assert r.status_code == 302, r.content.decode()[:3000]
    return key


def test_full_flow_store_credit_drop_off(client, order, django_capture_on_commit_callbacks):
    key = walk(client, order)
    summary = client.get(reverse("returns:summary", args=[key]))
    body = summary.content.decode()
    assert "55,000" in body  # 50,000 + 10% bonus, shown before confirming
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("returns:summary", args=[key]), {"token": key})
    assert r.status_code == 302
    rr = ReturnRequest.objects.get()
    assert rr.status == ReturnStatus.APPROVED and rr.resolution == "store_credit"
    page = client.get(r["Location"])
    assert page.status_code == 200
    assert rr.rma in page.content.decode()
    label = client.get(reverse("returns:label", args=[return_token(rr.pk)]))
    assert label.status_code == 200 and label["Content-Type"] == "image/png"
    assert b"".join(label.streaming_content).startswith(b"\x89PNG")


def test_double_submit_creates_one_return(client, order):
    key = walk(client, order)
    first = client.post(reverse("returns:summary", args=[key]), {"token": key})
    second = client.post(reverse("returns:summary", args=[key]), {"token": key})
    assert ReturnRequest.objects.count() == 1
    # Both answers lead to that one return (tokens carry a timestamp, so compare what they point to).
    token_of = lambda response: response["Location"].rstrip("/").split("/")[-1]  # noqa: E731
    assert read_return_token(token_of(first)) == read_return_token(token_of(second)) == ReturnRequest.objects.get().pk


def test_confirm_with_wrong_token_is_refused(client, order):
    key = walk(client, order)
    r = client.post(reverse("returns:summary", args=[key]), {"token": "forged"})
    assert r.status_code == 400
    assert ReturnRequest.objects.count() == 0


def test_wrong_answer_and_unknown_order_look_the_same(client, order):
    wrong = client.post(reverse("returns:start"), {"number": order.number, "answer": "nobody@example.com"})
    unknown = client.post(reverse("returns:start"), {"number": "NOPE-1", "answer": order.customer.email})
    assert wrong.status_code == unknown.status_code == 400
    def strip(response):
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        for typed in (order.number, "NOPE-1", "nobody@example.com", order.customer.email):
            text = text.replace(typed, "")
        return text

    assert strip(wrong) == strip(unknown)


def test_postal_code_works_as_answer(client, order):
    assert "/items/" in start_from_lookup(client, order, answer=order.ship_postal_code)


def test_lookup_rate_limited_after_five_failures(client, order):
    for _ in range(5):
        client.post(reverse("returns:start"), {"number": order.number, "answer": "x@example.com"})
    r = client.post(reverse("returns:start"), {"number": order.number, "answer": order.customer.email})
    assert r.status_code == 429


def test_signed_order_link_starts_a_return(client, order):
    r = client.get(reverse("returns:order", args=[make_token("order", {"o": order.pk})]))
    assert r.status_code == 302 and "/items/" in r["Location"]
    assert client.get(reverse("returns:order", args=["tampered"])).status_code == 404


def test_draft_needs_the_session_that_started_it(client, order):
    key = walk(client, order)
    from django.test import Client

    assert Client().get(reverse("returns:summary", args=[key])).status_code == 404


def test_ineligible_items_show_why(client, merchant, policy):
    from tests.support.returns import make_order

    old = make_order(merchant, delivered_days_ago=40)
    items_url = start_from_lookup(client, old)
    body = client.get(items_url).content.decode()
    assert "return window ended" in body


def test_quantity_above_returnable_is_a_form_error(client, order):
    items_url = start_from_lookup(client, order)
    line = order.lines.first()
    r = client.post(items_url, {f"qty_{line.pk}": line.quantity + 1})
    assert r.status_code == 400
    assert not ReturnDraft.objects.get().data.get("lines")


def test_damaged_requires_photo_and_rejects_fake_images(client, order):
    items_url = start_from_lookup(client, order)
    key = items_url.split("/")[3]
    line = order.lines.first()
    client.post(items_url, {f"qty_{line.pk}": 1})
    url = reverse("returns:details", args=[key])
    r = client.post(url, {"reason": "damaged", "resolution": "refund"})
    assert r.status_code == 400 and "photo" in r.content.decode().lower()
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = SimpleUploadedFile("x.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
                             content_type="image/jpeg")
    r = client.post(url, {"reason": "damaged", "resolution": "refund", "photos": [svg]})
    assert r.status_code == 400
    assert ReturnPhoto.objects.count() == 0
    good = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    r = client.post(url, {"reason": "damaged", "resolution": "refund", "photos": [good]})
    assert r.status_code == 302
    photo = ReturnPhoto.objects.get()
    from django.core.files.storage import default_storage

    stored = default_storage.open(photo.file).read()
    assert b"SpyCam" not in stored and stored.startswith(b"\xff\xd8")
    assert not photo.file.startswith("p")  # random name, not the upload's


def test_expired_return_link_asks_to_verify_again(client, order, settings):
    from tests.support.returns import ask

    rr = ask(order)
    settings.DOORSTEP_LINK_MAX_AGE = timedelta(seconds=-1)
    r = client.get(reverse("returns:detail", args=[return_token(rr.pk)]))
    assert r.status_code == 302 and r["Location"] == reverse("returns:start")
    assert client.get(reverse("returns:detail", args=["bad-token"])).status_code == 404


def test_korean_page(client, order):
    client.cookies["django_language"] = "ko"
    r = client.get(reverse("returns:start"), HTTP_ACCEPT_LANGUAGE="ko")
    assert r.status_code == 200


def test_nothing_returnable_offers_no_continue_button(client, order):
    from tests.support.returns import ask

    ask(order)  # everything already on its way back
    items_url = start_from_lookup(client, order)
    body = client.get(items_url).content.decode()
    assert "Nothing in this order can be returned right now" in body
    assert '<button type="submit">Continue</button>' not in body
