"""Write an areas file (kota, kecamatan, kelurahan) from the `idn-area-data` npm package.

    python scripts/make_areas.py                       # Kota Bandung -> bot/data/areas.sample.toml
    python scripts/make_areas.py --regency 32.04 --output areas.toml
    python scripts/make_areas.py --package-dir /tmp/package   # an unpacked package, no npm

The package (https://github.com/fityannugroho/idn-area-data) carries the Kemendagri codes
and names as CSV files; its data is under the Open Database License (ODbL) 1.0, its code
under MIT. The file written says so in its header: a city that ships it passes the licence
on. `npm pack` fetches the package's tarball into a temporary folder (node and npm must be
installed); nothing is installed.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "idn-area-data"
# Pinned so the sample is reproduced exactly; a newer release is taken by changing it here
# and running the script again (the tests check the result).
VERSION = "4.0.1"
REGENCY = "32.73"
ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bot" / "data" / "areas.sample.toml"
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")


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
        raise SystemExit(f"{regency}: no such regency in {data / 'regencies.csv'}")
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
        "# Kemendagri codes and names. Written by scripts/make_areas.py; do not edit by hand,",
        "# run the script again (or copy this file for another city and edit the copy).",
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
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}", "--silent", "--pack-destination", str(into)],
        check=True,
        cwd=into,
        stdout=subprocess.DEVNULL,
    )
    tarball = next(into.glob(f"{PACKAGE}-*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    package = into / "package"
    found = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    if found != version:
        raise SystemExit(f"npm gave {PACKAGE} {found}, not {version}")
    return package


def main(argv: list[str] | None = None) -> int:
    """Write the areas file; print how many kecamatan and kelurahan it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regency", default=REGENCY, help="Kemendagri code, like 32.73")
    parser.add_argument("--version", default=VERSION, help=f"{PACKAGE} version")
    parser.add_argument("--package-dir", type=Path, help="an unpacked package (no npm)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not REGENCY_CODE.match(args.regency):
        parser.error("--regency takes a code like 32.73")
    with tempfile.TemporaryDirectory() as temp:
        package = args.package_dir or fetch(args.version, Path(temp))
        version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
        regency, districts, villages = read_package(package, args.regency)
        args.output.write_text(render(regency, districts, villages, version), encoding="utf-8")
    print(f"{args.output}: {len(districts)} kecamatan, {len(villages)} kelurahan", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
