from __future__ import annotations

import pytest

from bot.language.accessibility import (
    Finding,
    MessageContext,
    check_message,
    ends_with_question,
    questions,
)

C = MessageContext
STEP = MessageContext(is_step=True)
RELAY = MessageContext(is_staff_relay=True)
EN = MessageContext(locale="en")
DONE = MessageContext(status="Diarsipkan")
STAFF = MessageContext(audience="staff")
# A staff record: three lines of 192 characters, 578 in all.
RECORD = "\n".join(["Kalimat pendek. " * 12] * 3)
PLAIN = MessageContext()

GOOD: list[tuple[str, MessageContext]] = [
    ("Langkah 2 dari 8. Ketik isi laporan Anda. Apa yang terjadi?", STEP),
    (
        "Langkah 1 dari 8. Pilih klasifikasi laporan Anda.\n1. Pengaduan\n2. Aspirasi\n"
        "3. Permintaan informasi\nKetik nomor atau nama pilihan Anda.",
        C(is_step=True, buttons=("Pengaduan", "Aspirasi", "Permintaan informasi")),
    ),
    (
        "Laporan Anda sudah kami terima. Kode laporan Anda 726-4185, dibaca 7 2 6, 4 1 8 5. "
        "Laporan akan diverifikasi paling lambat 25 November 2026.",
        C(),
    ),
    (
        "Langkah 5 dari 8. Anda bisa mengetik hari ini, kemarin, atau tanggal seperti "
        "13 November 2026. Kapan kejadiannya?",
        C(is_step=True, buttons=("Hari ini", "Kemarin", "Lewati")),
    ),
    (
        "Untuk keadaan darurat, hubungi 112. Layanan ini juga bisa dihubungi lewat SMS 1708 "
        "atau telepon (022) 4234567.",
        C(),
    ),
    (
        "Balasan dari Dinas Sumber Daya Air dan Bina Marga untuk laporan 726-4185:\n"
        "Perbaikan jalan di RT 3 RW 5 dijadwalkan pada 2 Desember 2026 pukul 08.00 WIB.",
        RELAY,
    ),
    (
        "Laporan 726-4185 selesai ditindaklanjuti pada 13 November 2026 pukul 14.30 WIB. "
        "Apakah Anda puas dengan tindak lanjutnya?",
        C(buttons=("Puas", "Tidak puas")),
    ),
    ("Kode 726-4158 tidak benar. Periksa lagi angkanya, lalu ketik ulang kodenya.", C()),
    ("Terima kasih, laporan Anda sudah kami catat 🙏", C()),
    (
        "Laporan tentang air bersih PDAM diteruskan ke Perumda Tirtawening. Urusan KTP dan KK "
        "ditangani Disdukcapil, urusan PPDB oleh Dinas Pendidikan.",
        C(),
    ),
    (
        "Data pribadi Anda disimpan sesuai UU 27/2022 tentang Pelindungan Data Pribadi. "
        "Ketik setuju untuk melanjutkan.",
        C(buttons=("Setuju", "Tidak setuju")),
    ),
    (
        "Lokasi Anda sudah kami terima: Jalan Asia Afrika nomor 8, RT 3 RW 5, Kelurahan Braga, "
        "Kota Bandung.",
        C(),
    ),
    (
        "Instansi akan menanggapi dalam 5 hari kerja, paling lambat Jumat, 27 November 2026 "
        "pukul 23.59 WITA.",
        C(),
    ),
    (
        "Ketik batal untuk membatalkan, atau kembali untuk mengubah jawaban sebelumnya. "
        "Ketik bantuan jika Anda ragu.",
        C(),
    ),
    (
        "Langkah 3 dari 8. Pilih kategori laporan Anda.\n1. Jalan rusak\n2. Lampu jalan mati\n"
        "3. Pohon tumbang\n4. Pedagang kaki lima\n5. Sampah\n6. Air bersih\n"
        "7. Sekolah dan PPDB\n8. KTP, KK, dan akta\n9. Lainnya\nKetik nomornya.",
        STEP,
    ),
    (
        "Layanan dibuka setiap hari kerja pukul 08.00 sampai 16.00 WIB. Biaya formulir Rp 5.000, "
        "denda paling banyak Rp 1.500.000.",
        C(),
    ),
    ("Laporan 726-4185 dihapus dari daftar Anda. Data pribadi Anda sudah kami hapus.", C()),
    ("Step 2 of 8. Type what happened. What is your report about?", C(is_step=True, locale="en")),
    ("Your report 726-4185 was received on 13 November 2026 at 14:30 WIB.", EN),
    (
        "Status laporan 726-4185: Diarsipkan; laporan ini tidak diproses lebih lanjut.\n"
        "Keterangan petugas: laporan yang sama sudah ada.",
        C(status="Diarsipkan", entities=("phone_number",)),
    ),
]


@pytest.mark.parametrize(("text", "ctx"), GOOD)
def test_good_messages_have_no_findings(text: str, ctx: MessageContext) -> None:
    assert check_message(text, ctx) == []


def test_default_context() -> None:
    assert check_message("Laporan Anda sudah kami terima.") == []


def rules(text: str, ctx: MessageContext = PLAIN) -> set[int]:
    return {finding.rule for finding in check_message(text, ctx)}


# (rule, failing message, context) — each message should break that rule.
FAILING: list[tuple[int, str, MessageContext]] = [
    # rule 2: slash commands in prose
    (2, "Ketik /batal untuk membatalkan laporan.", C()),
    (2, "Untuk memulai lagi, ketik /start.", C()),
    (2, "Anda bisa mengetik kembali (/kembali) kapan saja.", C()),
    # rule 3: one question, last
    (3, "Apa yang terjadi? Di mana lokasinya?", C()),
    (3, "Apa yang terjadi? Ketik isi laporan Anda.", C()),
    (3, "Apakah data ini benar?\n1. Ya\n2. Tidak\nKetik nomornya.", C()),
    # rule 4: step header, no N/M
    (4, "Ketik isi laporan Anda.", STEP),
    (4, "Langkah 2/8. Ketik isi laporan Anda.", STEP),
    (4, "Langkah 2/8. Ketik isi laporan Anda.", C()),
    (4, "langkah 2 dari 8. Ketik isi laporan Anda.", STEP),
    (4, "Langkah 2 dari 8 Ketik isi laporan Anda.", STEP),
    (4, "Langkah 9 dari 8. Ketik isi laporan Anda.", STEP),
    (4, "Langkah 2 dari 8. Type what happened.", C(is_step=True, locale="en")),
    (4, "Layanan tersedia 24/7.", C()),
    # rule 5: length
    (5, "Laporan Anda sudah kami terima. " * 13, C()),
    (
        5,
        "Laporan Anda sudah kami terima dan akan segera diverifikasi oleh petugas kami sebelum "
        "diteruskan ke instansi yang berwenang untuk ditindaklanjuti sesuai aturan.",
        C(),
    ),
    (5, "Laporan " + "kata " * 19 + "akhir.", C()),  # 21 words
    (5, "Laporan diterima. " + "x" * 383, C()),  # 401 characters
    (5, RECORD, C()),  # to a citizen the whole message counts
    (5, "Laporan diterima. " + "x" * 383, STAFF),  # one line of 401 characters
    # rule 6: lists
    (6, "Pilih kategori.\n" + "\n".join(f"{n}. Kategori {n}" for n in range(1, 11)), C()),
    (6, "Pilih klasifikasi.\n1. Pengaduan\n3. Aspirasi", C()),
    (6, "Pilih klasifikasi.\n2. Pengaduan\n3. Aspirasi", C()),
    (6, "Pilih klasifikasi.\n1) Pengaduan\n2) Aspirasi", C()),
    (6, "Pilih klasifikasi.\n1.Pengaduan\n2.Aspirasi", C()),
    (6, "Pilih klasifikasi.\n1.  Pengaduan\n2.  Aspirasi", C()),
    (6, "Pilih klasifikasi: 1. Pengaduan, 2. Aspirasi, 3. Permintaan informasi.", C()),
    # rule 7: emoji
    (7, "Laporan Anda terkirim.", C(buttons=("✅ Kirim", "Ubah"))),
    (7, "✅ Laporan Anda terkirim.", C()),
    (7, "Laporan Anda terkirim. Terima kasih 🙏🙂", C()),
    (7, "Laporan Anda 📝 sudah kami terima.", C()),
    (7, "Pilih:\n1️⃣ Pengaduan", C()),
    (7, "Terima kasih 👍🏽 sudah melapor.", C()),
    (7, "Laporan dari 🇮🇩 kami terima.", C()),
    # rule 8: formatting markers
    (8, "*Penting*: simpan kode laporan Anda.", C()),
    (8, "Status: MENUNGGU_VERIFIKASI.", C()),
    (8, "Simpan kode laporan **726-4185**.", C()),
    (8, "Kode laporan Anda `726-4185`.", C()),
    (8, "Kode laporan Anda <b>726-4185</b>.", C()),
    (8, "Isi laporan: lampu &amp; rambu rusak.", C()),
    (8, "Jawaban: ||rahasia||.", C()),
    (8, "Lihat [panduan](https://lapor.go.id).", C()),
    (8, "Simpan kode laporan Anda 726-4185.", C(entities=("bold",))),
    (8, "Laporan ini penting.", C(entities=("italic",))),
    (8, "Kartu laporan 726-4185.", C(entities=("bold",), audience="staff")),
    # rule 10: dates
    (10, "Kejadian pada 13/11/2026 sudah dicatat.", C()),
    (10, "Kejadian pada 13-11-2026 sudah dicatat.", C()),
    (10, "Kejadian pada 13.11.2026 sudah dicatat.", C()),
    (10, "Kejadian pada 2026-11-13 sudah dicatat.", C()),
    (10, "Kejadian pada 13/11/26 sudah dicatat.", C()),
    (10, "Kejadian pada tanggal 13/11 sudah dicatat.", C()),
    (10, "Laporan bulan 11/2026 sudah direkap.", C()),
    (10, "Kejadian pada 13 Nov 2026 sudah dicatat.", C()),
    (10, "Kejadian pada 17 Agt 2026 sudah dicatat.", C()),
    (10, "Batas waktu 2 Des.", C()),
    (10, "Received on Nov 13, 2026.", EN),
    # rule 11: times
    (11, "Laporan diterima pukul 14:30 WIB.", C()),
    (11, "Laporan diterima jam 14.30 WIB.", C()),
    (11, "Laporan diterima 14.30 WIB.", C()),
    (11, "Laporan diterima pukul 14.30.", C()),
    (11, "Received at 14:30.", EN),
    # rule 12: codes
    (12, "Kode laporan Anda 7264185.", C()),
    (12, "Kode laporan Anda 726 4185.", C()),
    (12, "Kode laporan Anda LPR-2026-000123.", C()),
    (12, "Kode laporan Anda #726-4185.", C()),
    (12, "Lampiran laporan # 726-4185.", STAFF),
    # rule 13: abbreviations
    (13, "Sebutkan jalan, gang, dll.", C()),
    (13, "Lokasi: Jl. Asia Afrika.", C()),
    (13, "Lokasi: Jln Braga.", C()),
    (13, "Lokasi: Gg. Sukamaju.", C()),
    (13, "Ketik tgl kejadian.", C()),
    (13, "Laporan a.n. Budi sudah diterima.", C()),
    (13, "Formulir u/ pelapor sudah tersedia.", C()),
    (13, "Layanan buka Senin s.d. Jumat.", C()),
    (13, "Layanan buka Senin s/d Jumat.", C()),
    (13, "Lokasi: RT 03 RW 05, Kelurahan Braga.", C()),
    (13, "Lokasi: RT 03/RW 05, Kelurahan Braga.", C()),
    (13, "Lokasi: RT 3/RW 5, Kelurahan Braga.", C()),
    (13, "Lokasi: RT.3 RW.5, Kelurahan Braga.", C()),
    (13, "Lokasi: rumah No. 12.", C()),
    (13, "Lihat hlm 3 panduan.", C()),
    (13, "Kec. Sumur Bandung sudah kami hubungi.", C()),
    (13, "Hubungi telp. kantor kelurahan.", C()),
    (13, "Laporan yg Anda kirim sudah diterima.", C()),
    (13, "Terima kasih utk laporan Anda.", C()),
    (13, "Bring your ID, e.g. a passport.", EN),
    (13, "Lokasi: rumah # 12, Jalan Braga.", C()),
    (13, "Tulis nomor rumah setelah tanda #.", C()),
    (13, "Kami tunggu Anda @ kantor kelurahan.", C()),
    (13, "Lokasi: \u2068Jl. Braga.", C()),  # an isolate never closed sets nothing apart
    # rule 14 (and rule 2 above): links
    (14, "Lihat https://lapor.go.id untuk informasi.", C()),
    (14, "Lihat www.lapor.go.id untuk informasi.", C()),
    (14, "Hubungi kami di t.me/laporbandung.", C()),
    (14, "Lihat lapor.go.id untuk informasi.", C()),
    (14, "Hubungi @laporbandung untuk informasi.", C()),
    (14, "Kirim surel ke pengaduan@bandung.go.id.", C()),
    # rule 20: button labels are words a person types
    (20, "Pilih salah satu.", C(buttons=("« Kembali", "Lanjut"))),
    (20, "Pilih salah satu.", C(buttons=("/batal",))),
    (20, "Pilih salah satu.", C(buttons=("➡",))),
    (20, "Pilih salah satu.", C(buttons=("Kirim →",))),
    # rule 22: staff relay header
    (22, "Perbaikan jalan dijadwalkan minggu depan.", RELAY),
    (22, "Balasan dari Budi untuk laporan Anda: perbaikan minggu depan.", RELAY),
    (22, "Balasan untuk laporan 726-4185: perbaikan minggu depan.", RELAY),
    # rule 23: a status message states the code and the new status in its first sentence
    (23, "Laporan Anda sudah kami periksa. Status laporan 726-4185: Diarsipkan.", DONE),
    (23, "Status laporan Anda: Diarsipkan. Kodenya 726-4185.", DONE),
    (23, "Status laporan 726-4185 sudah berubah. Statusnya kini Diarsipkan.", DONE),
    (23, "Terima kasih atas penilaian Anda. Laporan 726-4185 ditutup.", C(status="ditutup")),
]


@pytest.mark.parametrize(("rule", "text", "ctx"), FAILING)
def test_failing_messages_are_caught(rule: int, text: str, ctx: MessageContext) -> None:
    assert rule in rules(text, ctx), check_message(text, ctx)


# (rule, passing message, context) — close to a failing one, but fine for that rule.
PASSING: list[tuple[int, str, MessageContext]] = [
    (2, "Ketik batal untuk membatalkan laporan.", C()),
    (2, "Dokumen KTP/KK dan/atau akta.", C()),
    (3, "Pilih kategori.\n1. Sampah\n2. Parkir\nNomor berapa yang Anda pilih?", C()),
    (3, "Apa klasifikasi laporan Anda?\n1. Pengaduan\n2. Aspirasi", C()),
    (3, "Apa yang terjadi? 🙂", C()),
    (3, "Laporan Anda sudah kami terima.", C()),
    (4, "Langkah 8 dari 8. Periksa jawaban Anda.", STEP),
    (4, "Langkah 2 dari 8.", STEP),
    (4, "Ketik isi laporan Anda.", C()),
    (4, "Step 1 of 8. Type what happened.", C(is_step=True, locale="en")),
    (5, "Laporan Anda sudah kami terima. " * 12, C()),
    (5, "Laporan " + "kata " * 18 + "akhir.", C()),  # exactly 20 words
    (5, "Laporan diterima. " + "x" * 382, C()),  # exactly 400 characters
    (5, RECORD, STAFF),  # a staff record is read a line at a time
    (5, "Kode laporan Anda 726-4185, dibaca 7 2 6, 4 1 8 5, simpan kode ini baik-baik ya.", C()),
    (6, "Pilih kategori.\n" + "\n".join(f"{n}. Kategori {n}" for n in range(1, 10)), C()),
    (6, "Langkah 2 dari 3. Tulis alamatnya.", STEP),
    (6, "Layanan dibuka pukul 14.30 WIB.\n15.00 WIB adalah batas antrean.", C()),
    (7, "Terima kasih sudah melapor. 🙏", C()),
    (7, "Terima kasih sudah melapor.", C(buttons=("Kirim", "Ubah", "Batal"))),
    (7, "Harga © 2026 dan arah → kanan.", C()),
    (8, "Kode laporan Anda 726-4185.", C()),
    (8, "Biaya 5% dari Rp 1.000.", C()),
    (8, "Lihat 726-4185 atau lapor.go.id.", C(entities=("url", "phone_number", "hashtag"))),
    (10, "Kejadian pada 13 November 2026 sudah dicatat.", C()),
    (10, "Kejadian pada Mei 2026 sudah dicatat.", C()),
    (10, "Sesuai UU 8/2016 dan Perpres 76/2013.", C()),
    (10, "Dalam 1-3 hari kerja.", C()),
    (10, "Jan Hendrik dan Des Alwi sudah hadir.", C()),
    (10, "Received on 13 November 2026.", EN),
    (11, "Laporan diterima pukul 14.30 WIB.", C()),
    (11, "Laporan diterima 13 November 2026 pukul 07.05 WIT.", C()),
    (11, "Layanan buka pukul 08.00 sampai 16.00 WIB.", C()),
    (11, "Received at 14:30 WIB.", EN),
    (11, "Biaya Rp 5.000 dan denda 2.50 persen.", C()),
    (12, "Kode laporan Anda 726-4185.", C()),
    (12, "Telepon (022) 4234567 atau 022-4234567.", C()),
    (12, "Hubungi +62 22 4234567.", C()),
    (12, "SMS 1708, darurat 112.", C()),
    (12, "#726-4185", STAFF),  # the staff group's tag for a report's files
    (13, "Air bersih PDAM, KTP, KK, PPDB, dan SMS 1708.", C()),
    (13, "Lokasi: Jalan Braga, RT 3 RW 5, Kelurahan Braga.", C()),
    (13, "Pasar dikelola PD Pasar Bermartabat dan RSUD.", C()),
    (13, "Ketik nomor pilihan Anda. Tidak ada yang berubah.", C()),
    (13, "Di kota. Di desa. Sudah sampai.", C()),
    (13, "Awali balasan dengan #catatan untuk catatan internal.", C(audience="staff")),
    (13, "Hubungi @laporbandung atau kirim ke nomor 12.", C()),
    (13, "Lokasi: \u2068Jl. Braga, RT 03/RW 05, dll.\u2069", STAFF),  # the citizen's own words
    (14, "Kami sudah ada di Kota Bandung. Ada yang lain.", C()),
    (14, "Waktu 14.30 WIB dan harga Rp 1.500.", C()),
    (20, "Pilih salah satu.", C(buttons=("Kembali", "Tidak puas", "Anonim dan rahasia"))),
    (20, "Pilih salah satu.", C(buttons=("Ya, kirim", "Lewati"))),
    (22, "Balasan dari Dinas Perhubungan untuk laporan 726-4185: lampu diperbaiki.", RELAY),
    (22, "Perbaikan jalan dijadwalkan minggu depan.", C()),
    (
        22,
        "Reply from Dinas Perhubungan for report 726-4185: fixed.",
        C(is_staff_relay=True, locale="en"),
    ),
    (23, "Status laporan 726-4185: Diarsipkan; laporan ini tidak diproses lebih lanjut.", DONE),
    (23, "Laporan 726-4185 ditutup. Terima kasih atas penilaian Anda.", C(status="ditutup")),
    (23, "Report 726-4185: Archived; it is not taken further.", C(status="Archived")),
    (23, "Terima kasih sudah melapor.", C()),
]


@pytest.mark.parametrize(("rule", "text", "ctx"), PASSING)
def test_passing_messages_are_not_flagged_for_that_rule(
    rule: int, text: str, ctx: MessageContext
) -> None:
    assert rule not in rules(text, ctx), check_message(text, ctx)


def test_every_implemented_rule_has_both_a_failing_and_a_passing_case() -> None:
    implemented = {2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 20, 22, 23}
    assert {rule for rule, _, _ in FAILING} == implemented
    assert {rule for rule, _, _ in PASSING} == implemented


def test_questions_are_found_and_the_last_sentence_told() -> None:
    text = "Di mana lubangnya? Mohon kirim fotonya. Kapan terjadinya?"
    assert questions(text) == ["Di mana lubangnya?", "Kapan terjadinya?"]
    assert ends_with_question(text)
    assert not ends_with_question("Di mana lubangnya? Mohon kirim fotonya.")
    assert ends_with_question("Apa jenis laporan Anda?\n1. Pengaduan\n2. Aspirasi")
    assert questions("Mohon kirim fotonya.") == []


def test_findings_are_ordered_and_explain_themselves() -> None:
    findings = check_message("✅ *Kode*: 7264185, tgl 13/11/2026. Ketik /status?")
    assert findings == sorted(findings, key=lambda f: f.rule)
    assert {f.rule for f in findings} >= {2, 7, 8, 10, 12, 13}
    assert all(isinstance(f, Finding) and f.message for f in findings)


def test_a_step_message_with_only_a_header_and_a_list() -> None:
    text = (
        "Langkah 7 dari 8. Pilih privasi laporan.\n"
        "1. Biasa\n2. Anonim\n3. Rahasia\n4. Anonim dan rahasia"
    )
    assert check_message(text, STEP) == []


def test_long_staff_reply_is_warned_but_header_is_fine() -> None:
    text = "Balasan dari Satpol PP untuk laporan 726-4185:\n" + "Petugas sudah datang. " * 25
    assert rules(text, RELAY) == {5}
