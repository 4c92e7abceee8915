"""Write an areas file (kota, kecamatan, kelurahan) from the `idn-area-data` npm package.

    lapor-bot areas --regency 32.04 --output areas.toml
    lapor-bot areas --package-dir /tmp/package      # an unpacked package, no npm
    lapor-bot areas --output bot/data/areas.sample.toml   # the sample: Kota Bandung, 32.73

A command of the installed bot, not a script of the source tree, so a city that installed
the wheel writes its own file.

The package (https://github.com/fityannugroho/idn-area-data) carries the Kemendagri codes
and names as CSV files; its data is under the Open Database License (ODbL) 1.0, its code
under MIT. The file written says so in its header: a city that ships it passes the licence
on. `npm pack` fetches the package's tarball into a temporary folder (node and npm must be
installed); nothing is installed.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "idn-area-data"
# Pinned so the sample is reproduced exactly; a newer release is taken by changing it here
# and running the script again (the tests check the result).
VERSION = "4.0.1"
REGENCY = "32.73"
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")


class AreasSourceError(Exception):
    """The areas file could not be written; `key` names the catalogue message."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Row:
    """One line of the package's CSV files that the areas file keeps."""

    code: str
    parent: str
    name: str


def read_package(package_dir: Path, regency: str) -> tuple[Row, list[Row], list[Row]]:
    """The regency, its districts (kecamatan) and villages (kelurahan/desa), by code."""
    data = package_dir / "data"
    regencies = [r for r in _rows(data / "regencies.csv", "province_code") if r.code == regency]
    if not regencies:
        raise AreasSourceError("cli.areas.no_regency", regency=regency)
    districts = [r for r in _rows(data / "districts.csv", "regency_code") if r.parent == regency]
    codes = {d.code for d in districts}
    villages = [r for r in _rows(data / "villages.csv", "district_code") if r.parent in codes]
    return regencies[0], sorted(districts, key=_key), sorted(villages, key=_key)


def _rows(path: Path, parent: str) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Row(line["code"].strip(), line[parent].strip(), " ".join(line["name"].split()))
            for line in csv.DictReader(handle)
        ]


def _key(row: Row) -> tuple[int, ...]:
    return tuple(int(part) for part in row.code.split("."))


def render(regency: Row, districts: list[Row], villages: list[Row], version: str) -> str:
    """The areas file as TOML, header first: where the data comes from and its licence."""
    lines = [
        f"# Areas of {regency.name}: its kecamatan and their kelurahan, with the official",
        "# Kemendagri codes and names. Written by `lapor-bot areas`; do not edit by hand, run",
        "# the command again (or copy this file for another city and edit the copy).",
        "#",
        f"# Source: the {PACKAGE} package, version {version}, from the npm registry",
        "# (https://github.com/fityannugroho/idn-area-data), after the Ministry of Home",
        "# Affairs' (Kemendagri) regulation on area codes. The data is made available under the",
        "# Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/ :",
        "# whoever shares this file or a database made from it shares it under the ODbL too.",
        "#",
        '# Postal codes are optional (postal_codes = ["40152"] on a kelurahan); none ship here,',
        "# for lack of a maintained published list under a licence that allows it. Boundaries",
        "# are not in this file: AREAS_BOUNDARIES_FILE names a GeoJSON file of the city's own.",
        "",
        "[source]",
        f'name = "{PACKAGE} {version}"',
        'licence = "ODbL-1.0"',
        "",
        "[kota]",
        f"code = {_quoted(regency.code)}",
        f"name = {_quoted(regency.name)}",
    ]
    for district in districts:
        lines += ["", "[[kecamatan]]"]
        lines.append(f"code = {_quoted(district.code)}")
        lines.append(f"name = {_quoted(district.name)}")
        lines.append("kelurahan = [")
        for village in villages:
            if village.parent == district.code:
                code, name = _quoted(village.code), _quoted(village.name)
                lines.append(f"    {{ code = {code}, name = {name} }},")
        lines.append("]")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    # A TOML basic string is a JSON string for the characters names have.
    return json.dumps(text, ensure_ascii=False)


def fetch(version: str, into: Path) -> Path:
    """The package's tarball by `npm pack`, unpacked; the folder holding package.json."""
    try:
        subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{version}", "--silent", "--pack-destination", str(into)],
            check=True,
            cwd=into,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError):
        raise AreasSourceError("cli.areas.npm_failed", package=f"{PACKAGE}@{version}") from None
    tarball = next(into.glob(f"{PACKAGE}-*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    package = into / "package"
    found = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    if found != version:
        raise AreasSourceError("cli.areas.wrong_version", given=found, version=version)
    return package


def write(regency: str, output: Path, version: str, package_dir: Path | None) -> tuple[int, int]:
    """Write the areas file of a regency; how many kecamatan and kelurahan it holds."""
    if not REGENCY_CODE.match(regency):
        raise AreasSourceError("cli.areas.regency_code", regency=regency)
    with tempfile.TemporaryDirectory() as temp:
        package = package_dir or fetch(version, Path(temp))
        try:
            found = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
            row, districts, villages = read_package(package, regency)
        except (OSError, ValueError, KeyError):
            raise AreasSourceError("cli.areas.not_a_package", path=package) from None
        output.write_text(render(row, districts, villages, found), encoding="utf-8")
    return len(districts), len(villages)
