"""Reports like a new one: what counts as near, how recent, and how many are listed.

While filing, a citizen whose report has a place and a category is shown the open reports
of that category nearby, so they can follow one instead of filing the same thing again
(FixMyStreet does this). Near means within about 200 metres of a map point, or the same
kelurahan when there is no point; recent means filed in the last 30 days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

RADIUS_METRES = 200
RECENT_DAYS = 30
# Two keep the message within 25 seconds spoken (ACCESSIBILITY.md rule 5) with the longest
# category name, the choice to file one's own as the last number: three took 31 seconds.
LISTED = 2
# Reports in the square around the point read before the exact distance is measured.
CANDIDATES = 50
# Distances are said to the nearest ten metres: closer would claim a precision a phone's
# location does not have.
ROUNDING_METRES = 10
EARTH_RADIUS_METRES = 6_371_000
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_METRES / 180


@dataclass(frozen=True)
class Box:
    """The square of latitudes and longitudes around a point that holds its circle."""

    south: float
    north: float
    west: float
    east: float


def box_around(latitude: float, longitude: float, metres: float = RADIUS_METRES) -> Box:
    """The bounding box of a circle: an index can find what is inside it."""
    dlat = metres / METRES_PER_DEGREE
    # Degrees of longitude shrink towards the poles; Indonesia is near the equator, but the
    # box stays right anywhere short of a pole.
    dlon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 1e-6))
    return Box(latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon)


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


def rounded(metres: float) -> int:
    """A distance as said to the citizen: to ten metres, and never "0 metres"."""
    return max(ROUNDING_METRES, round(metres / ROUNDING_METRES) * ROUNDING_METRES)


def since(now: datetime) -> datetime:
    """The oldest filing time a listed report may have."""
    return now - timedelta(days=RECENT_DAYS)


@dataclass(frozen=True)
class Place:
    """Where a new report is: a map point, a kelurahan, or both."""

    latitude: float | None = None
    longitude: float | None = None
    kelurahan_code: str | None = None

    @property
    def has_point(self) -> bool:
        """A map point was shared."""
        return self.latitude is not None and self.longitude is not None

    @property
    def known(self) -> bool:
        """Enough to look for reports nearby."""
        return self.has_point or self.kelurahan_code is not None

    def key(self, category: str) -> str:
        """What the listing was shown for: shown again only when this changes."""
        point = f"{self.latitude:.5f},{self.longitude:.5f}" if self.has_point else ""
        return f"{category}|{point}|{self.kelurahan_code or ''}"
