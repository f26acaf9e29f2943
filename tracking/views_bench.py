"""A do-nothing view (through the same middleware stack) that bench/webhook_ingest.py measures the
webhook endpoint against. Routed only when settings.DOORSTEP_BENCH_VIEWS is on."""
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request):
    request.read()  # consume the same body the webhook gets, so both pay for the upload
    return JsonResponse({"status": "ok"}, status=202)
