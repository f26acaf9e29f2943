"""Return labels for the mock carrier: a printable PDF (addresses, RMA reference, Code 39 barcode and
a QR code of the tracking number) or, for label-free drop-off, a QR code PNG plus instructions."""
from __future__ import annotations

import io
import os
from functools import lru_cache

import qrcode
from fpdf import FPDF

from tracking.carriers.base import Address, LabelRequest

# Korean (and other CJK) addresses need a font with those glyphs; Helvetica is latin-1 only.
# The first file that exists wins; without one, unprintable characters become "?" rather than failing.
CJK_FONT_CANDIDATES = (
    os.environ.get("DOORSTEP_LABEL_FONT", ""),
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


@lru_cache(maxsize=1)
def _unicode_font() -> str:
    for path in CJK_FONT_CANDIDATES:
        if path and os.path.isfile(path):
            return path
    return ""


def qr_png(data: str, *, box_size: int = 8) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def _address_lines(address: Address) -> list[str]:
    lines = [address.name, address.line1]
    if address.line2:
        lines.append(address.line2)
    lines.append(" ".join(part for part in (address.postal_code, address.city, address.region) if part))
    lines.append(address.country.upper())
    if address.phone:
        lines.append(address.phone)
    return [line for line in lines if line]


def _all_text(request: LabelRequest) -> str:
    return "\n".join(_address_lines(request.from_address) + _address_lines(request.to_address) + [request.reference])


def label_pdf(request: LabelRequest, tracking_number: str, *, service: str) -> bytes:
    pdf = FPDF(unit="mm", format=(102, 152))  # 4x6 inch thermal label
    pdf.set_auto_page_break(False)
    pdf.set_margins(5, 5, 5)
    pdf.add_page()
    family = "helvetica"
    needs_unicode = not _all_text(request).isascii()
    font_path = _unicode_font() if needs_unicode else ""
    if font_path:
        options = {"collection_font_number": 1} if font_path.endswith(".ttc") else {}  # index 1 = Korean
        pdf.add_font("label", fname=font_path, **options)
        family = "label"

    def text(value: str) -> str:
        if family != "helvetica":
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def block(title: str, address: Address, size: int) -> None:
        pdf.set_font(family, size=7)
        pdf.cell(0, 4, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=size)
        for line in _address_lines(address):
            pdf.cell(0, size * 0.45, text(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    pdf.set_font(family, size=14)
    pdf.cell(0, 7, "PARCELWAY  " + service.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.line(5, pdf.get_y() + 1, 97, pdf.get_y() + 1)
    pdf.ln(3)
    block("FROM", request.from_address, 9)
    block("SHIP TO", request.to_address, 12)
    pdf.set_font(family, size=10)
    pdf.cell(0, 5, text(f"RMA {request.reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Weight {request.weight_grams / 1000:.2f} kg", new_x="LMARGIN", new_y="NEXT")
    pdf.code39(f"*{tracking_number}*", x=5, y=102, w=0.22, h=16)
    pdf.set_xy(5, 119)
    pdf.set_font("courier", size=9)
    pdf.cell(0, 4, tracking_number)
    pdf.image(io.BytesIO(qr_png(tracking_number, box_size=4)), x=70, y=122, w=27, h=27)
    return bytes(pdf.output())


def drop_off_instructions(reference: str, *, language: str = "") -> str:
    """The carrier's own words, in the shopper's language when it speaks it (Korean or English)."""
    if language.startswith("ko"):
        return (f"반품 {reference}: 프린터가 필요 없습니다. 상품을 포장해 14일 안에 가까운 Parcelway 접수처나 "
                "보관함에 맡기고 이 QR 코드를 보여 주세요. 접수처에서 라벨을 출력하고 영수증을 드립니다.")
    return (
        f"Return {reference}: no printer needed. Pack the items, take the parcel to any Parcelway "
        "parcel shop or locker within 14 days, and show this QR code at the counter. "
        "The shop prints the label and gives you a receipt."
    )


def label_instructions(*, language: str = "") -> str:
    if language.startswith("ko"):
        return "라벨을 출력해 기존 라벨 위에 붙이고 가까운 Parcelway 접수처에 맡겨 주세요."
    return "Print the label, tape it over any old labels, and drop the parcel at a Parcelway point."
