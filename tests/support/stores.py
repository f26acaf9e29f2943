"""Store-platform test helpers."""
from datetime import datetime, timezone

# The clock the recorded platform answers were written against.
NOW = datetime(2026, 11, 12, 9, 0, tzinfo=timezone.utc)

# --- Django side: signed deliveries to /webhooks/stores/<id>/ ----------------------------------------
SHOPIFY_SECRET = "test-shopify-client-secret"


def shopify_headers(body: bytes, topic: str, *, shop: str, secret: str = SHOPIFY_SECRET,
                    webhook_id: str = "", **extra) -> dict:
    """Django test-client headers (HTTP_…) for a Shopify delivery signed with ``secret``."""
    import base64
    import hashlib
    import hmac
    import uuid

    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {"HTTP_X_SHOPIFY_TOPIC": topic, "HTTP_X_SHOPIFY_HMAC_SHA256": signature,
               "HTTP_X_SHOPIFY_SHOP_DOMAIN": shop, "HTTP_X_SHOPIFY_WEBHOOK_ID": webhook_id or str(uuid.uuid4()),
               "HTTP_X_SHOPIFY_API_VERSION": "2026-10"}
    headers.update(extra)
    return headers


def woocommerce_headers(body: bytes, topic: str, *, secret: str, delivery_id: str = "", source: str = "") -> dict:
    import base64
    import hashlib
    import hmac
    import uuid

    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    resource, _, event = topic.partition(".")
    return {"HTTP_X_WC_WEBHOOK_TOPIC": topic, "HTTP_X_WC_WEBHOOK_SIGNATURE": signature,
            "HTTP_X_WC_WEBHOOK_RESOURCE": resource, "HTTP_X_WC_WEBHOOK_EVENT": event,
            "HTTP_X_WC_WEBHOOK_DELIVERY_ID": delivery_id or str(uuid.uuid4().int)[:8],
            "HTTP_X_WC_WEBHOOK_SOURCE": source or "https://shop.example/"}
