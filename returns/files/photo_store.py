"""Storing shopper photos: checked and re-encoded (returns.files.photos), saved under a random name in the
default storage, which is private (outside the static root, never served directly)."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from returns.models import ReturnDraft, ReturnPhoto
from returns.files.photos import PhotoRejected, clean_photo


@transaction.atomic
def return_photo_store(*, draft: ReturnDraft, upload) -> ReturnPhoto:
    """Validate one uploaded file and attach it to the draft. Raises PhotoRejected with a clear message."""
    if draft.photos.count() >= settings.DOORSTEP_RETURN_PHOTO_MAX_COUNT:
        raise PhotoRejected(_("You can add at most %(n)s photos.") % {"n": settings.DOORSTEP_RETURN_PHOTO_MAX_COUNT})
    limit = settings.DOORSTEP_RETURN_PHOTO_MAX_BYTES
    # Reading one byte past the limit is enough to know it is too big, without reading a huge upload.
    clean = clean_photo(upload.read(limit + 1), max_bytes=limit)
    name = default_storage.save(f"returns/photos/{secrets.token_hex(16)}.jpg", ContentFile(clean.content))
    return ReturnPhoto.objects.create(merchant=draft.merchant, draft=draft, file=name, width=clean.width,
                                      height=clean.height, size=len(clean.content))


def photo_open(photo: ReturnPhoto):
    return default_storage.open(photo.file, "rb")
