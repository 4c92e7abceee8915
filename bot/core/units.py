"""Units that handle reports: the city's agencies and the offices of its kecamatan and
kelurahan; which one a report goes to, and where it is passed up or down.

A report is routed by its category's level and its area: a kelurahan-level category with
a known kelurahan goes to that kelurahan's office, a kecamatan-level one to the office of
the kecamatan it lies in; a place the bot does not know (or a city without an areas file)
leaves it with the category's agency, as before levels. A kelurahan passes a report up to
its kecamatan, a kecamatan up to the category's agency or back down to the report's
kelurahan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from bot.core.agencies import AgenciesFileError, Category, Directory, Office, OfficeSetting
from bot.core.levels import Level, office_key
from bot.core.transitions import Action


class Area(Protocol):
    """A kecamatan or a kelurahan of the areas file."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


class Village(Area, Protocol):
    """A kelurahan, which lies in a kecamatan."""

    @property
    def kecamatan_code(self) -> str: ...


class AreaBook(Protocol):
    """What routing reads of the areas file (bot/core/areas.py)."""

    @property
    def kecamatan(self) -> Sequence[Area]: ...

    @property
    def kelurahan(self) -> Sequence[Village]: ...


def with_offices(directory: Directory, areas: AreaBook, path: Path) -> Directory:
    """The directory with an office for every kecamatan and kelurahan of the areas file, as
    the agencies file's `offices` set them up; `path` (the agencies file) names the file
    when one of those names an area the areas file does not have."""
    settings = {setting.area: setting for setting in directory.office_settings}
    names = {kecamatan.code: kecamatan.name for kecamatan in areas.kecamatan}
    offices: dict[str, Office] = {}
    for kecamatan in areas.kecamatan:
        office = _office(Level.KECAMATAN, kecamatan, settings.get(kecamatan.code), None, None)
        offices[office.key] = office
    for kelurahan in areas.kelurahan:
        parent = office_key(Level.KECAMATAN, kelurahan.kecamatan_code)
        setting = settings.get(kelurahan.code)
        office = _office(
            Level.KELURAHAN, kelurahan, setting, parent, names.get(kelurahan.kecamatan_code)
        )
        offices[office.key] = office
    known = {office.area for office in offices.values()}
    for number, setting in enumerate(directory.office_settings, start=1):
        if setting.area not in known:
            where = f"offices[{number}] area"
            raise AgenciesFileError(path, where, "agencies_file.area_unknown", area=setting.area)
    return replace(directory, offices=offices)


def _office(
    level: Level,
    area: Area,
    setting: OfficeSetting | None,
    parent: str | None,
    kecamatan_name: str | None,
) -> Office:
    """An office's unit. Its name says the level in full ("Kelurahan Dago"), as a screen
    reader should say it; a kelurahan's topic adds its kecamatan, since two kecamatan may
    each have a kelurahan of the same name."""
    short = f"{level.value.capitalize()} {area.name}"
    name = f"{short}, Kecamatan {kecamatan_name}" if kecamatan_name else short
    return Office(
        key=office_key(level, area.code),
        name=name,
        short_name=short,
        chat_id=setting.chat_id if setting else None,
        first_response_days=setting.first_response_days if setting else 5,
        level=level,
        area=area.code,
        parent=parent,
    )


def city_agency(directory: Directory, category: Category) -> str:
    """The agency a category's reports go to at the city's level (the fallback agency for
    a category outside the city's remit, whose reports the verifiers answer)."""
    return directory.agency_for(category).key


def route(
    directory: Directory,
    category: Category,
    kelurahan_code: str | None,
    kecamatan_code: str | None = None,
) -> str:
    """The unit a new report of this category and place goes to."""
    kecamatan_code = kecamatan_code or _kecamatan_of(directory, kelurahan_code)
    if category.level is Level.KELURAHAN and kelurahan_code:
        office = directory.offices.get(office_key(Level.KELURAHAN, kelurahan_code))
        if office is not None:
            return office.key
    if category.level in (Level.KELURAHAN, Level.KECAMATAN) and kecamatan_code:
        office = directory.offices.get(office_key(Level.KECAMATAN, kecamatan_code))
        if office is not None:
            return office.key
    return city_agency(directory, category)


def _kecamatan_of(directory: Directory, kelurahan_code: str | None) -> str | None:
    if not kelurahan_code:
        return None
    office = directory.offices.get(office_key(Level.KELURAHAN, kelurahan_code))
    parent = directory.offices.get(office.parent) if office and office.parent else None
    return parent.area if parent else None


def above(directory: Directory, unit: str, category: Category) -> str | None:
    """The unit a report is passed up to ("naikkan"): a kelurahan's kecamatan, then the
    category's agency; None at the city's level, the top."""
    office = directory.offices.get(unit)
    if office is None:
        return None
    if office.parent is not None and office.parent in directory.offices:
        return office.parent
    return city_agency(directory, category)


def below(directory: Directory, unit: str, kelurahan_code: str | None) -> str | None:
    """The unit a kecamatan passes a report back down to ("turunkan"): the kelurahan the
    report lies in, when it lies in this kecamatan; None otherwise."""
    office = directory.offices.get(unit)
    if office is None or office.level is not Level.KECAMATAN or not kelurahan_code:
        return None
    village = directory.offices.get(office_key(Level.KELURAHAN, kelurahan_code))
    return village.key if village is not None and village.parent == unit else None


class Placed(Protocol):
    """What decides where a report moves between levels."""

    @property
    def agency(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def kelurahan_code(self) -> str | None: ...


def level_target(directory: Directory, report: Placed, action: Action) -> str | None:
    """The unit a level action moves the report to; None where there is none."""
    if action is Action.LOWER:
        return below(directory, report.agency, report.kelurahan_code)
    try:
        category = directory.category(report.category)
    except StopIteration:
        # A category the file no longer has: up from an office is still the city's.
        return directory.city.fallback_agency if report.agency in directory.offices else None
    return above(directory, report.agency, category)
