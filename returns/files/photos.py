"""Shopper photo checks: only real raster images are accepted, and they are re-encoded.

A file is accepted when its first bytes are a JPEG/PNG/WebP signature, Pillow can decode it fully,
and the decoded format matches the signature. SVG (XML, may carry scripts), renamed scripts and
mislabelled files fail one of those. Accepted images are decoded, turned upright, downscaled and
saved again as JPEG: EXIF (GPS position, device), ICC profiles and anything appended to the file
are left behind.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

SIGNATURES = {
    "JPEG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "WEBP": (b"RIFF",),  # followed by size and b"WEBP" at offset 8, checked below
}
MAX_PIXELS = 40_000_000  # decompression-bomb guard
MAX_SIDE = 2000


class PhotoRejected(ValueError):
    pass


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes  # JPEG
    width: int
    height: int


def _sniff(head: bytes) -> str:
    for fmt, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            if fmt == "WEBP" and head[8:12] != b"WEBP":
                continue
            return fmt
    return ""


def clean_photo(data: bytes, *, max_bytes: int) -> CleanPhoto:
    if len(data) > max_bytes:
        raise PhotoRejected(_("Each photo must be at most %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024) or 1})
    if not data:
        raise PhotoRejected(_("The photo is empty."))
    sniffed = _sniff(data[:16])
    if not sniffed:
        raise PhotoRejected(_("Upload a JPEG, PNG or WebP photo."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != sniffed:
                    raise PhotoRejected(_("The file's contents don't match an image."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoRejected(_("The photo is too large."))
                probe.verify()  # structure and checksums
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = upright.convert("RGB")
    except PhotoRejected:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(_("That file isn't a readable image.")) from exc
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=85, optimize=True)  # no exif= / icc_profile=: metadata is dropped
    return CleanPhoto(content=out.getvalue(), width=rgb.width, height=rgb.height)
