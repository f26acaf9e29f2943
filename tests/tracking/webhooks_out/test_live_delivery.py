"""A real delivery over HTTP to a receiver on this machine, through the hardened transport (IP pinning,
no redirects): only possible with the development settings that allow loopback and plain http."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook

from tracking.models import WebhookDelivery
from tracking.webhooks_out.services import webhook_endpoint_create, webhook_event_emit

pytestmark = pytest.mark.django_db


class Received(list):
    """What the receiver got, plus its base URL (an ephemeral port: parallel test workers never clash)."""

    base = ""


@pytest.fixture
def receiver():
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers), body))
            status = 302 if self.path == "/redirect" else 200
            self.send_response(status)
            if status == 302:
                self.send_header("Location", f"{received.base}/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received
    server.shutdown()
    server.server_close()


def test_delivers_signed_event_to_local_receiver(merchant, receiver, settings, django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK = True
    settings.DOORSTEP_WEBHOOKS_ALLOW_HTTP = True
    endpoint = webhook_endpoint_create(merchant=merchant, url=f"{receiver.base}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=merchant, event_type="return.requested", payload={"return": {"id": "r_1"}})
    assert len(receiver) == 1
    path, headers, body = receiver[0]
    assert path == "/hook"
    assert Webhook(endpoint.secret).verify(body, headers)["data"] == {"return": {"id": "r_1"}}
    assert headers["User-Agent"] == "Doorstep-Webhooks/1.0"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert delivery.attempts.get().response_excerpt == "ok"


def test_redirect_is_a_failed_attempt_not_followed(merchant, receiver, settings, django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK = True
    settings.DOORSTEP_WEBHOOKS_ALLOW_HTTP = True
    settings.DOORSTEP_WEBHOOKS_MAX_ATTEMPTS = 1
    webhook_endpoint_create(merchant=merchant, url=f"{receiver.base}/redirect")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=merchant, event_type="shipment.delivered", payload={})
    assert [r[0] for r in receiver] == ["/redirect"]
    assert WebhookDelivery.objects.get().last_status_code == 302


def test_loopback_refused_without_the_setting(merchant, receiver, settings, django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOKS_ALLOW_HTTP = True
    settings.DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK = True
    webhook_endpoint_create(merchant=merchant, url=f"{receiver.base}/hook")
    settings.DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK = False
    settings.DOORSTEP_WEBHOOKS_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(merchant=merchant, event_type="shipment.delivered", payload={})
    assert receiver == []
    assert WebhookDelivery.objects.get().status == "failed"
