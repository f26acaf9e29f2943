"""Browser test for claims: from the tracking page of a delivered parcel, a shopper on a 360 px phone
reports a damaged item with a photo and gets store credit once the merchant's rule approves it; in
Korean, a file that is not an image is refused on the form and nothing is written."""
import io
from decimal import Decimal

import pytest
from PIL import Image

from returns.claims.services import claim_policy_ensure
from returns.models import ReturnRequest, ReturnStatus
from tests.support.claims import parcel_order
from tests.support.page import order_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 360, "height": 780}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (190, 60, 40)).save(out, format="JPEG")
    return out.getvalue()


def _widest(page) -> float:
    return page.evaluate("Math.max(...[...document.querySelectorAll('body *')]"
                         ".map(e => e.getBoundingClientRect().right))")


@pytest.fixture
def shop(settings, tmp_path, merchant):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    policy = claim_policy_ensure(merchant=merchant)
    policy.auto_approve_max_value = Decimal(30000)
    policy.save()
    return merchant


def test_shopper_reports_a_damaged_item_from_the_tracking_page(page, live_server, shop, artifacts_dir):
    page.set_default_timeout(30_000)
    page.set_viewport_size(SMALL_PHONE)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    order, _shipment = parcel_order(shop)
    pillow = order.lines.get(quantity=2)  # 12,500 × 2
    page.goto(live_server.url + order_link(order))
    action = page.locator(".parcel-actions").get_by_role("link", name="Report a problem")
    assert action.is_visible()
    assert _widest(page) <= SMALL_PHONE["width"] + 1
    action.click()

    page.get_by_role("heading", name="Report a problem").wait_for()
    page.get_by_label("It arrived damaged").check()
    page.fill(f"#id_qty_{pillow.pk}", "1")
    page.get_by_label("Store credit").check()
    page.set_input_files("#id_photos", files=[{"name": "box.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.get_by_label("Anything we should know?").fill("Seam torn open")
    assert _widest(page) <= SMALL_PHONE["width"] + 1
    page.screenshot(path=str(artifacts_dir / "claim-form-en-360.png"), full_page=True)
    page.get_by_role("button", name="Send my report").click()

    rr = ReturnRequest.objects.get()
    page.get_by_role("heading", name=f"Claim {rr.rma}").wait_for()
    assert rr.kind == "claim" and rr.claim_type == "damaged" and rr.status == ReturnStatus.CREDITED
    assert rr.photos.count() == 1 and rr.items_total == Decimal(12500)
    assert "Arrived damaged" in page.inner_text("main")
    page.screenshot(path=str(artifacts_dir / "claim-page-en-360.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_in_korean_a_file_that_is_not_an_image_is_refused(browser, live_server, shop, artifacts_dir):
    context = browser.new_context(viewport=SMALL_PHONE, locale="ko-KR", extra_http_headers={"Accept-Language": "ko"})
    page = context.new_page()
    page.set_default_timeout(30_000)
    order, _shipment = parcel_order(shop)
    page.goto(live_server.url + order_link(order))
    page.locator(".parcel-actions").get_by_role("link", name="문제 신고하기").click()
    page.get_by_label("파손되어 도착했어요").check()
    for line in order.lines.all():
        page.fill(f"#id_qty_{line.pk}", "1")
    page.get_by_label("적립금").check()
    page.set_input_files("#id_photos", files=[{"name": "box.jpg", "mimeType": "image/jpeg",
                                               "buffer": b"<svg onload=alert(1)>"}])
    page.get_by_role("button", name="신고 보내기").click()
    page.get_by_text("box.jpg: JPEG, PNG 또는 WebP 사진을 올려 주세요.").wait_for()
    assert _widest(page) <= SMALL_PHONE["width"] + 1
    page.screenshot(path=str(artifacts_dir / "claim-form-ko-360-error.png"), full_page=True)
    assert ReturnRequest.objects.count() == 0
    context.close()


@pytest.mark.parametrize("lang, asked, credit", [("en", "Asked for", "Store credit"), ("ko", "요청한 처리", "적립금")])
def test_a_rejected_claim_reads_as_rejected_on_a_phone(page, live_server, merchant, admin_user, lang, asked, credit):
    """The claim page once showed "Store credit ₩12,500" in bold beside "rejected"."""
    from django.urls import reverse

    from returns.claims.services import ClaimedLine, claim_submit
    from returns.services.workflow import return_reject
    from returns.tokens import return_token

    claim_policy_ensure(merchant=merchant)  # defaults: only a loss the carrier confirms is approved alone
    order, shipment = parcel_order(merchant)
    line = order.lines.get(quantity=2)
    rr, _created = claim_submit(order=order, shipment=shipment, claim_type="missing_items",
                                lines=[ClaimedLine(order_line_id=line.pk, quantity=1)], resolution="store_credit",
                                idempotency_key=f"e2e-{lang}", locale=lang)
    return_reject(rr=rr, by=admin_user, reason="The parcel was signed for.")
    page.set_viewport_size(SMALL_PHONE)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page.goto(live_server.url + reverse("returns:detail", args=[return_token(rr.pk)]))
    summary = page.locator("dl.summary")
    assert asked in summary.inner_text() and credit in summary.inner_text()
    assert summary.locator(".total").count() == 0
    assert _widest(page) <= SMALL_PHONE["width"] + 1
    if lang == "ko":
        assert "Asked for" not in page.inner_text("body")
