"""One-click unsubscribe from a merchant's messages of one category."""
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tracking.models import Customer, NotificationCategory
from tracking.tokens import BadToken, read_token
from tracking.notifications.services import UNSUBSCRIBE_PURPOSE, notification_resubscribe, notification_unsubscribe


# CSRF-exempt because mail clients POST here (RFC 8058) with no cookie; the signed token is the
# authority, and the worst a forged request can do is what the link's owner asked for.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        payload = read_token(UNSUBSCRIBE_PURPOSE, token)
        customer = Customer.objects.select_related("merchant").get(pk=payload["c"])
        category = NotificationCategory(payload["k"])
    except (BadToken, KeyError, ValueError, Customer.DoesNotExist):
        raise Http404("unknown link")
    resubscribed = request.method == "POST" and request.POST.get("action") == "resubscribe"
    if resubscribed:
        notification_resubscribe(customer=customer, category=category)
    else:
        notification_unsubscribe(customer=customer, category=category)
    return render(request, "notifications/unsubscribed.html", {
        "merchant": customer.merchant, "category": category, "resubscribed": resubscribed, "token": token,
    })
