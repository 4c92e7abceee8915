"""The service counter end to end: an officer files for a walk-in citizen, the receipt is
printed, the report is handled and held, the citizen claims it by code and PIN."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from bot.core.lifecycle import Channel, Status
from bot.core.tracking import format_code
from bot.sandbox.emulator import Chat, Emulator, Message, User
from bot.settings import PROJECT_ROOT
from storage.models import AuditEntry, CounterFiling
from tests.a11y import findings
from tests.harness import Clock, Harness
from tests.staff_helpers import card_of, settled, topic_named
from tests.steps import CONTENT, consent, reports, texts

SAMPLE = PROJECT_ROOT / "bot" / "data" / "agencies.sample.toml"
COUNTER = "Loket Mal Pelayanan Publik"
PIN = re.compile(r"PIN warga (\d{3})-(\d{3})")


@dataclass
class Counter:
    bot: Harness
    group: Chat
    verifier: User
    officer: User
    clerk: User


def agencies_with_clerk(tmp_path: Path, clerk: User) -> Path:
    """The sample agencies file with the clerk as the counter's officer."""
    text = SAMPLE.read_text(encoding="utf-8").replace("officers = []", f"officers = [{clerk.id}]")
    path = tmp_path / "agencies.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
async def counter(
    emulator: Emulator, database_url: str, clock: Clock, tmp_path: Path
) -> AsyncIterator[Counter]:
    verifier = emulator.add_user(first_name="Dina", username="dina_verifikator")
    officer = emulator.add_user(first_name="Agus", username="agus_dsdabm")
    clerk = emulator.add_user(first_name="Rina", username="rina_loket")
    group = emulator.add_supergroup(
        title="Staf Pengaduan",
        forum=True,
        members=[verifier, officer, clerk],
        admins=[verifier],
    )
    agencies = agencies_with_clerk(tmp_path, clerk)
    bot = Harness(emulator, database_url, clock, group.id, overrides={"agencies_file": agencies})
    await bot.start()
    yield Counter(bot, group, verifier, officer, clerk)
    await bot.stop()


def assert_accessible(messages: list[Message], audience: str = "citizen") -> None:
    """Every bot message of a recorded conversation meets the checked rules."""
    for message in messages:
        rows = (message.reply_markup or {}).get("keyboard", [])
        labels = [button["text"] for row in rows for button in row]
        found = findings(message.text or "", locale="id", buttons=labels, audience=audience)
        assert found == [], message.text


def pdf_text(emulator: Emulator, message: Message) -> str:
    """The text of a PDF the bot sent, read with pypdf, its lines joined by spaces."""
    assert message.file_id is not None
    data = emulator.store.files[message.file_id].data
    assert data is not None and data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def documents(emulator: Emulator, chat: Chat | User, thread_id: int | None = None) -> list[Message]:
    return [m for m in emulator.bot_messages(chat, thread_id) if m.media == "document"]


DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")


def check_receipts(
    emulator: Emulator,
    clerk: User,
    number: int,
    deadline: str = "Diverifikasi dalam 3 hari kerja",
) -> str:
    """The last two documents are the receipt in normal and large print, saying what the
    issue lists; returns the PIN, read from the first's caption."""
    code = format_code(number)
    normal, large = documents(emulator, clerk)[-2:]
    match = PIN.search(normal.caption or "")
    assert match, normal.caption
    pin = match.group(1) + match.group(2)
    spoken = " ".join(DIGITS[int(d)] for d in str(number)[:3])
    for receipt in (normal, large):
        words = pdf_text(emulator, receipt)
        for expected in (
            "Tanda Terima Laporan",
            code,
            f"dibaca: {spoken},",
            f"{pin[:3]}-{pin[3:]}",
            "Jalan rusak",
            deadline,
            "@lapor_test_bot",
            "022-1500-000",
            "1708",
            f"{code} {pin}",
        ):
            assert expected in words, (expected, words)
    assert (large.caption or "").endswith("huruf besar.")
    return pin


async def audit_of(bot: Harness, action: str) -> list[AuditEntry]:
    """The audit log's entries of one action, oldest first."""
    async with bot.services.sessionmaker() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list((await session.execute(query)).scalars())


async def the_filing(bot: Harness) -> CounterFiling:
    async with bot.services.sessionmaker() as session:
        return (await session.execute(select(CounterFiling))).scalar_one()


async def file_at_counter(clerk: User, privacy: str = "1") -> None:
    """The clerk serves Budi: name, phone, then the chat's steps, typed."""
    assert (await clerk.say("loket"))[-1].text.startswith("Langkah 1 dari 2.")  # type: ignore[union-attr]
    await clerk.say("Budi Santoso")
    await clerk.say("0812-3456-7890")
    for answer in ("1", CONTENT, "1", "Jalan Braga nomor 12, RT 3 RW 5", "kemarin", "lewati"):
        await clerk.say(answer)
    await clerk.say(privacy)
    await clerk.say("kirim")


async def test_a_walk_in_citizen_files_at_the_counter_and_claims_the_report_later(  # noqa: PLR0915
    counter: Counter, emulator: Emulator
) -> None:
    clerk, group = counter.clerk, counter.group
    await file_at_counter(clerk)
    await settled(emulator)
    [report] = await reports(counter.bot)
    code = format_code(report.code)
    assert report.channel == Channel.COUNTER and report.reporter_id is None
    said = texts(emulator.bot_messages(clerk))
    assert any(f"Laporan warga sudah tercatat dengan kode {code}" in t for t in said)

    # The receipt: two PDFs, normal and large print, read back for their words.
    pin = check_receipts(emulator, clerk, report.code)

    # The card names the walk-in citizen (biasa) and the counter; the officer stays unnamed.
    verifikasi = topic_named(group, "Verifikasi")
    card = card_of(emulator, group, report.code, verifikasi)
    assert f"Pelapor: \u2068Budi Santoso, 081234567890\u2069, dilayani di {COUNTER}." in (
        card.text or ""
    )
    assert "Rina" not in (card.text or "")

    # Held: the question reaches the counter's topic, for the clerk to phone Budi.
    await counter.verifier.say_in(
        group,
        "#tunda Mohon sebutkan nomor rumah terdekat.",
        thread_id=card.thread_id,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)
    loket = topic_named(group, COUNTER)
    notice = texts(emulator.bot_messages(group, loket))[-1]
    assert notice.startswith(f"Laporan {code} dari loket ditunda")
    assert "081234567890" in notice
    assert "Mohon sebutkan nomor rumah terdekat." in notice

    # Budi, later, in his own Telegram: a wrong PIN is refused and counted.
    budi = emulator.add_user(first_name="Budi", username="budi_s")
    await consent(budi)
    wrong = "111111" if pin != "111111" else "222222"
    refused = texts(await budi.say(f"{code} {wrong}"))
    assert refused[0] == "Kode atau PIN tidak cocok. Periksa lagi tanda terima Anda."
    assert refused[-1].startswith("Langkah 1 dari 2.")

    # Then the menu's item, code and PIN one at a time: the report is his, with its question.
    await budi.say("menu")
    assert texts(await budi.say("6"))[-1].startswith("Langkah 1 dari 2.")
    assert texts(await budi.say(code))[-1].startswith("Langkah 2 dari 2.")
    claimed = texts(await budi.say(pin))
    assert claimed[0].startswith(f"Laporan {code} sekarang terhubung dengan akun Telegram Anda.")
    assert any("Ditunda, menunggu keterangan pelapor" in t for t in claimed)
    assert claimed[-2:] == [
        "Keterangan petugas: Mohon sebutkan nomor rumah terdekat.",
        "Ketik jawaban Anda sekarang, atau kirim pesan suara. Apa jawaban Anda untuk petugas?",
    ]
    await settled(emulator)
    assert (
        f"Laporan {code} dari loket sudah diklaim" in texts(emulator.bot_messages(group, loket))[-1]
    )
    # The card, edited in place, says so too.
    assert "Warga sudah mengklaim laporan ini di Telegram." in (card.text or "")

    # He answers the hold by typing alone; the report is back with the verifiers.
    await budi.say("Di depan rumah nomor 14.")
    await settled(emulator)
    [report] = await reports(counter.bot)
    assert report.status is Status.MENUNGGU_VERIFIKASI
    assert any(
        "Tambahan dari pelapor" in t and "Di depan rumah nomor 14." in t
        for t in texts(emulator.bot_messages(group))
    )

    # Forwarded, answered and done: Budi hears the answer and is asked to rate it.
    card = card_of(emulator, group, report.code)
    await counter.verifier.press_in(group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    agency = topic_named(group, "Dinas Sumber Daya Air dan Bina Marga")
    card = card_of(emulator, group, report.code, agency)
    await counter.officer.say_in(
        group,
        "Lubang sudah kami tambal hari ini.",
        thread_id=agency,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)
    card = card_of(emulator, group, report.code, agency)
    await counter.officer.press_in(group, card.message_id, "Selesai", expect=0)
    await settled(emulator)
    heard = texts(emulator.bot_messages(budi))
    assert any(t.endswith("Lubang sudah kami tambal hari ini.") for t in heard)
    assert "Selesai ditindaklanjuti" in heard[-2]
    assert heard[-1].endswith("Apakah Anda puas dengan tanggapannya?")

    # Someone else with the same receipt: the spent PIN is refused and counted too.
    ani = emulator.add_user(first_name="Ani")
    await consent(ani)
    reused = texts(await ani.say(f"{code} {pin}"))
    assert reused[0].startswith("PIN itu sudah pernah dipakai")

    filing = await the_filing(counter.bot)
    claims = await audit_of(counter.bot, "claim")
    [filed] = await audit_of(counter.bot, "counter_file")
    assert filing.pin_wrong_tries == 1 and filing.claimed_at is not None
    assert pin not in filing.pin_hash
    assert [(c.actor_user_id, c.allowed, c.detail) for c in claims] == [
        (budi.id, False, "wrong_pin"),
        (budi.id, True, "claimed"),
        (ani.id, False, "used_pin"),
    ]
    assert filed.actor_user_id == clerk.id and filed.report_id == report.id
    [report] = await reports(counter.bot)
    assert report.status is Status.SELESAI
    # What Budi and the clerk read meets the accessibility rules, as every chat message does.
    assert_accessible(emulator.bot_messages(budi))
    assert_accessible([m for m in emulator.bot_messages(clerk) if m.media is None], "staff")

    # Budi erases his data: what he gave at the counter goes too, and his claims' user id.
    await budi.say("menu")
    await budi.say("hapusdata", expect=2)
    await budi.say("1")
    filing = await the_filing(counter.bot)
    assert (filing.citizen_name, filing.citizen_phone) == (None, None)
    await settled(emulator)
    assert "Budi" not in (card.text or "") and "081234567890" not in (card.text or ""), (
        "the report's card no longer shows what he gave"
    )
    assert budi.id not in [c.actor_user_id for c in await audit_of(counter.bot, "claim")]


async def receipts_in(emulator: Emulator, chat: Chat | User, count: int) -> list[Message]:
    """The last `count` documents in a chat, once they are there: a receipt is drawn after
    the answer's commit, a quiet moment the settle cannot tell from the end."""
    for _ in range(200):
        found = documents(emulator, chat)
        if len(found) >= count:
            return found[-count:]
        await emulator.sleep(0.05)
    raise AssertionError(f"fewer than {count} documents in {chat}")


def last_from_bot(emulator: Emulator, group: Chat) -> Message:
    return emulator.bot_messages(group)[-1]


async def press(emulator: Emulator, clerk: User, group: Chat, label: str) -> None:
    """The clerk presses a button under the bot's last question in the group."""
    question = last_from_bot(emulator, group)
    await clerk.press_in(group, question.message_id, label, expect=0)
    await settled(emulator)


async def type_in(emulator: Emulator, clerk: User, group: Chat, text: str) -> None:
    """The clerk types in the group's main topic, as a reply to the bot's question."""
    await clerk.say_in(group, text, reply_to=last_from_bot(emulator, group).message_id, expect=0)
    await settled(emulator)


async def test_in_the_staff_group_with_buttons_and_the_agencies_never_see_who(
    counter: Counter, emulator: Emulator
) -> None:
    clerk, group = counter.clerk, counter.group
    await clerk.say_in(group, "/loket", expect=0)
    await settled(emulator)
    assert (last_from_bot(emulator, group).text or "").startswith("Langkah 1 dari 2.")
    for typed in ("Siti Aminah", "+62 812 1111 2222"):
        await type_in(emulator, clerk, group, typed)
    await press(emulator, clerk, group, "Pengaduan")
    await type_in(emulator, clerk, group, CONTENT)
    # The category step offers the one its words suggest (Jalan rusak) with "Ya, tepat".
    for label in ("Ya, tepat", "Lewati", "Kemarin", "Lewati", "Anonim", "Kirim"):
        await press(emulator, clerk, group, label)
    [report] = await reports(counter.bot)
    code = format_code(report.code)
    assert report.channel == Channel.COUNTER and report.anonymous
    assert report.category == "jalan_rusak"
    receipts = await receipts_in(emulator, group, 2)
    assert all(code in pdf_text(emulator, r) for r in receipts)

    # Anonim: the card and the counter's topic never name or number her.
    card = card_of(emulator, group, report.code)
    assert "nama dan teleponnya dirahasiakan" in (card.text or "")
    await counter.verifier.say_in(
        group, "#tunda Di RT berapa?", thread_id=card.thread_id, reply_to=card.message_id, expect=0
    )
    await settled(emulator)
    everything = " ".join(texts(emulator.bot_messages(group)))
    assert "Siti" not in everything and "1111" not in everything
    notice = texts(emulator.bot_messages(group, topic_named(group, COUNTER)))[-1]
    assert f"mengetik warga {code}" in notice and "Di RT berapa?" in notice

    # A reply to the card cannot reach a citizen who is not in Telegram yet: staff are told.
    card = card_of(emulator, group, report.code)
    await counter.verifier.say_in(
        group, "Sudah kami catat.", thread_id=card.thread_id, reply_to=card.message_id, expect=0
    )
    await settled(emulator)
    assert texts(emulator.bot_messages(group))[-1].startswith(
        f"Laporan {code} dari loket belum diklaim warga di Telegram"
    )

    # The clerk looks the contact up privately; the audit log keeps that they did.
    contact = texts(await clerk.say(f"warga {code}"))[-1]
    expected = f"Kontak warga untuk laporan {code}: nama Siti Aminah, telepon +6281211112222."
    assert contact == expected
    assert [e.actor_user_id for e in await audit_of(counter.bot, "counter_contact")] == [clerk.id]

    # Lost receipt: a new PIN replaces the old one, which no longer claims the report.
    old_pin = PIN.search(receipts[0].caption or "")
    assert old_pin
    await clerk.say(f"pinbaru {code}")
    await receipts_in(emulator, clerk, 2)
    # On hold, the report has no running time limit to print.
    new_pin = check_receipts(emulator, clerk, report.code, "Petugas akan mengabari Anda.")
    siti = emulator.add_user(first_name="Siti")
    await consent(siti)
    old = texts(await siti.say(f"{code} {old_pin.group(1)}{old_pin.group(2)}"))
    assert old[0] == "Kode atau PIN tidak cocok. Periksa lagi tanda terima Anda."
    claimed = texts(await siti.say(f"{code} {new_pin}"))
    assert claimed[0].startswith(f"Laporan {code} sekarang terhubung")
    assert claimed[-1] == "Pertanyaan petugas: Di RT berapa?"

    # The counter is a channel of its own in the statistics.
    await counter.verifier.say_in(group, "/statistik", expect=0)
    for _ in range(200):  # the chart is drawn first, in a quiet moment the settle cannot see
        said = " ".join(texts(emulator.bot_messages(group)))
        if "laporan masuk" in said:
            break
        await emulator.sleep(0.05)
    assert "1 laporan masuk.\nMenurut saluran: Telegram 0, Open311 0, loket 1." in said


async def test_the_desk_keeps_the_chats_rules_and_a_left_report(
    counter: Counter, emulator: Emulator, citizen: User
) -> None:
    clerk = counter.clerk
    await clerk.say("loket")
    short = texts(await clerk.say("x"))[0]
    assert short == "Nama itu terlalu pendek. Ketik nama warga, atau lewati."
    phone = texts(await clerk.say("lewati"))[-1]
    assert phone.startswith("Langkah 2 dari 2.") and phone.endswith("nomor telepon warga?")
    wrong = texts(await clerk.say("nomor saya"))
    assert wrong[0].startswith("Nomor telepon terdiri dari 8 sampai 15 angka")
    assert texts(await clerk.say("kembali"))[-1].startswith("Langkah 1 dari 2.")
    await clerk.say("lewati")
    first = texts(await clerk.say("lewati"))[-1]
    assert first.startswith("Langkah 1 dari 8."), "the chat's own first step"
    await clerk.say("1")
    assert texts(await clerk.say("pendek"))[0].startswith("Isi laporan terlalu pendek")

    # Leaving keeps the walk-in's report; the officer is an ordinary citizen meanwhile.
    left = texts(await clerk.say("menu"))[-1]
    assert left.startswith("Anda keluar dari layanan loket.")
    assert "Selamat datang" in texts(await clerk.say("halo"))[0], "their own chat: consent first"
    resumed = texts(await clerk.say("loket"))
    assert resumed[-1].startswith("Langkah 2 dari 8.")

    # Cancelling asks first, then closes the desk.
    await clerk.say("batal")
    closed = texts(await clerk.say("1"))
    assert closed[-1] == "Pelayanan warga ini selesai. Ketik loket untuk melayani warga berikutnya."
    assert await reports(counter.bot) == []

    # "loket" opens the desk only for an officer: a citizen is asked for a receipt's code.
    await consent(citizen)
    asked = texts(await citizen.say("loket"))[-1]
    assert asked.startswith("Langkah 1 dari 2. Kode laporan tertulis di tanda terima")
