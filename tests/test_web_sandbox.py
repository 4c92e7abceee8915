"""`lapor-bot sandbox --web` end to end in headless Chromium: file, answer as staff, get told.

Chromium is Debian's package driven by Playwright with the system browser (never a browser
Playwright downloads). Set UPDATE_SANDBOX_SCREENSHOT=1 to refresh docs/sandbox.png.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import struct
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.sandbox.browser import PAGE_DIR, PAGE_TEXTS, PREFIX, WebSandbox
from bot.settings import PROJECT_ROOT, Settings
from tests.steps import CONTENT
from tests.test_startup import LIVE_VARIABLES

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT = PROJECT_ROOT / "docs" / "sandbox.png"
CODE = re.compile(r"\b\d{3}-\d{4}\b")
WAIT_MS = 20_000

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e '.[test]')"
)
expect = playwright_api.expect
Page = playwright_api.Page


@pytest.fixture
def chromium() -> Path:
    """Debian's chromium; the browser tests skip, saying so, when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    return CHROMIUM


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[WebSandbox]:
    """The web sandbox on a free port, with its own database."""
    settings = Settings(
        telegram_bot_token=SecretStr("1:unused"),
        admin_chat_id=-1,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}",
        _env_file=None,  # type: ignore[call-arg]
    )
    web = WebSandbox(settings, port=0)
    await web.start()
    yield web
    await web.stop()


@pytest.fixture
async def page(chromium: Path, sandbox: WebSandbox) -> AsyncIterator[Page]:
    """A headless Chromium tab on the sandbox page."""
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        tab = await browser.new_page(viewport={"width": 1440, "height": 1000})
        await tab.goto(sandbox.url)
        await expect(tab.locator("body[data-ready=true]")).to_have_count(1, timeout=WAIT_MS)
        yield tab
        await browser.close()


def test_every_word_the_page_shows_comes_from_the_catalogues() -> None:
    shown = set()
    for name in ("index.html", "sandbox.js"):
        source = (PAGE_DIR / name).read_text()
        shown |= set(re.findall(r'data-(?:text|label)="([a-z_]+)"', source))
        shown |= set(re.findall(r'\bt\("([a-z_]+)"', source))
    assert shown == {key.removeprefix(PREFIX) for key in PAGE_TEXTS}


async def says(tab: Page, text: str, then: str) -> None:
    """The citizen types, by keyboard only, and waits for the bot's next question."""
    await tab.get_by_label("Pesan warga").focus()
    await tab.keyboard.type(text)
    await tab.keyboard.press("Enter")
    await expect(tab.locator("#citizen-log li").last).to_contain_text(then, timeout=WAIT_MS)


async def clicks(tab: Page, button: object, then: str) -> None:
    """The citizen clicks a button and waits for the bot's next question."""
    await button.click()  # type: ignore[attr-defined]
    await expect(tab.locator("#citizen-log li").last).to_contain_text(then, timeout=WAIT_MS)


async def file_a_report(tab: Page) -> str:
    """Consent and file a report, typing and pressing as a person would; its code."""
    citizen_log = tab.locator("#citizen-log")
    await expect(citizen_log).to_contain_text("Apakah Anda setuju?", timeout=WAIT_MS)
    await says(tab, "1", "Apa yang bisa kami bantu")
    await says(tab, "1", "Langkah 1 dari 8.")
    await says(tab, "1", "Langkah 2 dari 8.")
    await says(tab, CONTENT, "Langkah 3 dari 8.")
    await says(tab, "1", "Langkah 4 dari 8.")
    # A sample location, then a reply-keyboard button, as a person would click them. The
    # sandbox's city has areas but no boundaries: the kelurahan is asked for, and confirmed.
    await clicks(tab, tab.get_by_role("button", name="Lokasi contoh"), "Di kelurahan mana")
    await says(tab, "braga", "Kelurahan Braga, Kecamatan Sumur Bandung")
    await says(tab, "1", "Langkah 5")
    keyboard = tab.locator("#citizen-keyboard")
    await clicks(tab, keyboard.get_by_role("button", name="Kemarin"), "Langkah 6")
    await says(tab, "lewati", "Langkah 7 dari 8.")
    await says(tab, "anonim", "Langkah 8 dari 8.")
    await says(tab, "kirim", "Simpan kode itu untuk cek status.")
    match = CODE.search(await citizen_log.inner_text())
    assert match, "the confirmation carries the tracking code"
    return match.group()


async def open_topic(tab: Page, name: str) -> None:
    """The officer opens a topic of the staff group."""
    topic = tab.locator("#topic-list").get_by_role("button", name=re.compile(f"^{name}"))
    await topic.click()


async def test_the_page_is_labelled_for_screen_readers(page: Page) -> None:
    assert await page.title() == "Sandbox lapor-bot"
    assert await page.locator("html").get_attribute("lang") == "id"
    for log in ("#citizen-log", "#staff-log"):
        assert await page.locator(log).get_attribute("role") == "log"
        assert await page.locator(log).get_attribute("aria-live") == "polite"
        assert await page.locator(log).get_attribute("aria-label")
    for label in ("Pesan warga", "Pesan petugas di topik ini"):
        await expect(page.get_by_label(label)).to_be_editable()
    for button in await page.get_by_role("button").all():
        assert (await button.inner_text()).strip(), "every button says what it does"


async def test_a_report_filed_answered_and_notified_in_the_browser(page: Page) -> None:
    citizen_log, staff_log = page.locator("#citizen-log"), page.locator("#staff-log")
    code = await file_a_report(page)

    # Staff: the card waits in Verifikasi; forward it with the card's button, by keyboard.
    await expect(page.locator("#topic-list")).to_contain_text("Verifikasi 1 baru", timeout=WAIT_MS)
    await open_topic(page, "Verifikasi")
    card = staff_log.locator("li", has_text=code).last
    await card.get_by_role("button", name="Teruskan ke DSDABM").focus()
    await page.keyboard.press("Enter")
    await expect(citizen_log).to_contain_text(
        f"Status laporan {code}: Diteruskan ke Dinas Sumber Daya Air", timeout=WAIT_MS
    )

    # The agency officer replies to the card in the agency's topic.
    await open_topic(page, "Dinas Sumber Daya Air")
    await staff_log.locator("li", has_text=code).last.get_by_role("button", name="Balas").click()
    await expect(page.locator("#replying")).to_contain_text("Membalas: ")
    await expect(page.get_by_label("Pesan petugas di topik ini")).to_be_focused()
    await page.keyboard.type("Tim kami akan memeriksa lokasi besok pagi.")
    await page.keyboard.press("Enter")
    await expect(citizen_log).to_contain_text(
        f"Balasan dari Dinas Sumber Daya Air dan Bina Marga untuk laporan {code}:\n"
        "Tim kami akan memeriksa lokasi besok pagi.",
        timeout=WAIT_MS,
    )
    await expect(citizen_log.locator("li").last).to_contain_text(
        "Sedang ditindaklanjuti", timeout=WAIT_MS
    )
    await expect(staff_log).to_contain_text("Tim kami akan memeriksa lokasi besok pagi.")
    # The card in the topic is edited in place, and the page shows the edit.
    card = staff_log.locator("li", has_text=f"Laporan {code}, Pengaduan.")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("Status: Sedang ditindaklanjuti.", timeout=WAIT_MS)
    await expect(card.get_by_role("button", name="Selesai")).to_have_count(1)

    shot = await page.screenshot(full_page=True)
    width, height = struct.unpack(">II", shot[16:24])
    assert shot.startswith(b"\x89PNG") and width >= 1200 and height >= 700
    if os.environ.get("UPDATE_SANDBOX_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(shot)

    # The statistics: the chart the bot uploads shows as a picture, its figures as text.
    await open_topic(page, "Umum")
    await page.get_by_label("Pesan petugas di topik ini").fill("/statistik")
    await page.keyboard.press("Enter")
    chart = staff_log.locator("img.photo")
    await expect(chart).to_have_count(1, timeout=WAIT_MS)
    await expect(staff_log).to_contain_text("1 laporan masuk.", timeout=WAIT_MS)
    await page.wait_for_function(
        "() => document.querySelector('#staff-log img.photo').naturalWidth >= 1200",
        timeout=WAIT_MS,
    )


async def test_lapor_bot_sandbox_web_serves_the_page_until_interrupted(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--web", "--port", "0",
        "--database", f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES},
        # A suite started in the background (`pytest &`) ignores SIGINT, and so would the
        # sandbox: Python installs its Ctrl-C handler only where SIGINT is not ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert ready.startswith("Sandbox siap di peramban.")
        url = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        async with aiohttp.ClientSession() as client:
            async with client.get(url) as response:
                page = await response.text()
            async with client.get(url + "sandbox/config.json") as response:
                config = await response.json()
        assert "sandbox.js" in page and config["texts"]["title"] == "Sandbox lapor-bot"
        process.send_signal(signal.SIGINT)
        rest = (await asyncio.wait_for(process.communicate(), 30))[0].decode()
        assert process.returncode == 0 and "Sandbox selesai." in rest
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
