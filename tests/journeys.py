"""A citizen's usual conversation, typed, with realistic answers: recorded so that every
message the bot sends in it can be checked (rules) and measured (spoken length)."""

from __future__ import annotations

from bot.sandbox.emulator import User

LONG_CONTENT = {
    "id": (
        "Jalan di depan SD Negeri 5 berlubang besar sejak dua minggu. Saat hujan lubangnya "
        "tergenang dan tidak terlihat, kemarin dua pengendara motor jatuh di sana."
    ),
    "en": (
        "The road in front of SD Negeri 5 has had a large pothole for two weeks. When it "
        "rains the hole fills with water, and yesterday two motorcyclists fell there."
    ),
}
LOCATION = "Jalan Asia Afrika nomor 8, RT 3 RW 5, Kelurahan Braga, depan toko roti"


async def walk(citizen: User, locale: str = "id") -> str:
    """Consent, (English,) help at a step, a whole report with a photo, then its status and
    the citizen's list of reports. Returns the confirmation's text."""
    await citizen.say("/start")
    await citizen.say("1")
    if locale == "en":
        await citizen.say("pengaturan")
        await citizen.say("2")
    await citizen.say("1")  # make a report
    await citizen.say("bantuan")
    await citizen.say("1")  # pengaduan
    await citizen.say("terlalu pendek")  # an error, then the same question
    await citizen.say(LONG_CONTENT[locale])
    await citizen.say("2")  # not the suggested category: the list
    await citizen.say("berikutnya")  # the next page of categories
    await citizen.say("1")
    await citizen.say(LOCATION)
    await citizen.say("13 November 2026")
    await citizen.send_photo(size=150_000)
    await citizen.say("selesai")
    await citizen.say("4")  # anonim dan rahasia
    await citizen.say("ubah")
    await citizen.say("5")  # the date again
    await citizen.say("kemarin")
    confirmation = await citizen.say("kirim")
    await citizen.say("menu")
    await citizen.say("cek status")
    code = next(word for word in (confirmation[0].text or "").split() if word[:3].isdigit())
    await citizen.say(code.rstrip(".,"))
    await citizen.say("laporan saya")
    await citizen.say("menu")
    return confirmation[0].text or ""
