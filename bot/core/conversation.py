"""Which question a citizen's next message answers, as stored on the reporter."""

from __future__ import annotations

from enum import StrEnum


class Awaiting(StrEnum):
    """The flow a citizen is in; the core sets RATING when a report is done."""

    MENU = "menu"
    FILING = "filing"
    CANCEL = "cancel"
    CHECK_STATUS = "check_status"
    # "Laporan saya" was listed: a number picks from it, a code works too.
    MY_REPORTS = "my_reports"
    SETTINGS = "settings"
    RATING = "rating"
    RATING_REASON = "rating_reason"
    # /hapusdata: what is kept was read back; the next message confirms erasing it.
    ERASE = "erase"
    # Staff put a report on hold with a question; the next message is the answer.
    ANSWER = "answer"
    # Claiming a counter's report: its code (or code and PIN), then its PIN.
    CLAIM = "claim"
    CLAIM_PIN = "claim_pin"
    # A counter desk (handlers/counter_desk.py): the walk-in citizen's name, then phone.
    COUNTER_NAME = "counter_name"
    COUNTER_PHONE = "counter_phone"
    # "Cek status" of a report the citizen follows: the next message says whether to stop.
    FOLLOWING = "following"
