"""Kelurahan boundaries (AREAS_BOUNDARIES_FILE): a shared map point placed in its kelurahan.

The file is GeoJSON as a city's GIS office exports it: a FeatureCollection whose features
are the kelurahan's Polygons or MultiPolygons, each with `properties.code` the kelurahan's
Kemendagri code as in the areas file. None ship with lapor-bot (no published set with a
licence that allows it was found); tests use small made-up squares.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

SHAPES = frozenset({"Polygon", "MultiPolygon"})


class BoundariesFileError(Exception):
    """The boundaries file is unreadable or names what the areas file does not; told like
    the areas file's errors (`key` an areas_file.* catalogue text with `params`)."""

    def __init__(self, path: Path, where: str, key: str, **params: object) -> None:
        super().__init__(f"{path}: {where}: {key}" if where else f"{path}: {key}")
        self.path = path
        self.where = where
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Boundaries:
    """Kelurahan shapes by code, indexed so a point finds its shape without trying all."""

    codes: tuple[str, ...]
    shapes: tuple[BaseGeometry, ...]
    tree: STRtree

    def locate(self, latitude: float, longitude: float) -> str | None:
        """The code of the kelurahan whose shape holds the point (on a shared edge, the
        lowest code), None outside every one."""
        # GeoJSON, and so the shapes, have longitude first.
        hits = self.tree.query(Point(longitude, latitude), predicate="intersects")
        return min((self.codes[int(i)] for i in hits), default=None)


def boundaries_of(shapes: dict[str, BaseGeometry]) -> Boundaries:
    """Boundaries from shapes by kelurahan code."""
    codes = tuple(shapes)
    geometries = tuple(shapes[code] for code in codes)
    return Boundaries(codes, geometries, STRtree(geometries))


def load_boundaries(path: Path, known: Collection[str]) -> Boundaries:
    """Read a GeoJSON FeatureCollection of kelurahan shapes, each code one of `known`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BoundariesFileError(path, "", "areas_file.boundaries_not_found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise BoundariesFileError(path, "", "areas_file.not_geojson") from None
    features = raw.get("features") if isinstance(raw, dict) else None
    if not isinstance(features, list) or raw.get("type") != "FeatureCollection":
        raise BoundariesFileError(path, "", "areas_file.not_geojson")
    shapes: dict[str, BaseGeometry] = {}
    for number, feature in enumerate(features, start=1):
        where = f"features[{number}]"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get("code") if isinstance(properties, dict) else None
        if not isinstance(code, str) or code not in known:
            raise BoundariesFileError(
                path, f"{where} properties code", "areas_file.boundary_unknown", code=str(code)
            )
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in SHAPES:
            raise BoundariesFileError(path, f"{where} geometry", "areas_file.boundary_shape")
        try:
            made = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError):
            raise BoundariesFileError(
                path, f"{where} geometry", "areas_file.boundary_shape"
            ) from None
        if made.is_empty or not made.is_valid:
            raise BoundariesFileError(path, f"{where} geometry", "areas_file.boundary_shape")
        shapes[code] = shapes[code].union(made) if code in shapes else made
    return boundaries_of(shapes)
