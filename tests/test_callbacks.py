"""Card button data: one codec, at most 64 bytes, and anything tampered with refused."""

from __future__ import annotations

import pytest

from bot.core.transitions import Action
from bot.notify.card_buttons import MAX_BYTES, CallbackDataError, CardPress, choose_agency, decode

CODE = 7264183


@pytest.mark.parametrize("action", list(Action))
def test_every_action_round_trips(action: Action) -> None:
    press = CardPress(action, CODE, "a" * 32)
    data = press.encode()
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == press


def test_the_agency_choice_round_trips() -> None:
    assert decode(choose_agency(CODE).encode()) == CardPress(None, CODE)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "r1",
        "r0:teruskan:7264183",
        "r1:hapus:7264183",
        "r1:teruskan:7264185",
        "r1:teruskan:726418",
        "r1:teruskan:7264183:DISHUB",
        "r1:teruskan:7264183:dishub:extra",
        "r1:teruskan:7264183:dis;hub",
    ],
)
def test_tampered_data_is_refused(data: str) -> None:
    with pytest.raises(CallbackDataError):
        decode(data)
