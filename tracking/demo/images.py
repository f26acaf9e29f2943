"""The demo's pictures, drawn here and kept in static/doorstep/demo/ so the app serves them itself
(no external hosts): one product picture per catalogue category and a proof-of-delivery photo.

Regenerate with ``python -m tracking.demo.images`` after changing the drawings."""
from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parents[2] / "static" / "doorstep" / "demo"
PROOF_PHOTO = "doorstep/demo/proof-of-delivery.jpg"

# Category → (background, object colour, shape)
_PRODUCTS = {
    "bedding": ("#f3e8d8", "#8a3b12", "rect"), "kitchen": ("#e6efe9", "#1f6f5c", "bowl"),
    "decor": ("#f6e7ea", "#9d174d", "vase"), "bath": ("#e5f0f6", "#1d4ed8", "rect"),
    "lighting": ("#fdf6d8", "#b45309", "lamp"), "tents": ("#e7f0e2", "#15803d", "tent"),
    "sleeping": ("#ece8f6", "#5b21b6", "rect"), "cooking": ("#f1ece6", "#57534e", "bowl"),
    "apparel": ("#e6eefb", "#1e3a8a", "shirt"), "packs": ("#f6ebe1", "#c2410c", "pack"),
}


def product_image(category: str) -> str:
    """The static path of a category's picture (every demo product of that category shares it)."""
    return f"doorstep/demo/{category if category in _PRODUCTS else 'decor'}.png"


def _draw_product(draw, shape: str, colour: str, size: int) -> None:
    c, s = size // 2, size
    if shape == "rect":
        draw.rounded_rectangle((s * .2, s * .35, s * .8, s * .72), radius=s * .06, fill=colour)
        draw.rounded_rectangle((s * .2, s * .35, s * .8, s * .45), radius=s * .06, fill="#ffffff80")
    elif shape == "bowl":
        draw.pieslice((s * .2, s * .15, s * .8, s * .75), 0, 180, fill=colour)
        draw.rectangle((s * .4, s * .72, s * .6, s * .78), fill=colour)
    elif shape == "vase":
        draw.ellipse((s * .3, s * .35, s * .7, s * .8), fill=colour)
        draw.rectangle((s * .43, s * .2, s * .57, s * .45), fill=colour)
    elif shape == "lamp":
        draw.polygon([(s * .3, s * .45), (s * .7, s * .45), (s * .6, s * .2), (s * .4, s * .2)], fill=colour)
        draw.rectangle((s * .48, s * .45, s * .52, s * .75), fill="#44403c")
        draw.rectangle((s * .35, s * .75, s * .65, s * .8), fill="#44403c")
    elif shape == "tent":
        draw.polygon([(c, s * .2), (s * .85, s * .78), (s * .15, s * .78)], fill=colour)
        draw.polygon([(c, s * .45), (s * .6, s * .78), (s * .4, s * .78)], fill="#ffffff")
    elif shape == "shirt":
        draw.polygon([(s * .3, s * .25), (s * .7, s * .25), (s * .85, s * .4), (s * .72, s * .48), (s * .72, s * .8),
                      (s * .28, s * .8), (s * .28, s * .48), (s * .15, s * .4)], fill=colour)
    else:  # pack
        draw.rounded_rectangle((s * .28, s * .2, s * .72, s * .82), radius=s * .1, fill=colour)
        draw.rounded_rectangle((s * .36, s * .5, s * .64, s * .72), radius=s * .04, fill="#ffffff55")


def generate(directory: Path = STATIC_DIR) -> list[Path]:
    from PIL import Image, ImageDraw

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for category, (background, colour, shape) in _PRODUCTS.items():
        image = Image.new("RGB", (320, 320), background)
        _draw_product(ImageDraw.Draw(image, "RGBA"), shape, colour, 320)
        path = directory / f"{category}.png"
        image.save(path, optimize=True)
        written.append(path)
    # Proof of delivery: a parcel on a doorstep, as a courier's phone would take it.
    photo = Image.new("RGB", (480, 360), "#d6d3d1")
    draw = ImageDraw.Draw(photo)
    draw.rectangle((140, 20, 340, 280), fill="#7c2d12")  # the door
    draw.ellipse((300, 150, 316, 166), fill="#fbbf24")
    draw.rectangle((0, 280, 480, 360), fill="#a8a29e")  # the step
    draw.rectangle((190, 210, 300, 300), fill="#c08a4d")  # the parcel
    draw.rectangle((240, 210, 250, 300), fill="#e7d3b1")
    draw.rectangle((200, 250, 232, 270), fill="#ffffff")
    path = directory / "proof-of-delivery.jpg"
    photo.save(path, quality=70, optimize=True)
    written.append(path)
    return written


if __name__ == "__main__":
    for written in generate():
        print(written)
