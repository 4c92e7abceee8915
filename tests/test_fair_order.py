"""Fair order per source: one Open311 key's flood of cards takes turns with the cards of
citizens' reports in the staff group, instead of holding them back (issue 15, item 7)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.api.tokens import Scope
from bot.delivery.destinations import Destinations
from storage import outbox_queries as queries
from tests.api_helpers import Api, file, outbox, serve
from tests.harness import Clock

BASE = "/open311/v2"


@pytest.fixture
async def api(database_url: str, clock: Clock) -> AsyncIterator[Api]:
    async for served in serve(database_url, clock, open311_per_minute=1000):
        yield served


async def test_a_citizen_s_card_is_claimed_beside_a_flood_of_one_client_s(api: Api) -> None:
    services = api.services
    key = await api.token("flood", Scope.OPEN311)
    for n in range(30):
        form = {"api_key": key, "service_code": "sampah", "address_id": f"A{n}"}
        async with api.client.post(f"{BASE}/requests.json", data=form) as response:
            assert response.status == 200
    await file(services, category="sampah")
    rows = await outbox(services)
    flood = [r for r in rows if r.destination.get("lane") == "open311:1"]
    [theirs] = [r for r in rows if r.report_id is not None and r.destination.get("lane") is None]
    assert len(flood) == 30 and theirs.id > flood[-1].id, "the citizen's card came last"

    destinations = Destinations(services, None)  # type: ignore[arg-type]
    assert destinations.order_key(flood[0].destination) != destinations.order_key(
        theirs.destination
    ), "a lane of its own in the same chat"
    async with services.sessionmaker.begin() as session:
        claimed = await queries.claim(
            session,
            owner="tester",
            now=services.clock(),
            lease_until=services.clock(),
            order_key=destinations.order_key,
            limits=queries.ClaimLimits(rows=100, chats=32, rows_per_chat=10),
        )
    ids = [row.id for row in claimed]
    assert theirs.id in ids, "claimed in the first round, not after the 30"
    assert len([i for i in ids if i != theirs.id]) == 10, "the flood's lane, ten at a time"
    assert services.settings.admin_chat_id is not None
