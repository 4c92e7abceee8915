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
    ("counters", "where", "problem"),
    [
        (
            '[[counters]]\nkey = "dishub"\nname = "X"\n',
            "counters[1] ('dishub') key",
            "agencies_file.counter_key_taken",
        ),
        (
            '[[counters]]\nkey = "verifikasi"\nname = "X"\n',
            "counters[1] ('verifikasi') key",
            "agencies_file.counter_key_taken",
        ),
        (
            '[[counters]]\nkey = "a"\nname = "A"\nofficers = [7]\n'
            '[[counters]]\nkey = "b"\nname = "B"\nofficers = [7]\n',
            "counters[2] ('b')",
            "agencies_file.officer_twice",
        ),
        (
            '[[counters]]\nkey = "a"\nname = "A"\n[[counters]]\nkey = "a"\nname = "B"\n',
            "counters[1] ('a')",
            "agencies_file.key_twice",
        ),
        (
            '[[counters]]\nkey = "a"\nname = "A"\nchat_id = 777\n',
            "counters[1] ('a') chat_id",
            "agencies_file.group_id",
        ),
    ],
)
def test_a_wrong_counter_stops_start_up_saying_what(
    tmp_path: Path, counters: str, where: str, problem: str
) -> None:
    with pytest.raises(AgenciesFileError) as raised:
        load_directory(with_counters(tmp_path, counters))
    assert (raised.value.where, raised.value.key) == (where, problem)
