"""Hapus data: a read-back, a typed confirmation, then the person is gone and the reports stay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.lifecycle import Privacy
from bot.core.tracking import format_code
from bot.delivery.dispatcher import start_delivery, stop_delivery
from bot.sandbox.emulator import Chat, Emulator, User
from storage.erasure import ERASED_ACTION, ERASED_ERROR
from storage.models import AuditEntry, Draft, OutboxMessage, Reporter
from tests import factories
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.privacy_helpers import everything_stored, traces
from tests.staff_helpers import card_of, settled
from tests.steps import CONTENT, count, last, reports, texts

# A Telegram id no other number in the database resembles.
SITI_ID = 73459876


@pytest.fixture
def siti(emulator: Emulator) -> User:
    return emulator.add_user(first_name="Siti", last_name="Rahma", username="siti", user_id=SITI_ID)


@pytest.fixture
def group(harness: Harness, emulator: Emulator) -> Chat:
    return emulator.chat(harness.admin_chat_id)


@pytest.fixture
def verifier(emulator: Emulator, group: Chat) -> User:
    dina = emulator.add_user(first_name="Dina", username="dina_verifikator")
    emulator.add_group_member(group, dina, admin=True)
    return dina


def traces_of_siti(text: str) -> list[str]:
    """Siti's name, username or Telegram id wherever they appear."""
    return traces(text, "siti", "rahma", user_id=SITI_ID)


async def test_hapusdata_reads_back_what_is_kept_and_erases_it_on_a_typed_number(
    harness: Harness, emulator: Emulator, siti: User, group: Chat, verifier: User
) -> None:
    code = await factories.report(harness, siti, privacy=Privacy.BIASA)
    await settled(emulator)
    assert "Pelapor: \u2068Siti Rahma (@siti)\u2069." in (card_of(emulator, group, code).text or "")
    await siti.say("1")
    await siti.say("1")  # a second report is under way: a draft at step 2
    assert await count(harness, Draft) == 1
    await verifier.say_in(group, f"/laporan {format_code(code)}", expect=0)
    await settled(emulator)
    assert traces_of_siti(await everything_stored(harness)), "the search finds what is there"

    readback, question = await siti.say("hapusdata", expect=2)
    assert readback.text == (
        "Data pribadi Anda yang kami simpan:\n"
        "Nama: Siti Rahma.\n"
        "Nama pengguna Telegram: siti.\n"
        "Nomor akun Telegram Anda, agar kami bisa membalas di obrolan ini.\n"
        "Nomor telepon: tidak pernah kami simpan.\n"
        "Jumlah laporan: 1.\n"
        "Satu laporan yang belum selesai, yang juga akan dihapus."
    )
    assert question.text == (
        "Jika data dihapus, laporan Anda tetap ada dan tetap ditangani tanpa nama Anda. "
        "Namun Anda tidak bisa lagi mengikutinya di obrolan ini.\n"
        "1. Ya, hapus\n2. Tidak, simpan\n"
        "Apakah Anda yakin ingin menghapus data pribadi Anda?"
    )
    done = await siti.say("1")
    assert last(done) == (
        "Data pribadi Anda sudah kami hapus. Laporan Anda tetap ditangani tanpa nama Anda. "
        "Jika Anda menulis lagi, kami akan meminta persetujuan Anda dari awal."
    )
    assert done[-1].reply_markup == {"remove_keyboard": True}
    assert_accessible([readback, question, *done])

    # The erasure's own update keeps the chat it answered only until its reply is sent.
    await settled(emulator)
    # The card that named her is edited at once, before anyone acts on the report again.
    card = card_of(emulator, group, code)
    assert card.edited and traces_of_siti(card.text or "") == []
    assert "Pelapor: datanya sudah dihapus atas permintaannya." in (card.text or "")
    stored = await everything_stored(harness)
    assert traces_of_siti(stored) == [], "nothing in the database points to Siti any more"
    async with harness.services.sessionmaker() as session:
        [reporter] = (await session.execute(select(Reporter))).scalars().all()
        [erased] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == ERASED_ACTION))
        ).scalars()
    assert reporter.erased_at == harness.clock.now and reporter.telegram_user_id is None
    assert reporter.chat_id is None and reporter.context == "menu"
    assert (erased.actor_user_id, erased.chat_id, erased.detail) == (None, None, "reports=1")
    assert await count(harness, Draft) == 0
    [report] = await reports(harness)
    assert report.reporter_id is None and report.content == CONTENT
    assert len(report.events) == 1

    # Staff still handle the report; its card says the reporter's data is gone.
    await verifier.say_in(group, f"/teruskan {format_code(code)}", expect=0)
    await settled(emulator)
    fresh = card_of(emulator, group, code).text or ""
    assert "Pelapor: datanya sudah dihapus atas permintaannya." in fresh
    assert "Diteruskan" in fresh
    assert texts(emulator.bot_messages(siti))[-1] == last(done), "nothing more reaches Siti"


async def test_after_erasure_the_same_person_starts_again_with_consent(
    harness: Harness, emulator: Emulator, siti: User
) -> None:
    code = await factories.report(harness, siti, privacy=Privacy.BIASA)
    await siti.say("/HapusData", expect=2)
    await siti.say("ya, hapus")  # the button's words work like its number

    again = await siti.say("laporan saya")
    assert last(again).endswith("Apakah Anda setuju?")
    await siti.say("setuju")
    mine = await siti.say("laporan saya")
    assert format_code(code) not in "\n".join(texts(mine))
    await siti.say("cek status")
    status = await siti.say(format_code(code))
    assert not texts(status)[0].startswith(f"Status laporan {format_code(code)}")
    async with harness.services.sessionmaker() as session:
        people = (await session.execute(select(Reporter).order_by(Reporter.id))).scalars().all()
    assert [(p.telegram_user_id, p.erased_at is None) for p in people] == [
        (None, False),
        (SITI_ID, True),
    ]


async def test_keeping_the_data_changes_nothing(
    harness: Harness, emulator: Emulator, siti: User
) -> None:
    await factories.report(harness, siti, privacy=Privacy.BIASA)
    await siti.say("1")
    await siti.say("1")  # a draft at step 2
    replies = await siti.say("/HAPUSDATA", expect=2)
    assert last(replies).endswith("Apakah Anda yakin ingin menghapus data pribadi Anda?")
    wrong = await siti.say("mungkin", expect=2)
    assert texts(wrong)[0].startswith("Jawaban itu belum kami kenali. Ketik 1 atau 2")
    assert last(wrong).endswith("Apakah Anda yakin ingin menghapus data pribadi Anda?")
    kept = await siti.press("Tidak, simpan", expect=3)
    assert texts(kept)[0] == "Baik, data Anda tidak dihapus."
    assert "tersimpan sebagai draf" in texts(kept)[1], "the menu still offers the unfinished report"

    await siti.say("hapusdata", expect=2)
    cancelled = await siti.say("batal", expect=2)
    assert texts(cancelled)[0] == "Baik, data Anda tidak dihapus."
    async with harness.services.sessionmaker() as session:
        [reporter] = (await session.execute(select(Reporter))).scalars().all()
    assert (reporter.telegram_user_id, reporter.first_name, reporter.erased_at) == (
        SITI_ID,
        "Siti",
        None,
    )
    assert await count(harness, Draft) == 1
    [report] = await reports(harness)
    assert report.reporter_id == reporter.id


async def test_messages_waiting_for_the_citizen_are_not_sent_after_erasure(
    harness: Harness, emulator: Emulator, siti: User, group: Chat, verifier: User
) -> None:
    code = await factories.report(harness, siti, privacy=Privacy.BIASA)
    await settled(emulator)
    card_id = card_of(emulator, group, code).message_id
    assert harness.application is not None
    bot_data = harness.application.bot_data
    await stop_delivery(bot_data)  # as if the dispatcher were down for a while
    await verifier.say_in(
        group, "Mohon kirim foto lokasi yang lebih jelas.", reply_to=card_id, expect=0
    )
    await settled(emulator)
    async with harness.services.sessionmaker() as session:
        waiting = (
            await session.execute(select(OutboxMessage).where(OutboxMessage.state == "pending"))
        ).scalars()
        assert any(row.destination.get("kind") == "citizen" for row in waiting)
    seen = len(emulator.bot_messages(siti))

    await siti.say("hapusdata", expect=2)
    await siti.say("1")
    await start_delivery(bot_data)
    await settled(emulator)

    after = texts(emulator.bot_messages(siti)[seen:])
    assert len(after) == 3 and not any("Mohon kirim foto" in text for text in after)
    async with harness.services.sessionmaker() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    citizen_rows = [row for row in rows if row.destination.get("kind") == "citizen"]
    closed = [row for row in citizen_rows if row.last_error == ERASED_ERROR]
    assert closed and all(row.state == "unreachable" for row in closed)
    assert all(row.destination == {"kind": "citizen", "reporter_id": None} for row in citizen_rows)
    assert all(row.chat_id is None for row in citizen_rows)
    assert not any(row.state == "pending" for row in rows), "the staff side was still sent"

    # A later reply tells the officer the citizen can no longer be reached.
    await verifier.say_in(group, "Apakah masih ada?", reply_to=card_id, expect=0)
    await settled(emulator)
    assert "sudah menghapus datanya" in texts(emulator.bot_messages(group))[-1]


async def test_someone_who_never_consented_is_told_nothing_is_kept(
    harness: Harness, emulator: Emulator, siti: User
) -> None:
    replies = await siti.say("hapusdata")
    assert last(replies) == (
        "Tidak ada data pribadi Anda yang kami simpan. "
        "Ketik mulai jika Anda ingin memakai layanan ini."
    )
    assert await count(harness, Reporter) == 0
    assert last(await siti.say("mulai")).endswith("Apakah Anda setuju?")
