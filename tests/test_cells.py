"""Approximate township cells on small hand-checkable counties."""

import numpy as np
import pandas as pd
import pytest
import shapely

from coverage.data.build.cells import _absorb_slivers, is_urban, split_county, tiling_error, weighted_lloyd

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


def with_positions(frame, positions):
    """``units`` with published positions (lon, lat) for some codes (NaN for the rest)."""
    out = frame.copy()
    out["lon"] = [positions.get(c, (float("nan"),) * 2)[0] for c in out["code"]]
    out["lat"] = [positions.get(c, (float("nan"),) * 2)[1] for c in out["code"]]
    return out


def test_published_positions_are_the_points_of_their_own_cells():
    u = with_positions(
        units(["town"] * 8),
        {"450000002": (108.05, 22.55), "450000005": (108.45, 22.95), "450000007": (108.26, 22.74)},
    )
    out = split_county(SQUARE, u).set_index("code")
    for code in ("450000002", "450000005", "450000007"):
        row = out.loc[code]
        assert (row["lon"], row["lat"]) == (u.set_index("code").loc[code, "lon"], u.set_index("code").loc[code, "lat"])
        assert row["geometry"].contains(shapely.Point(row["lon"], row["lat"]))
        assert row["point_source"] == "published"
    assert (out.drop(index=["450000002", "450000005", "450000007"])["point_source"] == "estimated").all()
    area_error, overlap = tiling_error(SQUARE, out["geometry"])
    assert area_error < 1e-6 and overlap < 1e-9


def test_the_seat_unit_without_a_position_gets_the_seat():
    u = units(["street", "town", "town", "town"], communities=[9, 1, 1, 1])
    out = split_county(SQUARE, u, seat=(108.1, 22.6)).set_index("code")
    street = out.loc["450000001"]
    assert street["point_source"] == "county_seat"
    assert (street["lon"], street["lat"]) == (108.1, 22.6)
    assert street["geometry"].contains(shapely.Point(108.1, 22.6))
    assert (out["point_source"] == "county_seat").sum() == 1
    # the seat is only an estimate: no seat town
    assert (split_county(SQUARE, u, seat=(108.1, 22.6), pin_seat=False)["point_source"] == "estimated").all()


def test_the_seat_goes_to_nobody_when_a_published_town_sits_on_it():
    u = with_positions(units(["street", "town", "town"], communities=[9, 1, 1]), {"450000002": (108.102, 22.601)})
    out = split_county(SQUARE, u, seat=(108.1, 22.6)).set_index("code")
    assert out.loc["450000002", "point_source"] == "published"
    assert "county_seat" not in set(out["point_source"])


def test_two_towns_on_one_published_position_use_neither():
    u = with_positions(units(["town"] * 4), {"450000001": (108.2, 22.7), "450000003": (108.2003, 22.7)})
    out = split_county(SQUARE, u).set_index("code")
    assert (out["point_source"] == "estimated").all()
    assert out.loc["450000001", "point_note"] == "published position shared with 450000003; not used"
    assert out.loc["450000003", "point_note"] == "published position shared with 450000001; not used"


def test_a_position_just_outside_the_county_is_moved_inside():
    # 0.005 degrees (about 500 m) east of the square's eastern edge
    u = with_positions(units(["town"] * 3), {"450000002": (108.505, 22.75)})
    out = split_county(SQUARE, u).set_index("code")
    row = out.loc["450000002"]
    assert row["point_source"] == "published"
    assert row["geometry"].contains(shapely.Point(row["lon"], row["lat"]))
    assert 108.49 < row["lon"] < 108.5 and abs(row["lat"] - 22.75) < 1e-3


def test_a_lone_unit_takes_its_published_position_or_the_seat():
    published = split_county(SQUARE, with_positions(units(["town"]), {"450000001": (108.3, 22.8)}), seat=(108.1, 22.6))
    assert published[["lon", "lat", "point_source"]].iloc[0].tolist() == [108.3, 22.8, "published"]
    seat = split_county(SQUARE, units(["town"]), seat=(108.1, 22.6))
    assert seat[["lon", "lat", "point_source"]].iloc[0].tolist() == [108.1, 22.6, "county_seat"]


def test_weighted_lloyd_holds_fixed_centres_and_centres_the_rest():
    rng = np.random.default_rng(7)
    points = rng.uniform(0, 1000, size=(400, 2))
    weights = rng.uniform(0.5, 2.0, size=400)
    fixed = np.array([[100.0, 100.0], [900.0, 500.0]])
    centres = weighted_lloyd(points, weights, 6, fixed=fixed, seed=3, max_iter=500, tol_m=1e-9)
    assert (centres[:2] == fixed).all()
    nearest = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    for k in range(2, 6):  # a free centre is the weighted centroid of its samples (Lloyd's fixed point)
        mine = nearest == k
        centroid = (points[mine] * weights[mine, None]).sum(axis=0) / weights[mine].sum()
        assert np.allclose(centres[k], centroid, atol=1e-6)


def test_a_detached_part_holding_the_generator_stays_with_its_cell():
    left = shapely.box(0, 0, 1, 1)
    right = shapely.box(2, 0, 3, 1)
    big = shapely.box(3, 0, 6, 1)
    middle = shapely.box(1, 0, 2, 1)
    # cell 0: a small part (holding its generator) and a large part touching cell 1
    cells = np.array([shapely.union(left, big), middle], dtype=object)
    cells[1] = shapely.union(middle, right)
    out = _absorb_slivers(cells, shapely.points([0.5, 1.5], [0.5, 0.5]))
    assert out[0].equals(left)
    assert out[1].equals(shapely.union_all([middle, right, big]))
