"""Photo checks (pure): real images are re-encoded without metadata, anything else is refused."""
import io

import pytest
from PIL import Image

from returns.files.photos import PhotoRejected, clean_photo

LIMIT = 1024 * 1024


def image_bytes(fmt="JPEG", size=(64, 48), exif=True):
    out = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x8825] = {1: "N"}  # GPS IFD
        data[0x010F] = "SpyCam"
        kwargs["exif"] = data.tobytes()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_real_images_are_accepted_and_reencoded_as_jpeg(fmt):
    clean = clean_photo(image_bytes(fmt), max_bytes=LIMIT)
    assert clean.content.startswith(b"\xff\xd8") and (clean.width, clean.height) == (64, 48)


def test_metadata_is_stripped():
    raw = image_bytes()
    assert b"SpyCam" in raw
    clean = clean_photo(raw, max_bytes=LIMIT)
    assert b"SpyCam" not in clean.content
    assert not Image.open(io.BytesIO(clean.content)).getexif()


def test_appended_payload_is_dropped():
    clean = clean_photo(image_bytes() + b"<?php system($_GET['c']); ?>", max_bytes=LIMIT)
    assert b"php" not in clean.content


@pytest.mark.parametrize("data", [
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",  # SVG
    b"#!/bin/sh\nrm -rf /\n",  # a renamed script
    b"GIF89a" + b"\0" * 64,  # wrong magic bytes for what we accept
    b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10,  # right magic, broken body
    b"\x89PNG\r\n\x1a\n" + image_bytes("JPEG")[4:],  # PNG signature on JPEG data
    b"",
])
def test_non_images_are_rejected(data):
    with pytest.raises(PhotoRejected):
        clean_photo(data, max_bytes=LIMIT)


def test_oversized_is_rejected():
    with pytest.raises(PhotoRejected):
        clean_photo(image_bytes(), max_bytes=100)


def test_big_images_are_downscaled():
    clean = clean_photo(image_bytes(size=(4000, 1000)), max_bytes=10 * LIMIT)
    assert max(clean.width, clean.height) == 2000
