"""Speaking a message: espeak-ng renders it, opusenc makes the OGG/Opus a Telegram voice
note needs, and the length of the rendering measures rule 5's "about 25 seconds".

Both programs run as child processes awaited on the event loop, never blocking it. A
missing program is not an error: `tools` says what is there, the settings flow tells the
citizen when spoken replies cannot be had, and nothing else changes.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import struct
from dataclasses import dataclass

from bot.settings import Settings

log = logging.getLogger(__name__)

# espeak-ng's voices for the bot's languages ("-v id" is Indonesian).
VOICES = {"id": "id", "en": "en"}
# Longer than any message takes to render on a loaded two-core machine, short enough that
# a hung synthesiser does not hold a citizen's answer for long.
TIMEOUT_SECONDS = 20.0


class SpeechError(Exception):
    """A synthesiser or encoder failed or produced nothing usable."""


@dataclass(frozen=True)
class Tools:
    """The programs found for speaking: full paths, or None where missing."""

    espeak: str | None
    opusenc: str | None

    @property
    def can_speak(self) -> bool:
        """Both halves are there: voice notes can be made."""
        return self.espeak is not None and self.opusenc is not None


@dataclass(frozen=True)
class VoiceNote:
    """A rendered message: OGG/Opus bytes and their length in whole seconds."""

    ogg: bytes
    seconds: int


def tools(settings: Settings) -> Tools:
    """Look the configured programs up (on PATH unless given as paths)."""
    return Tools(shutil.which(settings.espeak_command), shutil.which(settings.opusenc_command))


async def _run(argv: list[str], data: bytes) -> bytes:
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(data), TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise SpeechError(f"{argv[0]} took longer than {TIMEOUT_SECONDS:.0f} s") from None
    if process.returncode != 0 or not out:
        raise SpeechError(f"{argv[0]} exited with {process.returncode}")
    return out


async def render_wav(text: str, locale: str, espeak: str = "espeak-ng") -> bytes:
    """The message as espeak-ng speaks it, a WAV stream (text on stdin: no option parsing)."""
    voice = VOICES.get(locale, VOICES["id"])
    return await _run([espeak, "-v", voice, "--stdin", "--stdout"], text.encode())


def wav_seconds(wav: bytes) -> float:
    """The length of a WAV stream from its byte count.

    espeak-ng writing to a pipe cannot go back to fill in the sizes, so the header's data
    size is a placeholder; the bytes after the data chunk's header are the samples.
    """
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise SpeechError("not a WAV stream")
    position = 12
    rate = block = 0
    while position + 8 <= len(wav):
        chunk, size = struct.unpack_from("<4sI", wav, position)
        if chunk == b"fmt ":
            _, _, rate, _, block = struct.unpack_from("<HHIIH", wav, position + 8)
        elif chunk == b"data":
            if not rate or not block:
                break
            return (len(wav) - position - 8) / (rate * block)
        position += 8 + size
    raise SpeechError("a WAV stream without format or data")


async def spoken_seconds(text: str, locale: str, espeak: str = "espeak-ng") -> float:
    """How long espeak-ng takes to say the message, at its default speed."""
    return wav_seconds(await render_wav(text, locale, espeak))


async def voice_note(text: str, locale: str, found: Tools) -> VoiceNote | None:
    """The message as a voice note, or None when it cannot be made (logged, no text)."""
    if found.espeak is None or found.opusenc is None:
        return None
    try:
        wav = await render_wav(text, locale, found.espeak)
        seconds = wav_seconds(wav)
        ogg = await _run([found.opusenc, "--quiet", "--speech", "-", "-"], wav)
    except (SpeechError, OSError) as error:
        log.warning("could not make a voice reply: %s", error)
        return None
    return VoiceNote(ogg, max(1, round(seconds)))
