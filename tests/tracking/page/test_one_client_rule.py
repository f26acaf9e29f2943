"""Issue 17, item 8: one lookup failure counter per order number across every lookup page and portal;
one client-IP rule (DOORSTEP_TRUSTED_PROXY_HOPS) for every throttle, DRF's included; Secure and
SameSite on every cookie in production; a Content-Security-Policy on the admin."""
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from tracking.page.csp import ADMIN_POLICY

pytestmark = pytest.mark.django_db


def guess(client, url, ip, field="secret"):
    return client.post(url, {"number": "#1001", field: "nobody@example.com"}, REMOTE_ADDR=ip)


def test_guesses_on_every_lookup_page_and_portal_share_one_counter_per_order(client, order, settings):
    settings.DOORSTEP_LOOKUP_MAX_FAILURES = 5
    # Five guesses for one order spread over the global lookup, the store's, and the returns portal,
    # each from another address (so the per-address counter never trips)…
    assert guess(client, "/track/", "10.1.0.1").status_code == 404
    assert guess(client, "/track/", "10.1.0.2").status_code == 404
    assert guess(client, "/track/acme/", "10.1.0.3").status_code == 404
    assert guess(client, "/track/acme/", "10.1.0.4").status_code == 404
    assert guess(client, "/returns/?shop=acme", "10.1.0.5", field="answer").status_code == 400
    # …and the sixth, anywhere, is refused, even with the right answer.
    assert guess(client, "/track/acme/", "10.1.0.6").status_code == 429
    assert guess(client, "/returns/", "10.1.0.7", field="answer").status_code == 429
    right = client.post("/track/", {"number": "#1001", "secret": "mina@example.com"}, REMOTE_ADDR="10.1.0.8")
    assert right.status_code == 429


EDD = "/api/v1/edd/"


@pytest.fixture
def edd_params(merchant):
    from tracking.models import MerchantShippingSettings

    MerchantShippingSettings.objects.get_or_create(merchant=merchant)
    return {"merchant": "acme", "postal_code": "04524", "country": "kr"}


def test_the_edd_throttle_ignores_a_client_supplied_forwarded_for(client, edd_params, settings):
    settings.DOORSTEP_EDD_API_RATE = "2/min"
    settings.DOORSTEP_TRUSTED_PROXY_HOPS = 0
    statuses = [client.get(EDD, edd_params, REMOTE_ADDR="10.2.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
                for n in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429  # rotating X-Forwarded-For buys nothing


def test_behind_trusted_proxies_the_edd_throttle_uses_the_lookups_rule(client, edd_params, settings):
    settings.DOORSTEP_EDD_API_RATE = "2/min"
    settings.DOORSTEP_TRUSTED_PROXY_HOPS = 1
    ask = [client.get(EDD, edd_params, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")
           for n in range(3)]
    assert ask[2].status_code == 429  # the client is the hop our proxy saw (203.0.113.7), however it rewrites the rest
    other = client.get(EDD, edd_params, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code != 429


def test_drf_throttles_share_the_trusted_hops_setting():
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.DOORSTEP_TRUSTED_PROXY_HOPS


def test_every_cookie_is_secure_and_same_site_in_production():
    code = ("from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
            "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_SAMESITE)")
    env = {"DOORSTEP_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "shop.example.com",
           "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env,
                         cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "True", "Lax", "Lax", "Lax"]


@override_settings(LANGUAGE_COOKIE_SECURE=True, LANGUAGE_COOKIE_SAMESITE="Lax")
def test_the_language_cookie_carries_the_flags(client):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/track/"}, HTTP_ORIGIN="http://testserver",
                           HTTP_REFERER="http://testserver/track/")
    cookie = response.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] and cookie["samesite"] == "Lax"


def test_the_admin_has_a_content_security_policy(admin_client):
    for url in ("/admin/login/", "/admin/"):
        response = admin_client.get(url)
        assert response["Content-Security-Policy"] == ADMIN_POLICY
    assert "script-src 'self'" in ADMIN_POLICY and "unsafe-inline" not in ADMIN_POLICY.split("script-src")[1].split(
        ";")[0]
