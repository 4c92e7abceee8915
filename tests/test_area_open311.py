"""Open311 requests are placed in a kelurahan as the chat places them, without a question:
by the boundary holding lat/long, else by an address naming one kelurahan; the area is
given back in the request's address fields."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.api.tokens import Scope
from bot.core.tracking import format_code
from bot.core.transitions import Action
from bot.settings import SAMPLE_AREAS_FILE
from tests.api_helpers import Api, act, assert_valid, report, serve
from tests.harness import Clock
from tests.test_open311 import BASE, REQUEST, one

DESCRIPTION = "Lampu penerangan jalan mati total sejak Senin malam, gelap sekali."


def boundaries(path: Path) -> Path:
    """A made-up square for Kelurahan Braga (not its real shape)."""
    ring = [[107.60, -6.92], [107.61, -6.92], [107.61, -6.91], [107.60, -6.91], [107.60, -6.92]]
    feature = {
        "type": "Feature",
        "properties": {"code": "32.73.19.1001"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


@pytest.fixture
async def api(database_url: str, clock: Clock, tmp_path: Path) -> AsyncIterator[Api]:
    shapes = boundaries(tmp_path / "batas.geojson")
    async for served in serve(
        database_url, clock, areas_file=SAMPLE_AREAS_FILE, areas_boundaries_file=shapes
    ):
        yield served


async def post(api: Api, key: str, **fields: str) -> int:
    status, created = await api.post_form(
        f"{BASE}/requests.json",
        {"api_key": key, "service_code": "lampu_rambu", "description": DESCRIPTION, **fields},
    )
    assert status == 200, created
    return int(created[0]["service_request_id"].replace("-", ""))


async def test_requests_are_placed_by_boundary_then_by_address(api: Api) -> None:
    key = await api.token("portal-warga", Scope.OPEN311)
    # Inside the square: Braga, whatever the address says.
    by_point = await post(api, key, lat="-6.915", long="107.605", address_string="dekat toko")
    # Outside every boundary, an address naming one kelurahan.
    by_name = await post(
        api, key, lat="-6.95", long="107.70", address_string="Jalan Dipatiukur, Kel. Lebak Gede"
    )
    # An address alone that names several, or none: not placed (no one to ask).
    several = await post(api, key, address_string="Jalan Cisaranten nomor 4")
    unknown = await post(api, key, address_string="Jalan Soekarno Hatta 100")
    placed = [await report(api.services, code) for code in (by_point, by_name, several, unknown)]
    assert [(r.kelurahan_code, r.kecamatan_code) for r in placed] == [
        ("32.73.19.1001", "32.73.19"),
        ("32.73.02.1002", "32.73.02"),
        (None, None),
        (None, None),
    ]


async def test_the_area_is_in_the_address_and_an_anonymous_ones_alone(api: Api) -> None:
    key = await api.token("portal-warga", Scope.OPEN311)
    named = await post(api, key, address_string="Jalan Dipatiukur 35, Kel. Lebak Gede")
    hidden = await post(
        api,
        key,
        address_string="Gang Sadar 3, Kel. Lebak Gede",
        **{"attribute[privasi]": "anonim"},
    )
    for code in (named, hidden):
        await act(api.services, code, Action.FORWARD, agency="dishub")
    shown = await one(api, named)
    assert shown["address"] == (
        "Jalan Dipatiukur 35, Kel. Lebak Gede, Kelurahan Lebak Gede, Kecamatan Coblong, "
        "Kota Bandung"
    )
    assert_valid(REQUEST, shown)
    # An anonymous citizen's address may be their door: the area alone is published.
    coarse = await one(api, hidden)
    assert coarse["address"] == "Kelurahan Lebak Gede, Kecamatan Coblong, Kota Bandung"
    assert coarse["zipcode"] is None, "the sample has no postal codes"


async def test_the_agencies_api_carries_the_kecamatan_and_kelurahan(api: Api) -> None:
    key = await api.token("portal-warga", Scope.OPEN311)
    placed = await post(api, key, address_string="Jalan Dipatiukur 35, Kel. Lebak Gede")
    unplaced = await post(api, key, address_string="Jalan Soekarno Hatta 100")
    for code in (placed, unplaced):
        await act(api.services, code, Action.FORWARD, agency="dishub")
    status, body = await api.get("/api/v1/reports", await api.token("dishub"))
    assert status == 200
    seen = {r["code"]: r for r in body["reports"]}
    one_placed = seen[format_code(placed)]
    assert one_placed["kecamatan"] == {"code": "32.73.02", "name": "Coblong"}
    assert one_placed["kelurahan"] == {"code": "32.73.02.1002", "name": "Lebak Gede"}
    assert seen[format_code(unplaced)]["kecamatan"] is None
    assert seen[format_code(unplaced)]["kelurahan"] is None
    status, detail = await api.get(
        f"/api/v1/reports/{format_code(placed)}", await api.token("dishub")
    )
    assert status == 200 and detail["kelurahan"]["name"] == "Lebak Gede"
