"""The monthly export: a CSV of the month's reports in the staff group, with no personal data."""

from __future__ import annotations

import csv
import io

from bot.core.lifecycle import Privacy
from bot.core.tracking import format_code
from bot.sandbox.emulator import Emulator, User
from tests import factories
from tests.harness import Harness
from tests.staff_helpers import Staff, settled
from tests.steps import CONTENT
from tests.test_statistics import answer, ask, forward


async def test_ekspor_sends_the_months_reports_without_personal_data(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    named = await factories.report(harness, citizen, privacy=Privacy.BIASA)
    other = emulator.add_user(first_name="Budi", last_name="Santoso", username="budi_s")
    hidden = await factories.report(harness, other)  # anonim
    await forward(emulator, staff, named)
    await answer(emulator, staff, named)
    await settled(emulator)

    [document] = await ask(emulator, staff, "/ekspor 2026-11")

    assert document.media == "document"
    assert document.content["document"]["file_name"] == "laporan-2026-11.csv"
    assert document.caption == (
        "Laporan yang masuk pada November 2026: 2 laporan, satu baris per laporan. "
        "Berkas ini tanpa data pribadi pelapor."
    )
    data = emulator.store.files[document.file_id].content()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == [
        "Kode laporan", "Tanggal masuk", "Klasifikasi", "Kategori", "Instansi", "Status",
        "Tanggal diteruskan", "Batas tanggapan pertama", "Tanggal tanggapan pertama",
        "Hari kerja sampai tanggapan", "Tanggapan tepat waktu", "Tanggal selesai", "Privasi",
        "Penilaian pelapor", "Saluran", "Kode kecamatan", "Kecamatan", "Kode kelurahan",
        "Kelurahan",
    ]  # fmt: skip
    assert rows[1:] == [
        [
            format_code(named), "2026-11-25", "Pengaduan", "Jalan rusak",
            "Dinas Sumber Daya Air dan Bina Marga", "Ditindaklanjuti", "2026-11-25",
            "2026-12-02", "2026-11-25", "0", "Tepat waktu", "", "Biasa", "", "Telegram",
            "", "", "", "",
        ],
        [
            format_code(hidden), "2026-11-25", "Pengaduan", "Jalan rusak",
            "Dinas Sumber Daya Air dan Bina Marga", "Menunggu verifikasi", "", "", "", "",
            "Belum diteruskan", "", "Anonim", "", "Telegram", "", "", "", "",
        ],
    ]  # fmt: skip
    text = data.decode("utf-8")
    for person in (citizen, other):
        for personal in (person.first_name, person.last_name, person.username, str(person.id)):
            assert personal and personal not in text
    assert CONTENT not in text and "Braga" not in text, "no free text a citizen wrote"


async def test_ekspor_of_an_empty_month_and_of_a_wrong_month(
    harness: Harness, emulator: Emulator, staff: Staff
) -> None:
    [empty] = await ask(emulator, staff, "/ekspor")
    assert empty.text == "Tidak ada laporan yang masuk pada November 2026."
    [usage] = await ask(emulator, staff, "/ekspor November")
    assert usage.text == "Tulis tahun dan bulan setelah perintahnya, misalnya: /ekspor 2026-11"
    [usage] = await ask(emulator, staff, "/ekspor 2026-13")
    assert usage.text.startswith("Tulis tahun dan bulan")
