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


def _chunked(request) -> bool:
    return not request.META.get("CONTENT_LENGTH") and "chunked" in request.META.get(
        "HTTP_TRANSFER_ENCODING", "").lower()


@csrf_exempt  # carriers authenticate with a signature (or URL token), not a browser session
@require_POST
def carrier_webhook(request, public_id: str):
    read_body = request.read  # the stream, not request.body: at most the adapter's limit is buffered
    if _chunked(request):
        # No Content-Length, so Django's own stream reads nothing. A server that decoded the chunks
        # says so (wsgi.input_terminated, e.g. gunicorn) and its input ends with the body: read that,
        # still bounded by the adapter's limit. Any other server: ask for a length, don't guess.
        if not request.META.get("wsgi.input_terminated"):
            return JsonResponse({"error": "send a Content-Length (chunked bodies are not supported here)"},
                                status=411)
        read_body = request.META["wsgi.input"].read
    receipt = webhook_receive(
        public_id=public_id,
        headers=request.headers,
        content_length=_content_length(request),
        read_body=read_body,
        url_token=request.GET.get("token", "") if request.META.get("QUERY_STRING") else "",
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    if receipt.status >= 400:
        return JsonResponse({"error": receipt.reason or receipt.verdict}, status=receipt.status)
    return JsonResponse({"status": receipt.verdict}, status=receipt.status)
