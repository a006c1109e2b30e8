"""The synthetic Guangxi rollout reproduces the reported figures."""

import math

import pytest

from coverage.analysis.admin import covered_codes, township_counts
from coverage.data.provinces import default_stations_path
from coverage.data.stations import read_stations


@pytest.fixture(scope="module")
def gx_stations():
    return read_stations(default_stations_path("45"), province="45")


def test_every_row_is_synthetic_and_placed(gx_stations):
    assert gx_stations.summary["matched"] == 375
    assert (gx_stations.stations["source"] == "synthetic demo").all()


def test_pilot_of_110_townships_in_21_counties_from_january_2020(gx_stations):
    s = gx_stations.stations
    pilot = s[s["opened"].astype(str) < "2020-02-01"]
    assert len(pilot) == 110
    assert pilot["county_code"].nunique() == 21
    assert pilot["township_code"].is_unique


def test_375_stations_by_november_2021_every_county_at_least_one(gx_stations, guangxi):
    s = gx_stations.stations
    by_nov = covered_codes(s, "2021-11-30")
    assert len(by_nov) == 375
    assert s[s["township_code"].isin(by_nov)]["county_code"].nunique() == len(guangxi.counties) == 111
    assert s["kind"].isin(["street", "town", "township"]).all()


def test_reported_30_percent_is_not_met_at_the_end_of_2021(gx_stations, guangxi):
    counts = township_counts(guangxi.townships, gx_stations.stations, "2021-12-31")
    assert counts == {"counted": 1253, "covered": 375, "rate": 375 / 1253}
    assert round(counts["rate"] * 100, 1) == 29.9
    assert math.ceil(0.3 * counts["counted"]) - counts["covered"] == 1


def test_guangdong_reported_stations_resolve(guangdong):
    result = read_stations(default_stations_path("44"), province="44")
    assert result.summary == {"matched": 21, "repaired": 2, "ambiguous": 0, "unmatched": 0, "rejected": 0, "total": 23}
    assert len(covered_codes(result.stations)) == 23
    assert (result.stations["location_source"] == "township point (approximate)").all()
