"""POST /webhooks/carriers/<public_id>/ — carriers push tracking updates here. Thin: hand the raw
request to tracking.ingest.webhooks.webhook_receive and answer with its verdict."""
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tracking.ingest.webhooks import webhook_receive


def _content_length(request) -> int | None:
    try:
        value = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return value if value >= 0 else None


@csrf_exempt  # carriers authenticate with a signature (or URL token), not a browser session
@require_POST
def carrier_webhook(request, public_id: str):
    receipt = webhook_receive(
        public_id=public_id,
        headers=request.headers,
        content_length=_content_length(request),
        # Read the stream directly (not request.body): at most the adapter's limit is ever buffered.
        read_body=request.read,
        url_token=request.GET.get("token", "") if request.META.get("QUERY_STRING") else "",
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    if receipt.status >= 400:
        return JsonResponse({"error": receipt.reason or receipt.verdict}, status=receipt.status)
    return JsonResponse({"status": receipt.verdict}, status=receipt.status)
