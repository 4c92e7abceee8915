"""The staff side end to end: a verifier and an agency officer in a forum group."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.core.transitions import Action
from bot.sandbox.emulator import Emulator, User
from storage.models import AuditEntry
from tests import factories
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, settled, topic_named
from tests.steps import code_in, file_report, reports, texts


async def test_a_reports_whole_life_as_citizen_and_staff_see_it(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await file_report(citizen)
    await settled(emulator)
    verifikasi = topic_named(staff.group, "Verifikasi")
    card = card_of(emulator, staff.group, code, verifikasi)
    assert "Jalan rusak" in (card.text or "") and "Pelapor: anonim." in (card.text or "")
    assert "Siti" not in (card.text or ""), "an anonim report shows no identity"

    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    notice = texts(emulator.bot_messages(citizen))[-1]
    assert notice.startswith(
        f"Status laporan {format_code(code)}: Diteruskan ke Dinas Sumber Daya Air"
    )
    agency_topic = topic_named(staff.group, "Dinas Sumber Daya Air dan Bina Marga")
    agency_card = card_of(emulator, staff.group, code, agency_topic)
    mine = texts(await citizen.say("laporan saya"))[-1]
    assert f"{format_code(code)}, Jalan rusak, Diteruskan ke Dinas Sumber Daya Air" in mine
    await citizen.say("menu")

    await staff.officer.say_in(
        staff.group,
        "Tim kami akan memeriksa lokasi besok pagi.",
        thread_id=agency_topic,
        reply_to=agency_card.message_id,
        expect=0,
    )
    await settled(emulator)
    relay, status = texts(emulator.bot_messages(citizen))[-2:]
    assert relay == (
        f"Balasan dari Dinas Sumber Daya Air dan Bina Marga untuk laporan {format_code(code)}:\n"
        "Tim kami akan memeriksa lokasi besok pagi."
    )
    assert "Agus" not in relay
    assert "Sedang ditindaklanjuti" in status

    agency_card = card_of(emulator, staff.group, code, agency_topic)
    await staff.officer.press_in(staff.group, agency_card.message_id, "Selesai", expect=0)
    await settled(emulator)
    done, rating = texts(emulator.bot_messages(citizen))[-2:]
    assert "Selesai ditindaklanjuti" in done
    assert rating.endswith("Apakah Anda puas dengan tanggapannya?")
    [report] = await reports(harness)
    assert report.status is Status.SELESAI
    assert [e.to_status for e in report.events] == [
        Status.MENUNGGU_VERIFIKASI,
        Status.DITERUSKAN,
        Status.DITERUSKAN,  # the relayed reply
        Status.DITINDAKLANJUTI,
        Status.SELESAI,
    ]
    assert all(m.reply_to_message_id is None for m in emulator.bot_messages(citizen))


async def test_forged_presses_and_members_without_rights_change_nothing(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    card = card_of(emulator, staff.group, code)

    await staff.officer.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    # A modified client sends callback data the bot never made.
    button = card.reply_markup["inline_keyboard"][0][0]
    button["callback_data"] = "r1:teruskan:1234567:dishub"
    await staff.verifier.press_in(staff.group, card.message_id, button["text"], expect=0)
    await settled(emulator)

    alerts = [a for a in emulator.callback_answers if a.text]
    assert [a.show_alert for a in alerts] == [True, True], "refusals are read aloud"
    assert (
        alerts[0].text
        == f"Hanya admin grup yang dapat melakukan ini pada laporan {format_code(code)}."
    )
    assert alerts[1].text == "Tombol ini tidak dikenali. Gunakan tombol pada kartu laporan terbaru."
    [report] = await reports(harness)
    assert report.status is Status.MENUNGGU_VERIFIKASI
    async with harness.services.sessionmaker() as session:
        query = select(AuditEntry).where(~AuditEntry.allowed).order_by(AuditEntry.id)
        refused = (await session.execute(query)).scalars().all()
    assert [(r.actor_user_id, r.detail) for r in refused] == [
        (staff.officer.id, "not_allowed"),
        (staff.verifier.id, "unknown_button"),
    ]


async def test_a_wrong_transition_by_command_is_refused_with_the_status(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    card = card_of(emulator, staff.group, code)
    await staff.officer.say_in(
        staff.group,
        f"/selesai {format_code(code)} Sudah diperbaiki.",
        thread_id=card.thread_id,
        expect=0,
    )
    await settled(emulator)
    answer = texts(emulator.bot_messages(staff.group))[-1]
    assert answer == (
        f"Laporan {format_code(code)} berstatus Menunggu verifikasi, "
        "jadi tindakan ini tidak bisa dilakukan."
    )
    [report] = await reports(harness)
    assert report.status is Status.MENUNGGU_VERIFIKASI


async def test_a_held_report_returns_to_verification_with_the_citizens_answer(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    card = card_of(emulator, staff.group, code)
    await staff.verifier.say_in(
        staff.group,
        "#tunda Mohon sebutkan nomor rumah terdekat.",
        thread_id=card.thread_id,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)
    notice = emulator.bot_messages(citizen)[-1]
    assert "Ditunda, menunggu keterangan pelapor" in (notice.text or "")
    assert "Keterangan petugas: Mohon sebutkan nomor rumah terdekat." in (notice.text or "")

    await citizen.say("Di depan rumah nomor 14.", reply_to=notice.message_id)
    await settled(emulator)
    seen = texts(emulator.bot_messages(citizen))
    ack = f"Keterangan Anda untuk laporan {format_code(code)} sudah kami teruskan ke petugas."
    assert ack in seen[-2:]
    assert "Keterangan petugas" not in seen[-1] + seen[-2], (
        "the citizen's words are not an officer's"
    )
    [report] = await reports(harness)
    assert report.status is Status.MENUNGGU_VERIFIKASI
    staff_side = texts(emulator.bot_messages(staff.group))
    assert any("Tambahan dari pelapor" in t and "Di depan rumah nomor 14." in t for t in staff_side)


async def done_report(harness: Harness, emulator: Emulator, citizen: User, staff: Staff) -> int:
    """A report taken through forward, follow-up and done; returns its code."""
    done = (Action.FORWARD, Action.START, Action.COMPLETE)
    return await factories.report(harness, citizen, then=done, by=staff.verifier)


async def test_tidak_puas_with_a_reason_reopens_the_report(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await done_report(harness, emulator, citizen, staff)
    question = texts(emulator.bot_messages(citizen))[-1]
    assert question.endswith("Apakah Anda puas dengan tanggapannya?")
    assert "1. Puas\n2. Tidak puas" in question

    assert "Apa yang belum sesuai" in texts(await citizen.say("2"))[-1]
    reopened = await citizen.say("Lubangnya hanya ditutup pasir, bukan diaspal.")
    assert f"Laporan {format_code(code)} dibuka kembali" in " ".join(texts(reopened))
    await settled(emulator)
    [report] = await reports(harness)
    assert report.status is Status.DITINDAKLANJUTI
    assert (report.rating, report.rating_reason) == (
        "tidak_puas",
        "Lubangnya hanya ditutup pasir, bukan diaspal.",
    )
    card = card_of(emulator, staff.group, code)
    assert "Status: Sedang ditindaklanjuti." in (card.text or "")
    assert card.button_labels == ["Selesai", "Kembalikan"]
    # The agency must notice: a note under the card, with the citizen's reason.
    note = emulator.bot_messages(staff.group)[-1]
    assert (note.reply_to_message_id, note.text) == (
        card.message_id,
        f"Laporan {format_code(code)}: Sedang ditindaklanjuti. Oleh pelapor.\n"
        "\u2068Lubangnya hanya ditutup pasir, bukan diaspal.\u2069",
    )


async def test_puas_closes_the_report_for_good(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await done_report(harness, emulator, citizen, staff)
    thanks = await citizen.say("puas")
    assert (
        texts(thanks)[0]
        == f"Laporan {format_code(code)} ditutup. Terima kasih atas penilaian Anda."
    )
    [report] = await reports(harness)
    assert report.rating == "puas" and report.closed_at is not None


async def test_after_the_dispute_window_a_report_stays_closed(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await done_report(harness, emulator, citizen, staff)
    harness.clock.advance(days=15)  # more than 10 working days
    assert harness.application is not None and harness.application.job_queue is not None
    [job] = harness.application.job_queue.get_jobs_by_name("watch_deadlines")
    await job.run(harness.application)
    await settled(emulator)
    assert texts(emulator.bot_messages(citizen))[-1] == (
        f"Laporan {format_code(code)} kini ditutup. Terima kasih sudah melapor."
    )
    await citizen.say("tidak puas")
    late = await citizen.say("Jalannya berlubang lagi setelah hujan.")
    assert "Masa sanggah sudah lewat" in texts(late)[0]
    [report] = await reports(harness)
    assert report.status is Status.SELESAI and report.closed_at is not None


async def test_a_report_handed_back_is_reassigned_to_another_agency(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    card = card_of(emulator, staff.group, code)
    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    card = card_of(emulator, staff.group, code)
    await staff.officer.press_in(staff.group, card.message_id, "Kembalikan", expect=0)
    await settled(emulator)
    card = card_of(emulator, staff.group, code, topic_named(staff.group, "Verifikasi"))
    await staff.verifier.press_in(staff.group, card.message_id, "Instansi lain", expect=0)
    await settled(emulator)
    choice = [
        m for m in emulator.bot_messages(staff.group) if "Pilih instansi tujuan" in (m.text or "")
    ][-1]
    await staff.verifier.press_in(staff.group, choice.message_id, "Teruskan ke Dishub", expect=0)
    await settled(emulator)
    [report] = await reports(harness)
    assert (report.status, report.agency) == (Status.DITERUSKAN, "dishub")
    assert card_of(emulator, staff.group, code, topic_named(staff.group, "Dinas Perhubungan"))
    assert "Diteruskan ke Dinas Perhubungan" in texts(emulator.bot_messages(citizen))[-1]


async def test_notes_stay_internal_and_photos_reach_the_citizen_without_the_sender(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    card = card_of(emulator, staff.group, code)
    before = len(emulator.bot_messages(citizen))
    await staff.verifier.say_in(
        staff.group,
        "#catatan Pelapor pernah melapor hal serupa.",
        thread_id=card.thread_id,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)
    assert len(emulator.bot_messages(citizen)) == before, "a note never reaches the citizen"

    await staff.verifier.send_photo_in(
        staff.group,
        reply_to=card.message_id,
        thread_id=card.thread_id,
        caption="Foto lokasi.",
        expect=0,
    )
    await settled(emulator)
    header, photo = emulator.bot_messages(citizen)[-2:]
    assert header.text == (
        f"Balasan dari Dinas Komunikasi dan Informatika untuk laporan {format_code(code)}:"
    )
    assert photo.media == "photo" and photo.caption == "Foto lokasi."
    assert "forward_origin" not in photo.raw and "Dina" not in str(photo.raw)
    [report] = await reports(harness)
    assert [e.internal_note for e in report.events if e.internal_note] == [
        "Pelapor pernah melapor hal serupa."
    ]


async def test_the_card_escapes_user_text_and_files_follow_it(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    await citizen.say("/start")
    await citizen.say("1")
    await citizen.say("1")
    await citizen.say("1")
    await citizen.say("Saluran <b>tersumbat</b> & bau sejak Senin di gang <sekolah>.")
    for answer in ("1", "lewati", "lewati"):
        await citizen.say(answer)
    await citizen.send_photo()
    await citizen.send_document(file_name="surat.pdf", mime_type="application/pdf")
    for answer in ("selesai", "1"):
        await citizen.say(answer)
    code = code_in(await citizen.say("kirim"))
    await settled(emulator)
    card = card_of(emulator, staff.group, code)
    assert "Saluran <b>tersumbat</b> & bau sejak Senin di gang <sekolah>." in (card.text or "")
    named = "Pelapor: \u2068Siti Rahma (@siti)\u2069."
    assert named in (card.text or ""), "not anonim: staff see who"
    after = [m for m in emulator.bot_messages(staff.group) if m.message_id > card.message_id]
    assert [m.media for m in after[:2]] == ["photo", "document"]
    assert all(m.thread_id == card.thread_id for m in after[:2])

    # Forwarded, the report's files follow its new card into the agency's topic.
    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke Disdik", expect=0)
    await settled(emulator)
    agency_topic = topic_named(staff.group, "Dinas Pendidikan")
    in_topic = emulator.bot_messages(staff.group, thread_id=agency_topic)
    assert [m.media for m in in_topic if m.media] == ["photo", "document"]
    assert [m.button_labels for m in in_topic if m.button_labels] == [
        ["Tindak lanjuti", "Kembalikan"]
    ]


async def test_staff_commands_show_the_queue_a_report_and_search_results(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    thread = topic_named(staff.group, "Verifikasi")
    await staff.officer.say_in(staff.group, "/antrean", thread_id=thread, expect=0)
    await staff.officer.say_in(staff.group, f"/laporan {code}", thread_id=thread, expect=0)
    await staff.officer.say_in(staff.group, "/cari berlubang", thread_id=thread, expect=0)
    await staff.officer.say_in(staff.group, "/cari kebakaran", thread_id=thread, expect=0)
    # A wildcard typed by staff is searched for as written, never matching everything.
    await staff.officer.say_in(staff.group, "/cari %", thread_id=thread, expect=0)
    await settled(emulator)
    queue, report, found, nothing, literal = texts(emulator.bot_messages(staff.group))[-5:]
    assert queue == (
        "Antrean laporan terbuka, batas waktu terdekat di atas:\n"
        f"{format_code(code)}, Jalan rusak, Menunggu verifikasi, sisa 3 hari kerja."
    )
    assert report.startswith(f"Laporan {format_code(code)}, Pengaduan.")
    assert "Riwayat:\n25 November 2026 pukul 10.00 WIB, laporan diterima" in report
    assert found.endswith(
        f"{format_code(code)}, Jalan rusak, Menunggu verifikasi, sisa 3 hari kerja."
    )
    assert nothing == literal == "Tidak ada laporan yang cocok."


async def test_a_member_restricted_in_the_staff_group_keeps_no_staff_rights(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    """Muted, or restricted and gone (is_member false): Telegram says "restricted", and
    such a member may no longer act on reports (issue 15)."""
    code = await factories.report(harness, citizen)
    card = card_of(emulator, staff.group, code)
    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    agency_topic = topic_named(staff.group, "Dinas Sumber Daya Air dan Bina Marga")
    agency_card = card_of(emulator, staff.group, code, agency_topic)
    for is_member in (True, False):
        member = emulator.store.member(staff.group, staff.officer.id)
        member.status, member.rights = "restricted", {"is_member": is_member}
        await staff.officer.press_in(
            staff.group, agency_card.message_id, "Tindak lanjuti", expect=0
        )
        await settled(emulator)
    [report] = await reports(harness)
    assert report.status is Status.DITERUSKAN, "no staff member pressed it"
    async with harness.services.sessionmaker() as session:
        query = select(AuditEntry).where(~AuditEntry.allowed).order_by(AuditEntry.id)
        refused = (await session.execute(query)).scalars().all()
    assert [r.actor_user_id for r in refused] == [staff.officer.id, staff.officer.id]
