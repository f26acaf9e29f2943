"""The benchmarks' URLs: the app's own, plus the do-nothing views every figure is a ratio against.
Only bench/settings.py routes them; product URLs never contain them."""
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as app_urlpatterns


def bare(request):
    """bench/tracking_page.py's baseline: a view through the same middleware that does no work at all."""
    return HttpResponse("ok")


@csrf_exempt
def bare_webhook(request):
    """bench/webhook_ingest.py's baseline: reads the same body the webhook gets, so both pay for the
    upload, and answers like the webhook does."""
    request.read()
    return JsonResponse({"status": "ok"}, status=202)


urlpatterns = [path("bench/bare/", bare), path("bench/bare-webhook", bare_webhook), *app_urlpatterns]
