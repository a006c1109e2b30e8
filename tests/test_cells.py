"""Approximate township cells on small hand-checkable counties."""

import pandas as pd
import pytest
import shapely

from coverage.data.build.cells import is_urban, split_county, tiling_error

# a 0.5 x 0.5 degree square county near Nanning
SQUARE = shapely.box(108.0, 22.5, 108.5, 23.0)


def units(kinds, villages=None, communities=None):
    n = len(kinds)
    return pd.DataFrame(
        {
            "code": [f"450000{i:03d}" for i in range(1, n + 1)],
            "kind": kinds,
            "n_villages": villages or [10] * n,
            "n_communities": communities or [1] * n,
        }
    )


def test_one_unit_gets_the_whole_county():
    out = split_county(SQUARE, units(["town"]))
    assert len(out) == 1
    assert out["geometry"].iloc[0].equals(SQUARE)


def test_cells_tile_the_county_exactly():
    out = split_county(SQUARE, units(["street"] * 3 + ["town"] * 6 + ["township"] * 3), seat=(108.1, 22.6))
    area_error, overlap = tiling_error(SQUARE, out["geometry"])
    assert area_error < 1e-6
    assert overlap < 1e-9
    assert len(out) == 12
    assert all(not g.is_empty for g in out["geometry"])


def test_urban_units_get_smaller_cells_near_the_seat():
    kinds = ["street"] * 4 + ["town"] * 8
    seat = (108.1, 22.6)
    out = split_county(SQUARE, units(kinds), seat=seat)
    area = out["geometry"].map(lambda g: g.area)
    street, town = area[:4].mean(), area[4:].mean()
    assert street * 3 < town  # the rule aims at 1/8; few cells never reach it exactly
    seat_point = shapely.Point(seat)
    assert any(g.contains(seat_point) for g in out["geometry"][:4])


def test_cells_are_deterministic():
    u = units(["street"] * 2 + ["town"] * 5)
    a = split_county(SQUARE, u, seat=(108.2, 22.7))
    b = split_county(SQUARE, u, seat=(108.2, 22.7))
    assert all(x.equals(y) for x, y in zip(a["geometry"], b["geometry"], strict=True))


def test_county_with_an_island_is_tiled():
    county = shapely.union(SQUARE, shapely.box(108.6, 22.5, 108.65, 22.55))
    out = split_county(county, units(["town"] * 5))
    area_error, overlap = tiling_error(county, out["geometry"])
    assert area_error < 1e-6 and overlap < 1e-9


@pytest.mark.parametrize(
    ("kind", "villages", "communities", "urban"),
    [("street", 0, 5, True), ("town", 3, 8, True), ("town", 12, 2, False), ("other", 0, 4, False)],
)
def test_urban_rule(kind, villages, communities, urban):
    got = is_urban(pd.Series([kind]), pd.Series([villages]), pd.Series([communities]))
    assert bool(got.iloc[0]) is urban
