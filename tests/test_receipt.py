"""The counter receipt PDF, read back with pypdf (a reader nobody here wrote): its text, one
page, the sizes of large print, and its metadata."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pypdf
import pytest

from bot.language.receipt import Field, Print, Receipt, Section, file_name, render

CREATED = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
RECEIPT = Receipt(
    language="id",
    title="Tanda Terima Laporan",
    issuer="Kota Bandung, Loket Mal Pelayanan Publik",
    fields=(
        Field(
            "Kode laporan",
            "726-4183",
            "dibaca: tujuh dua enam, empat satu delapan tiga",
            prominent=True,
        ),
        Field("PIN", "482-913", "dibaca: empat delapan dua, sembilan satu tiga", prominent=True),
        Field("Tanggal", "25 November 2026, pukul 10.00 WIB"),
        Field("Kategori", "Pedagang kaki lima dan ketertiban"),
        Field("Batas waktu", "Diverifikasi dalam 3 hari kerja, paling lambat 30 November 2026"),
    ),
    sections=(
        Section(
            "Cara memeriksa status",
            (
                "Telegram: kirim kode laporan ke @lapor_bandung_bot.",
                "Telepon: 022-1500-000.",
                "SMS: kirim kode laporan ke 1708.",
            ),
        ),
        Section(
            "Mengikuti laporan di Telegram",
            (
                "Kirim kode dan PIN ke @lapor_bandung_bot, misalnya 726-4183 482913. PIN "
                "hanya bisa dipakai sekali. Jangan berikan PIN kepada orang lain.",
            ),
        ),
    ),
    footer="Simpan tanda terima ini.",
)


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _words(pdf: bytes) -> str:
    """The page's text with line breaks as spaces (wrapping differs between prints)."""
    return " ".join(_reader(pdf).pages[0].extract_text().split())


def _sizes(pdf: bytes) -> dict[str, float]:
    """The type size each run of text is drawn at."""
    found: dict[str, float] = {}

    def visit(text: str, cm: object, tm: object, font: object, size: float) -> None:
        if text.strip():
            found[text.strip()] = size

    _reader(pdf).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("size", list(Print))
def test_every_word_is_in_the_pdf_in_reading_order(size: Print) -> None:
    text = _words(render(RECEIPT, size, created=CREATED))
    expected = [RECEIPT.title, RECEIPT.issuer]
    for field in RECEIPT.fields:
        expected += [field.label, field.value, *([field.spoken] if field.spoken else [])]
    for section in RECEIPT.sections:
        expected += [section.heading, *section.lines]
    expected.append(RECEIPT.footer)
    position = 0
    for part in expected:
        found = text.find(part, position)
        assert found >= 0, f"{part!r} missing or out of order in {text!r}"
        position = found + len(part)


@pytest.mark.parametrize("size", list(Print))
def test_the_receipt_is_one_a4_page(size: Print) -> None:
    reader = _reader(render(RECEIPT, size, created=CREATED))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    # A4 in points: 210 x 297 mm.
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_large_print_is_large() -> None:
    large = _sizes(render(RECEIPT, Print.LARGE, created=CREATED))
    normal = _sizes(render(RECEIPT, Print.NORMAL, created=CREATED))
    # Body text at 18 points at least (low-vision advice), the code larger still.
    assert min(large.values()) >= 18
    assert large["726-4183"] >= 36
    assert large["726-4183"] > normal["726-4183"]
    assert all(large[text] > normal[text] for text in normal if text in large)


def _with_category(length: int) -> Receipt:
    words = "Pelayanan administrasi kependudukan di kantor kelurahan dan kecamatan " * 20
    return replace(RECEIPT, fields=(*RECEIPT.fields, Field("Kategori lain", words[:length])))


def test_a_receipt_too_long_for_one_page_is_shrunk_onto_it() -> None:
    pdf = render(_with_category(120), Print.LARGE, created=CREATED)
    assert len(_reader(pdf).pages) == 1
    assert 16 <= min(_sizes(pdf).values()) < 18
    crowded = replace(RECEIPT, fields=RECEIPT.fields + (RECEIPT.fields[4],) * 10)
    pdf = render(crowded, Print.NORMAL, created=CREATED)
    assert len(_reader(pdf).pages) == 1
    assert 9 <= min(_sizes(pdf).values()) < 11


def test_large_print_never_shrinks_below_sixteen_points() -> None:
    pdf = render(_with_category(1200), Print.LARGE, created=CREATED)
    assert min(_sizes(pdf).values()) >= 16 - 0.01
    assert len(_reader(pdf).pages) == 2


def test_letters_beyond_latin_1_survive() -> None:
    odd = replace(RECEIPT, issuer="Kota Bandung — Loket “Dago” № 5, Jalan Ir. H. Juanda")
    assert odd.issuer in _words(render(odd, created=CREATED))


def test_metadata_names_the_language_and_title() -> None:
    reader = _reader(render(RECEIPT, created=CREATED))
    assert reader.metadata is not None
    assert reader.metadata.title == RECEIPT.title
    assert reader.trailer["/Root"]["/Lang"] == "id"


def test_the_same_receipt_gives_the_same_bytes() -> None:
    assert render(RECEIPT, created=CREATED) == render(RECEIPT, created=CREATED)
    assert render(RECEIPT, created=CREATED) != render(RECEIPT, Print.LARGE, created=CREATED)


def test_file_names_say_the_code_and_the_print() -> None:
    assert file_name("726-4183", Print.NORMAL) == "tanda-terima-726-4183.pdf"
    assert file_name("726-4183", Print.LARGE) == "tanda-terima-726-4183-besar.pdf"
