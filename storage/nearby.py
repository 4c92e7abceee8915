"""Open reports like a new one: same category, near its place, filed lately. Never commits.

Only reports another citizen may be shown: open, neither anonim nor rahasia, not the
citizen's own. Near a map point, the index on (category, latitude, longitude) finds the
reports in the square around it, then the exact distance keeps those within the circle;
in a kelurahan, the index on (category, kelurahan_code, created_at) finds the newest.
Both are limited, so a city's years of reports are never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import duplicates
from bot.core.duplicates import Place
from bot.core.intake.answers import Similar
from bot.core.lifecycle import OPEN_STATUSES, Status
from storage.models import Report

_COLUMNS = (
    Report.code,
    Report.status,
    Report.latitude,
    Report.longitude,
    Report.kelurahan_code,
)


def _shown(
    category: str, now: datetime, reporter_id: int | None
) -> Select[int, Status, float | None, float | None, str | None]:
    query = select(*_COLUMNS).where(
        Report.category == category,
        Report.status.in_(OPEN_STATUSES),
        Report.created_at >= duplicates.since(now),
        Report.anonymous == false(),
        Report.confidential == false(),
    )
    if reporter_id is not None:
        query = query.where(or_(Report.reporter_id.is_(None), Report.reporter_id != reporter_id))
    return query


async def similar(
    session: AsyncSession,
    category: str,
    place: Place,
    *,
    now: datetime,
    reporter_id: int | None,
    limit: int = duplicates.LISTED,
) -> list[Similar]:
    """The open reports of the category near the place, nearest (then newest) first."""
    found: list[Similar] = []
    shown = _shown(category, now, reporter_id)
    if place.latitude is not None and place.longitude is not None:
        box = duplicates.box_around(place.latitude, place.longitude)
        rows = await session.execute(
            shown.where(
                Report.latitude.between(box.south, box.north),
                Report.longitude.between(box.west, box.east),
            )
            .order_by(Report.created_at.desc())
            .limit(duplicates.CANDIDATES)
        )
        measured = [
            (duplicates.distance_metres(place.latitude, place.longitude, lat, lon), row)
            for row in rows
            if (lat := row.latitude) is not None and (lon := row.longitude) is not None
        ]
        found = [
            Similar(row.code, row.status.value, metres=duplicates.rounded(metres))
            for metres, row in sorted(measured, key=lambda pair: pair[0])
            if metres <= duplicates.RADIUS_METRES
        ]
    if place.kelurahan_code is not None and len(found) < limit:
        in_kelurahan = shown.where(Report.kelurahan_code == place.kelurahan_code)
        if place.has_point:
            # Those with a point were measured above; these gave only a typed place.
            in_kelurahan = in_kelurahan.where(Report.latitude.is_(None))
        rows = await session.execute(in_kelurahan.order_by(Report.created_at.desc()).limit(limit))
        found += [
            Similar(row.code, row.status.value, kelurahan_code=place.kelurahan_code) for row in rows
        ]
    return found[:limit]


async def followable(session: AsyncSession, codes: Sequence[int]) -> dict[int, Report]:
    """The reports of these codes that may still be followed from the list (still open,
    still neither anonim nor rahasia), by code."""
    rows = await session.scalars(
        select(Report).where(
            Report.code.in_(list(codes)),
            Report.status.in_(OPEN_STATUSES),
            Report.anonymous == false(),
            Report.confidential == false(),
        )
    )
    return {report.code: report for report in rows}
