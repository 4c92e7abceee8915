"""The kelurahan of a report's place, within the place step: found from the typed place or
the map point, confirmed in one question, chosen from a short list, or asked for by name.

"Tidak tahu" goes on without one, and the report goes by its category alone, as it does
in a city with no areas file.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.area_names import find_kelurahan
from bot.core.areas import Areas, Kelurahan
from bot.core.intake.answers import Answers
from bot.core.intake.steps import TOTAL, Step
from bot.language.choices import Option, normalise, pick
from bot.language.i18n import Listing, Msg
from handlers.inputs import InputKind
from handlers.options import buttons, choices, listing, wrong_choice
from handlers.outcomes import Next, Outcome, Problem, Stay
from handlers.turn import Turn

CONFIRM = (("yes", "option.kelurahan_benar"), ("no", "option.kelurahan_bukan"))
UNKNOWN = (("unknown", "option.tidak_tahu"),)
# The place step's number, shown on its kelurahan questions too.
STEP = {"number": Step.LOKASI.number, "total": TOTAL}


def offered(
    turn: Turn, answers: Answers, *, text: str | None = None, point: bool = False
) -> Answers:
    """The answers with the kelurahan question the place leads to: the kelurahan whose
    boundary holds the map point (with `point`), else those the text names, else one to
    ask for. Unchanged in a city with no areas."""
    areas = turn.services.areas
    if not areas:
        return answers
    found: tuple[Kelurahan, ...] = ()
    if point and answers.latitude is not None and answers.longitude is not None:
        located = areas.locate(answers.latitude, answers.longitude)
        found = (located,) if located is not None else ()
    if not found and text:
        found = find_kelurahan(areas, text)
    return _offer(answers, found)


def _offer(answers: Answers, found: tuple[Kelurahan, ...]) -> Answers:
    return answers.with_(
        kelurahan_code=None,
        area_unknown=False,
        area_offer=tuple(k.code for k in found),
        area_asking=not found,
    )


def settled(answers: Answers, code: str | None) -> Answers:
    """The kelurahan question answered: by a code, or None for "tidak tahu"."""
    return answers.with_(
        kelurahan_code=code, area_unknown=code is None, area_offer=(), area_asking=False
    )


def dropped(answers: Answers) -> Answers:
    """An open kelurahan question left (the citizen went back): nothing is kept of it."""
    return answers.with_(area_offer=(), area_asking=False)


def after_place(answers: Answers, ack: Msg | None = None) -> Outcome:
    """Stay on the place step while a kelurahan question is open, else go on."""
    return Stay(answers) if answers.area_open else Next(answers, ack)


def read(turn: Turn, answers: Answers) -> Outcome:
    """The answer to the open kelurahan question."""
    sent = turn.input
    if sent.kind is InputKind.LOCATION:
        moved = answers.with_(latitude=sent.latitude, longitude=sent.longitude)
        turn.say("filing.location_received")
        return Stay(offered(turn, moved, point=True))
    candidates = _candidates(turn, answers)
    if _unknown(turn, len(candidates)):
        return Next(settled(answers, None))
    if len(candidates) == 1:
        match turn.pick(choices(turn.services.locales, CONFIRM)):
            case "yes":
                return Next(settled(answers, candidates[0].code))
            case "no":
                return Stay(_offer(answers, ()))
    elif candidates:
        chosen = turn.pick(_choice_options(turn, candidates))
        if chosen is not None:
            return Next(settled(answers, chosen))
    # Another name typed instead: looked up as the place was.
    found = find_kelurahan(turn.services.areas, sent.text) if sent.text else ()
    if found:
        return Stay(_offer(answers, found))
    if len(candidates) == 1:
        return Problem(*wrong_choice(len(CONFIRM)))
    if candidates:
        return Problem(*wrong_choice(len(candidates) + 1))
    example = turn.services.areas.kelurahan[0].name
    return Problem("error.kelurahan_tidak_dikenal", {"kota": _kota(turn), "example": example})


def _unknown(turn: Turn, shown: int) -> bool:
    """The citizen said they do not know: by word, or by the number of "Tidak tahu" where
    it is numbered (last under several kelurahan; alone in simple mode)."""
    if turn.said("option.tidak_tahu"):
        return True
    if shown > 1:
        numbered = shown + 1
    elif shown == 0 and turn.reporter.simple_mode:
        numbered = 1
    else:
        return False
    positions = [Option(n, frozenset()) for n in range(numbered)]
    return pick(turn.input.text, positions) == numbered - 1


def _candidates(turn: Turn, answers: Answers) -> list[Kelurahan]:
    areas = turn.services.areas
    return [k for k in map(areas.kelurahan_by_code, answers.area_offer) if k is not None]


def _kota(turn: Turn) -> str:
    return turn.services.areas.kota_name


def _label(turn: Turn, kelurahan: Kelurahan) -> Msg:
    kecamatan = turn.services.areas.kecamatan_of(kelurahan).name
    return Msg("place.kelurahan", {"kelurahan": kelurahan.name, "kecamatan": kecamatan})


def choice_question(
    areas: Areas, candidates: Sequence[Kelurahan]
) -> tuple[Msg, tuple[Msg | str, ...]]:
    """The numbered choice among several kelurahan, "Tidak tahu" last, and its labels (the
    buttons too): by name alone when they share a kecamatan (said once, so eight long
    names stay within 400 characters), else each with its kecamatan."""
    kecamatan = {k.kecamatan_code for k in candidates}
    labels: list[Msg | str]
    if len(kecamatan) == 1:
        labels = [k.name for k in candidates]
        shared = areas.kecamatan_of(candidates[0]).name
        key, params = "filing.ask.kelurahan_pilih_kecamatan", {"kecamatan": shared}
    else:
        labels = [
            Msg("place.kelurahan", {"kelurahan": k.name, "kecamatan": areas.kecamatan_of(k).name})
            for k in candidates
        ]
        key, params = "filing.ask.kelurahan_pilih", {}
    labels.append(Msg("option.tidak_tahu"))
    shown = tuple(labels)
    return Msg(key, {**params, **STEP, "options": Listing(shown)}), shown


def _choice_options(turn: Turn, candidates: list[Kelurahan]) -> list[Option[str | None]]:
    """Each kelurahan by its number, its label, or its name where no other has it."""
    locales = turn.services.locales
    names = [normalise(k.name) for k in candidates]
    options: list[Option[str | None]] = []
    for kelurahan, name in zip(candidates, names, strict=True):
        label = _label(turn, kelurahan)
        words = {normalise(locales.get(locale).render(label)) for locale in locales.catalogues}
        if names.count(name) == 1:
            words.add(name)
        options.append(Option(kelurahan.code, frozenset(words)))
    return options


def ask(turn: Turn, answers: Answers) -> bool:
    """Ask the open kelurahan question; False when none is open."""
    candidates = _candidates(turn, answers)
    if len(candidates) == 1:
        [kelurahan] = candidates
        kecamatan = turn.services.areas.kecamatan_of(kelurahan).name
        turn.ask(
            "filing.ask.kelurahan_benar",
            buttons(CONFIRM),
            options=listing(CONFIRM),
            kelurahan=kelurahan.name,
            kecamatan=kecamatan,
            **STEP,
        )
    elif candidates:
        question, labels = choice_question(turn.services.areas, candidates)
        turn.ask(question.key, tuple((label,) for label in labels), **question.params)
    elif answers.area_asking:
        if turn.reporter.simple_mode:
            turn.ask(
                "filing.ask.kelurahan_nomor", buttons(UNKNOWN), options=listing(UNKNOWN), **STEP
            )
        else:
            turn.ask("filing.ask.kelurahan", buttons(UNKNOWN), **STEP)
    else:
        return False
    return True


def readback_line(turn: Turn, answers: Answers) -> Msg | None:
    """The read-back's sentence on the kelurahan, None where the city has no areas."""
    areas = turn.services.areas
    kelurahan = areas.kelurahan_by_code(answers.kelurahan_code)
    if kelurahan is not None:
        kecamatan = areas.kecamatan_of(kelurahan).name
        return Msg("readback.kelurahan", {"kelurahan": kelurahan.name, "kecamatan": kecamatan})
    if areas and answers.area_unknown:
        return Msg("readback.kelurahan_kosong")
    return None
