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

    @property
    def number(self) -> int:
        """Position shown as "Langkah N dari M"."""
        return ORDER.index(PERIKSA_STEP if self is Step.UBAH else self) + 1

    def previous(self) -> Step | None:
        """The step before this one, None on the first."""
        if self is Step.UBAH:
            return Step.PERIKSA
        index = ORDER.index(self)
        return ORDER[index - 1] if index else None

    def following(self) -> Step:
        """The step after this one (the read-back is last)."""
        return ORDER[min(ORDER.index(self) + 1, len(ORDER) - 1)]

    def next_open(self, answered: Collection[str]) -> Step:
        """The next step whose question is still open: steps already answered (by the
        citizen's first message) are passed; the read-back never is."""
        step = self.following()
        while step.value in answered and step is not Step.PERIKSA:
            step = step.following()
        return step


PERIKSA_STEP = Step.PERIKSA
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
