"""Counters in the agencies file: checked at start-up with a line that names the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.agencies import AgenciesFileError, load_directory
from bot.settings import PROJECT_ROOT

SAMPLE = (PROJECT_ROOT / "bot" / "data" / "agencies.sample.toml").read_text(encoding="utf-8")


def with_counters(tmp_path: Path, counters: str) -> Path:
    text = SAMPLE.split("[[counters]]")[0] + counters
    path = tmp_path / "agencies.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_has_a_counter_with_no_officer_yet() -> None:
    directory = load_directory(PROJECT_ROOT / "bot" / "data" / "agencies.sample.toml")
    assert list(directory.counters) == ["mpp"]
    assert directory.counter_of(123) is None


def test_an_officer_belongs_to_their_counter(tmp_path: Path) -> None:
    path = with_counters(
        tmp_path,
        '[[counters]]\nkey = "mpp"\nname = "Loket MPP"\nofficers = [11, 12]\n'
        '[[counters]]\nkey = "kec_coblong"\nname = "Loket Kecamatan Coblong"\nofficers = [13]\n'
        "chat_id = -100777\n",
    )
    directory = load_directory(path)
    assert directory.counter_of(12) is not None and directory.counter_of(12).key == "mpp"
    assert directory.own_chat("kec_coblong") == -100777 and directory.own_chat("mpp") is None
    assert directory.queue_name("mpp") == "Loket MPP"


@pytest.mark.parametrize(
    ("counters", "problem"),
    [
        ('[[counters]]\nkey = "dishub"\nname = "X"\n', "key is already an agency or a staff topic"),
        ('[[counters]]\nkey = "verifikasi"\nname = "X"\n', "already an agency or a staff topic"),
        (
            '[[counters]]\nkey = "a"\nname = "A"\nofficers = [7]\n'
            '[[counters]]\nkey = "b"\nname = "B"\nofficers = [7]\n',
            "officer 7 is already at another counter",
        ),
        (
            '[[counters]]\nkey = "a"\nname = "A"\n[[counters]]\nkey = "a"\nname = "B"\n',
            "a key is used twice",
        ),
    ],
)
def test_a_wrong_counter_stops_start_up_saying_what(
    tmp_path: Path, counters: str, problem: str
) -> None:
    with pytest.raises(AgenciesFileError) as raised:
        load_directory(with_counters(tmp_path, counters))
    assert problem in str(raised.value) and "counters entry" in str(raised.value)
