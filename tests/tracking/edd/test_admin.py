"""Staff see lanes, live accuracy per carrier and lane, stored backtests and delay cases."""
from datetime import date, datetime, timedelta, timezone

import pytest
from django.core.management import call_command

from tests.factories import MerchantFactory, OrderFactory, ShipmentFactory
from tracking.carriers import status as st
from tracking.models import DelayCase, EddBacktestRun, Shipment

pytestmark = pytest.mark.django_db


def delivered(merchant, *, window, delivered_on, carrier="cj", postal="04524"):
    s = ShipmentFactory(order=OrderFactory(merchant=merchant, ship_postal_code=postal), carrier=carrier)
    Shipment.objects.filter(pk=s.pk).update(
        status=st.DELIVERED, delivered_at=datetime.combine(delivered_on, datetime.min.time(), tzinfo=timezone.utc)
        + timedelta(hours=3), initial_window_start=window[0], initial_window_end=window[1],
        initial_predicted_date=window[0])
    return s


def test_live_accuracy_compares_delivery_with_the_ship_time_window(admin_client):
    merchant = MerchantFactory(country="KR", timezone="Asia/Seoul")
    today = datetime.now(timezone.utc).date()
    window = (today - timedelta(days=5), today - timedelta(days=3))
    delivered(merchant, window=window, delivered_on=today - timedelta(days=4))
    delivered(merchant, window=window, delivered_on=today - timedelta(days=1), carrier="hanjin")
    response = admin_client.get("/admin/tracking/lanetransitstats/accuracy/?days=30")
    assert response.status_code == 200
    tables = dict(response.context["tables"])
    overall = tables["Overall"][0][1]
    assert (overall.n, overall.inside, overall.late) == (2, 0.5, 0.5)
    carriers = dict(tables["Carrier"])
    assert carriers["cj"].inside == 1.0 and carriers["hanjin"].late == 1.0
    assert "cj KR-10→KR-04" in dict(tables["Lane"])
    # A merchant id the user may not see (here: none such) is a 404, so other tenants' ids are never confirmed.
    assert admin_client.get(f"/admin/tracking/lanetransitstats/accuracy/?merchant={merchant.pk + 1}").status_code == 404


def test_accuracy_view_survives_bad_parameters(admin_client):
    assert admin_client.get("/admin/tracking/lanetransitstats/accuracy/?days=x&merchant=y").status_code == 200


def test_accuracy_view_is_staff_only(client):
    response = client.get("/admin/tracking/lanetransitstats/accuracy/")
    assert response.status_code == 302


def test_backtest_report_in_admin(admin_client):
    call_command("edd_backtest", shipments=1200, seed=1, stdout=open("/dev/null", "w"))
    run = EddBacktestRun.objects.get()
    assert admin_client.get("/admin/tracking/eddbacktestrun/").status_code == 200
    page = admin_client.get(f"/admin/tracking/eddbacktestrun/{run.pk}/change/").content.decode()
    assert "carrier-table baseline" in page and "per lane" in page


def test_delay_case_list_filters(admin_client):
    shipment = ShipmentFactory()
    DelayCase.objects.create(merchant=shipment.merchant, shipment=shipment, kind="delay_reason", reason="weather",
                             carrier="mock", promised_date=date(2025, 11, 20), opened_at=datetime.now(timezone.utc))
    for query in ("", "?state=open", f"?merchant__id__exact={shipment.merchant_id}", "?reason=weather",
                  "?carrier=mock", f"?q={shipment.tracking_number}"):
        response = admin_client.get(f"/admin/tracking/delaycase/{query}")
        assert response.status_code == 200
        assert shipment.tracking_number in response.content.decode()
    assert admin_client.get("/admin/tracking/lanetransitstats/").status_code == 200
    assert admin_client.get("/admin/tracking/merchantshippingsettings/add/").status_code == 200
