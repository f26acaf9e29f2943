"""Private files: labels and photos live in private storage and are only streamed through these
access-checked views — to the shopper holding the return's signed link, or to staff who may view
returns and are members of the return's merchant (another merchant's file is a 404)."""
from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from tracking.staff.scoping import scope_by_path
from tracking.staff.selectors import merchant_ids_for
from tracking.tokens import BadToken

from returns.models import ReturnPhoto, ReturnRequest
from returns.portal.views import return_from_token

LABEL_TYPES = {"pdf": "application/pdf", "qr_png": "image/png"}


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


def _stream(path: str, content_type: str, *, filename: str = "", attachment: bool = False):
    try:
        handle = default_storage.open(path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return _private(FileResponse(handle, content_type=content_type, as_attachment=attachment,
                                 filename=filename or None))


def _return_or_404(token):
    try:
        return return_from_token(token)
    except BadToken:  # includes expired: files are never served on an old link
        raise Http404 from None


def label(request, token):
    return _label(_return_or_404(token))


def _label(rr):
    if not rr.label_file:
        raise Http404
    extension = "pdf" if rr.label_format == "pdf" else "png"
    return _stream(rr.label_file, LABEL_TYPES.get(rr.label_format, "application/octet-stream"),
                   filename=f"return-{rr.rma}.{extension}", attachment=rr.label_format == "pdf")


def shopper_photo(request, token, key):
    rr = _return_or_404(token)
    photo = get_object_or_404(ReturnPhoto, key=key, return_request=rr)
    return _stream(photo.file, "image/jpeg")


def _staff_may_view_returns(request):
    if not request.user.has_perm("returns.view_returnrequest"):
        raise PermissionDenied


@staff_member_required
def staff_photo(request, key):
    _staff_may_view_returns(request)
    photos = scope_by_path(ReturnPhoto.objects.filter(key=key), "merchant", merchant_ids_for(request.user))
    photo = get_object_or_404(photos)
    return _stream(photo.file, "image/jpeg")


@staff_member_required
def staff_label(request, rma):
    _staff_may_view_returns(request)
    returns = scope_by_path(ReturnRequest.objects.filter(rma=rma), "merchant", merchant_ids_for(request.user))
    return _label(get_object_or_404(returns))
