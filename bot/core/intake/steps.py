"""The steps of filing a report, in the order the citizen meets them."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum


class Step(StrEnum):
    """One question of the filing conversation; the value is stored in the draft."""

    KLASIFIKASI = "klasifikasi"
    ISI = "isi"
    KATEGORI = "kategori"
    LOKASI = "lokasi"
    TANGGAL = "tanggal"
    LAMPIRAN = "lampiran"
    PRIVASI = "privasi"
    PERIKSA = "periksa"
    # Choosing which answer to change is part of the last step, not a step of its own.
    UBAH = "ubah"
    # Similar reports nearby, offered to follow once the place is given: part of that step.
    SERUPA = "serupa"

    @property
    def number(self) -> int:
        """Position shown as "Langkah N dari M"."""
        return ORDER.index(PART_OF.get(self, self)) + 1

    def previous(self) -> Step | None:
        """The step before this one, None on the first."""
        if self in PART_OF:
            return PART_OF[self]
        index = ORDER.index(self)
        return ORDER[index - 1] if index else None

    def following(self) -> Step:
        """The step after this one (the read-back is last)."""
        return ORDER[min(ORDER.index(PART_OF.get(self, self)) + 1, len(ORDER) - 1)]

    def next_open(self, answered: Collection[str]) -> Step:
        """The next step whose question is still open: steps already answered (by the
        citizen's first message) are passed; the read-back never is."""
        step = self.following()
        while step.value in answered and step is not Step.PERIKSA:
            step = step.following()
        return step


# Questions asked within another step, numbered as that step; "kembali" returns to it.
PART_OF = {Step.UBAH: Step.PERIKSA, Step.SERUPA: Step.LOKASI}
ORDER: tuple[Step, ...] = (
    Step.KLASIFIKASI,
    Step.ISI,
    Step.KATEGORI,
    Step.LOKASI,
    Step.TANGGAL,
    Step.LAMPIRAN,
    Step.PRIVASI,
    Step.PERIKSA,
)
TOTAL = len(ORDER)
# Answers a citizen can change from the read-back, in the order they were given.
CHANGEABLE: tuple[Step, ...] = ORDER[:-1]
