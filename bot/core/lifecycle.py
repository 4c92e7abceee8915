"""A report's statuses, grouped as open or closed (DESIGN.md section 2)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a report stands; the value is stored, the label lives in the catalogues."""

    MENUNGGU_VERIFIKASI = "MENUNGGU_VERIFIKASI"
    DITUNDA = "DITUNDA"
    DITERUSKAN = "DITERUSKAN"
    DITINDAKLANJUTI = "DITINDAKLANJUTI"
    SELESAI = "SELESAI"
    BUKAN_WEWENANG = "BUKAN_WEWENANG"
    DIARSIPKAN = "DIARSIPKAN"

    @property
    def is_open(self) -> bool:
        """Open reports still wait for someone to act."""
        return self in OPEN_STATUSES

    @property
    def label_key(self) -> str:
        """Catalogue key of the label shown to people."""
        return f"status.{self.value.lower()}"

    @property
    def next_step_key(self) -> str:
        """Catalogue key of the sentence telling the citizen what happens next."""
        return f"status.next.{self.value.lower()}"


OPEN_STATUSES = frozenset(
    {Status.MENUNGGU_VERIFIKASI, Status.DITUNDA, Status.DITERUSKAN, Status.DITINDAKLANJUTI}
)
CLOSED_STATUSES = frozenset(Status) - OPEN_STATUSES


class Channel(StrEnum):
    """How a report came in; statistics and exports count each."""

    TELEGRAM = "telegram"
    OPEN311 = "open311"
    # Filed by a counter officer for a walk-in citizen, who may claim it later.
    COUNTER = "counter"


class Classification(StrEnum):
    """Klasifikasi laporan, as LAPOR! names them."""

    PENGADUAN = "pengaduan"
    ASPIRASI = "aspirasi"
    PERMINTAAN_INFORMASI = "permintaan_informasi"


class Privacy(StrEnum):
    """Anonim hides the person, rahasia hides the content; they combine freely."""

    BIASA = "biasa"
    ANONIM = "anonim"
    RAHASIA = "rahasia"
    ANONIM_RAHASIA = "anonim_rahasia"

    @property
    def anonymous(self) -> bool:
        """The reporter's identity is hidden from staff."""
        return self in (Privacy.ANONIM, Privacy.ANONIM_RAHASIA)

    @property
    def confidential(self) -> bool:
        """The content is never published or exported outside the handling agencies."""
        return self in (Privacy.RAHASIA, Privacy.ANONIM_RAHASIA)


class ActorKind(StrEnum):
    """Who made a timeline event."""

    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"
