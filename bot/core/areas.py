"""The areas file: the kota, its kecamatan and their kelurahan, by Kemendagri code.

A report's place is kept as the codes of its kelurahan and kecamatan (names change more
often than codes do). The sample, bot/data/areas.sample.toml, is Kota Bandung, written by
`lapor-bot areas` (bot/setup/areas_source.py) from a published data set; a city points
AREAS_FILE at its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.boundaries import Boundaries, load_boundaries
from bot.core.toml_files import read_toml

KOTA_CODE = re.compile(r"^\d{2}\.\d{2}$")
# Below the kota: two digits for a kecamatan, four for a kelurahan (1xxx) or desa (2xxx).
KECAMATAN_PART = re.compile(r"^\.\d{2}$")
KELURAHAN_PART = re.compile(r"^\.\d{4}$")
POSTAL_CODE = r"^\d{5}$"

# The catalogue text (areas_file.*) for a problem, by pydantic's error type.
PROBLEMS = {
    "missing": "areas_file.missing",
    "string_too_short": "areas_file.too_short",
    "extra_forbidden": "areas_file.unknown_field",
}


class AreasFileError(Exception):
    """The areas file is unreadable or inconsistent: where in it, and what.

    Told like the agencies file's errors: `key` is the catalogue text with `params` (the
    file's generic problems share the agencies_file.* texts); str() is for logs.
    """

    def __init__(self, path: Path, where: str, key: str, **params: object) -> None:
        super().__init__(f"{path}: {where}: {key}" if where else f"{path}: {key}")
        self.path = path
        self.where = where
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Kecamatan:
    """A kecamatan (district) of the kota."""

    code: str
    name: str


@dataclass(frozen=True)
class Kelurahan:
    """A kelurahan (or desa) and the kecamatan it belongs to."""

    code: str
    name: str
    kecamatan_code: str
    postal_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Areas:
    """The loaded areas file, with the look-ups routing, statistics and the place step need.

    An empty one (no AREAS_FILE) leaves reports placed by free text only, as before areas.
    """

    kota_code: str = ""
    kota_name: str = ""
    kecamatan: tuple[Kecamatan, ...] = ()
    kelurahan: tuple[Kelurahan, ...] = ()
    source: str = ""
    licence: str = ""
    # The kelurahan's shapes, when AREAS_BOUNDARIES_FILE names them.
    boundaries: Boundaries | None = field(default=None, repr=False, compare=False)
    _kecamatan_by_code: dict[str, Kecamatan] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _kelurahan_by_code: dict[str, Kelurahan] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._kecamatan_by_code.update((k.code, k) for k in self.kecamatan)
        self._kelurahan_by_code.update((k.code, k) for k in self.kelurahan)

    def __bool__(self) -> bool:
        return bool(self.kelurahan)

    def kecamatan_by_code(self, code: str | None) -> Kecamatan | None:
        """A kecamatan by its code, None for an unknown one (or none)."""
        return self._kecamatan_by_code.get(code) if code else None

    def kelurahan_by_code(self, code: str | None) -> Kelurahan | None:
        """A kelurahan by its code, None for an unknown one (or none)."""
        return self._kelurahan_by_code.get(code) if code else None

    def kelurahan_of(self, kecamatan_code: str) -> tuple[Kelurahan, ...]:
        """The kelurahan of one kecamatan, in the file's order."""
        return tuple(k for k in self.kelurahan if k.kecamatan_code == kecamatan_code)

    def kecamatan_of(self, kelurahan: Kelurahan) -> Kecamatan:
        """The kecamatan a kelurahan belongs to (the loader checked that it exists)."""
        return self._kecamatan_by_code[kelurahan.kecamatan_code]

    def locate(self, latitude: float, longitude: float) -> Kelurahan | None:
        """The kelurahan whose boundary holds a map point; None without boundaries."""
        if self.boundaries is None:
            return None
        return self.kelurahan_by_code(self.boundaries.locate(latitude, longitude))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Source(_Strict):
    name: str = Field(min_length=1)
    licence: str = Field(min_length=1)


class _Kota(_Strict):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)


class _Kelurahan(_Strict):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    postal_codes: tuple[str, ...] = ()


class _Kecamatan(_Strict):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kelurahan: tuple[_Kelurahan, ...] = Field(min_length=1)


class _File(_Strict):
    source: _Source
    kota: _Kota
    kecamatan: tuple[_Kecamatan, ...] = Field(min_length=1)


def load_areas(path: Path, boundaries: Path | None = None) -> Areas:
    """Read and check the areas file, and the kelurahan boundaries when a file names them;
    any problem names the file, the entry and what (AreasFileError, BoundariesFileError)."""
    areas = _load(path)
    if boundaries is None:
        return areas
    return replace(areas, boundaries=load_boundaries(boundaries, {k.code for k in areas.kelurahan}))


def _load(path: Path) -> Areas:
    raw = read_toml(path, AreasFileError, "areas_file.not_found")
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = PROBLEMS.get(error["type"])
        ctx = {k: v for k, v in error.get("ctx", {}).items() if isinstance(v, str | int | float)}
        if key is None:
            ctx, key = {"detail": error["msg"]}, "agencies_file.unreadable"
        raise AreasFileError(path, _where(error["loc"]), key, **ctx) from None
    return _checked(path, parsed)


def _where(loc: Sequence[int | str]) -> str:
    """An error's place as a person finds it: kecamatan[3] kelurahan[2] name (from 1)."""
    parts: list[str] = []
    for step in loc:
        if isinstance(step, int) and parts:
            parts[-1] = f"{parts[-1]}[{step + 1}]"
        else:
            parts.append(str(step))
    return " ".join(parts)


def _checked(path: Path, parsed: _File) -> Areas:
    kota = parsed.kota.code
    if not KOTA_CODE.match(kota):
        raise AreasFileError(path, "kota code", "areas_file.code_shape", code=kota)
    kecamatan: list[Kecamatan] = []
    kelurahan: list[Kelurahan] = []
    codes: set[str] = set()
    for number, district in enumerate(parsed.kecamatan, start=1):
        where = f"kecamatan[{number}]"
        _check_code(path, f"{where} code", district.code, kota, KECAMATAN_PART, seen=codes)
        names: set[str] = set()
        for place, village in enumerate(district.kelurahan, start=1):
            at = f"{where} kelurahan[{place}]"
            _check_code(path, f"{at} code", village.code, district.code, KELURAHAN_PART, seen=codes)
            folded = " ".join(village.name.casefold().split())
            if folded in names:
                raise AreasFileError(path, f"{at} name", "areas_file.name_twice", name=village.name)
            names.add(folded)
            for postal in village.postal_codes:
                if not re.match(POSTAL_CODE, postal):
                    raise AreasFileError(path, f"{at} postal_codes", "areas_file.postal_code")
            kelurahan.append(
                Kelurahan(village.code, village.name, district.code, village.postal_codes)
            )
        kecamatan.append(Kecamatan(district.code, district.name))
    return Areas(
        kota_code=kota,
        kota_name=parsed.kota.name,
        kecamatan=tuple(kecamatan),
        kelurahan=tuple(kelurahan),
        source=parsed.source.name,
        licence=parsed.source.licence,
    )


def _check_code(
    path: Path, where: str, code: str, parent: str, part: re.Pattern[str], *, seen: set[str]
) -> None:
    """A code is its parent's code and its own part; no two entries share one."""
    if not code.startswith(parent) or not part.match(code[len(parent) :]):
        raise AreasFileError(path, where, "areas_file.code_shape", code=code)
    if code in seen:
        raise AreasFileError(path, where, "areas_file.code_twice", code=code)
    seen.add(code)
