"""Checks of typed values (coverage.checks), and the library functions that use them refusing nonsense."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from coverage import checks, settings
from coverage._errors import InputError


# --------------------------------------------------------------------------- the rules themselves
@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        (checks.RADIUS_KM, "12.5", 12.5),
        (checks.RADIUS_KM, 100, 100.0),
        (checks.GRID_KM, "0.1", 0.1),
        (checks.SHARE, "1", 1.0),
        (checks.CIRCUITY, 1, 1.0),
        (checks.PER_DAY, "6", 6),
        (checks.PER_DAY, 2.0, 2),
        (checks.COUNTY_MIN, "0", 0),
        (checks.SEED, " 7 ", 7),
    ],
)
def test_values_inside_the_bounds_are_returned(rule, value, expected):
    result = rule(value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("rule", "value", "message"),
    [
        (checks.RADIUS_KM, "0", "service radius in km: 0 is too small; give a number above 0 and at most 100, e.g. 10"),
        (checks.RADIUS_KM, "100.5", "100.5 is too large"),
        (checks.RADIUS_KM, "-inf", "-inf is not a finite number"),
        (checks.RADIUS_KM, "", "'' is not a number"),
        (checks.RADIUS_KM, None, "None is not a number"),
        (checks.RADIUS_KM, True, "True is not a number"),
        (checks.GRID_KM, "0.09", "grid cell size in km: 0.09 is too small; give a number from 0.1 to 20, e.g. 1"),
        (checks.SHARE, 0, "share of demand: 0 is too small; give a number above 0 and at most 1"),
        (checks.CIRCUITY, "0.99", "0.99 is too small; give a number from 1 to 3, e.g. 1.3"),
        (checks.PER_DAY, "7", "visits a day: 7 is too large; give a whole number from 1 to 6, e.g. 2"),
        (checks.PER_DAY, "1.5", "1.5 is not a whole number"),
        (checks.SEED, "-1", "seed: -1 is too small; give a whole number of 0 or more, e.g. 0"),
    ],
)
def test_values_outside_say_what_to_give(rule, value, message):
    with pytest.raises(InputError) as err:
        rule(value)
    assert message in str(err.value)


def test_long_speed_zero_or_none_turns_it_off():
    assert checks.long_speed(0) is None and checks.long_speed("0") is None and checks.long_speed(None) is None
    assert checks.long_speed("90") == 90.0
    with pytest.raises(InputError, match="0 turns it off"):
        checks.long_speed("-80")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-04", dt.date(2024, 11, 4)),
        (" 2024-2-9 ", dt.date(2024, 2, 9)),
        (dt.datetime(2024, 1, 2, 9), dt.date(2024, 1, 2)),
    ],
)
def test_dates(value, expected):
    assert checks.parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-02-30", "date '2021-02-30' is not a day of the calendar (day is out of range for month)"),
        ("20241104", "date '20241104' not understood; use YYYY-MM-DD, e.g. 2024-11-04"),
        ("2024", "not understood"),
        ("1999-12-31", "date 1999-12-31 is out of range; give a date from 2000-01-01 to 2100-12-31"),
    ],
)
def test_bad_dates(value, message):
    with pytest.raises(InputError) as err:
        checks.parse_date(value)
    assert message in str(err.value)


def test_a_bare_year_is_its_31_december_where_targets_allow_it():
    assert checks.parse_date("2023", year_means_end=True) == dt.date(2023, 12, 31)
    assert checks.parse_date("1900-01-01", bounded=False) == dt.date(1900, 1, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-11", dt.date(2024, 11, 1)), ("2024-2", dt.date(2024, 2, 1)), ("2024-11-30", dt.date(2024, 11, 1))],
)
def test_months(value, expected):
    assert checks.parse_month(value) == expected


@pytest.mark.parametrize("value", ["2024-13", "2024-00", "24-11", "2024", "2024-11-31", "2101-01"])
def test_bad_months(value):
    with pytest.raises(InputError, match="YYYY-MM|out of range"):
        checks.parse_month(value)


@pytest.mark.parametrize(("value", "minutes"), [("08:30", 510), ("8:30", 510), ("24:00", 1440), ("0:00", 0), (90, 90)])
def test_clock_times(value, minutes):
    assert checks.clock_minutes(value) == minutes


@pytest.mark.parametrize("value", ["24:01", "25:00", "08:60", "8点半", "-1:00", "", float("nan"), 1441])
def test_bad_clock_times(value):
    with pytest.raises(InputError, match="unreadable; write it as HH:MM, e.g. 08:30"):
        checks.clock_minutes(value)


# --------------------------------------------------------------------------- library functions use them
def test_grid_size_estimate_and_refusal():
    from coverage.analysis.demand import check_grid_size

    assert check_grid_size(2_500e6, 100.0) == 250_000  # a county of 2,500 km² at 0.1 km
    with pytest.raises(InputError) as err:
        check_grid_size(237_000e6, 200.0)
    assert str(err.value) == (
        "a 0.2-km grid over 237,000 km² would have about 5,925,000 cells, more than 3,000,000; "
        "use cells of 0.3 km or more, or a smaller area"
    )


def test_gap_analysis_refuses_a_bad_radius_or_grid():
    from coverage.analysis.gaps import gap_analysis

    towns = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(0, 0, 4000, 1000)], crs="EPSG:4545")
    for kwargs, message in (
        ({"radius_m": 0.0}, "service radius in km: 0 is too small"),
        ({"radius_m": float("nan")}, "nan is not a finite number"),
        ({"radius_m": 2000.0, "grid_m": 10.0}, "grid cell size in km: 0.01 is too small"),
        ({"radius_m": 2000.0, "grid_m": float("nan")}, "grid cell size in km: nan"),
    ):
        with pytest.raises(InputError, match=message):
            gap_analysis(towns, [(0.0, 500.0)], **kwargs)


def _request(dates=(dt.date(2024, 11, 4),), **kwargs):
    from coverage.field.trips import Place, TripRequest

    stations = pd.DataFrame({"code": ["a"], "name": ["A"], "lon": [113.1], "lat": [23.0]})
    base = Place("base", "base", 113.0, 23.0)
    return TripRequest(stations, base, base, list(dates), overnight="base", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"per_day": 0}, "visits a day: 0 is too small"),
        ({"visit_min": -60}, "hours per visit: -1 is too small"),
        ({"visit_min": 600}, "a visit of 10 h does not fit in a working day of 8 h 30 min"),
        ({"lunch_min": -5}, "lunch break in minutes: -5 is too small"),
        ({"evening_min": float("nan")}, "evening transfer in minutes: nan is not a finite number"),
        ({"day_start": "18:00", "day_end": "08:00"}, "the working day ends at 08:00, not after it starts at 18:00"),
        ({"day_end": "25:00"}, "time '25:00' unreadable"),
    ],
)
def test_trip_requests_refuse_nonsense(kwargs, message):
    with pytest.raises(InputError) as err:
        _request(**kwargs)
    assert message in str(err.value)


def test_a_trip_of_more_days_than_allowed_is_refused():
    from coverage.field.trips import working_days

    assert len(_request(working_days("2024-11-04", settings.TRIP_MAX_DAYS)).dates) == 60
    with pytest.raises(InputError, match="working days: 61 is too large; give a whole number from 1 to 60"):
        _request(working_days("2024-11-04", settings.TRIP_MAX_DAYS + 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speed_kmh": 0}, "speed in km/h: 0 is too small"),
        ({"long_kmh": -1}, "long-distance speed"),
        ({"circuity": 0.5}, "circuity (road km per straight km): 0.5 is too small"),
        ({"local_km": float("inf")}, "road km of a leg at the local speed: inf is not a finite number"),
    ],
)
def test_travel_refuses_nonsense(kwargs, message):
    from coverage.analysis.travel import StraightLine

    with pytest.raises(InputError) as err:
        StraightLine(**kwargs)
    assert message in str(err.value)


def test_working_days_refuse_nonsense():
    from coverage.field.trips import working_days

    with pytest.raises(InputError, match="working days: 0 is too small"):
        working_days("2024-11-04", 0)
    with pytest.raises(InputError, match="the last day 2024-11-01 is before the first day 2024-11-04"):
        working_days("2024-11-04", last="2024-11-01")
    with pytest.raises(InputError, match="first day '2021-13-45' is not a day of the calendar"):
        working_days("2021-13-45", 1)


def test_monthly_rounds_refuse_nonsense():
    from coverage.field.supervision import assign_supervisors, monthly_rounds

    stations = pd.DataFrame(
        {"code": list("abcde"), "name": list("ABCDE"), "lon": 113.0 + np.arange(5) / 10, "lat": 23.0}
    )
    result = assign_supervisors(stations, n_supervisors=1, min_load=1, max_load=5)
    with pytest.raises(InputError, match="month '2024-13' is not a month of the calendar"):
        monthly_rounds(result, "2024-13")
    with pytest.raises(InputError, match="hours per station per month: 0 is too small"):
        monthly_rounds(result, "2024-11", hours=0)
    with pytest.raises(InputError, match="hours on site a day: nan"):
        monthly_rounds(result, "2024-11", day_hours=float("nan"))
    with pytest.raises(InputError, match="number of supervisors: 0 is too small"):
        assign_supervisors(stations, n_supervisors=0)
    with pytest.raises(InputError, match="--min 3 is above --max 2; swap them"):
        assign_supervisors(stations, min_load=3, max_load=2)


def test_target_schedules_refuse_repeated_dates_and_falling_targets():
    from coverage.analysis.admin import make_schedule, parse_targets

    assert [t.share for t in parse_targets("2022:60,2021-12-31:30")] == [0.3, 0.6]
    with pytest.raises(InputError, match="two targets for 2021-12-31; give each date once"):
        make_schedule([("2021-12-31", 0.3), ("2021", 0.4)])
    with pytest.raises(InputError, match="the target falls from 60% by 2021-12-31 to 30% by 2022-12-31"):
        parse_targets("2021-12-31:60,2022-12-31:30")
    with pytest.raises(InputError, match="target date 1999-12-31 is out of range"):
        parse_targets("1999-12-31:30")


def test_township_kinds_must_be_known():
    from coverage.analysis.admin import check_kinds

    assert check_kinds("street, town,street") == ("street", "town")
    with pytest.raises(
        InputError, match="unknown township kinds farm, zone; use some of street, town, township, other"
    ):
        check_kinds(["street", "farm", "zone"])
    with pytest.raises(InputError, match="no township kind given"):
        check_kinds(",")


def test_siting_refuses_p_below_1_and_share_outside_0_1():
    from coverage.optimise.siting import SitingProblem, solve_lscp, solve_mclp

    problem = SitingProblem.from_cost_matrix(np.array([[1.0, 3.0], [3.0, 1.0]]))
    with pytest.raises(InputError, match="number of new stations: 0 is too small"):
        solve_mclp(problem, radius=2, p=0)
    with pytest.raises(InputError, match="share of demand: 1.5 is too large"):
        solve_lscp(problem, radius=2, share=1.5)
    with pytest.raises(InputError, match="1 demand weights are empty, not numbers or infinite"):
        SitingProblem.from_cost_matrix(np.array([[1.0, 3.0], [3.0, 1.0]]), [1.0, float("nan")])


def test_start_coordinates_outside_china_are_refused():
    from coverage.field.trips import resolve_place

    assert resolve_place("22.8,108.3", "45").lon == 108.3  # swapped lat/lon are put right
    with pytest.raises(InputError, match="start/end '2.35,48.85' lies outside China"):
        resolve_place("2.35,48.85", "45")


def test_the_longest_radius_in_minutes_stays_within_the_longest_in_km():
    from coverage.analysis.travel import StraightLine

    # gaps --radius-min turns minutes into straight metres at the default speed; gap_analysis checks those
    assert StraightLine().metres_for_minutes(settings.MAX_RADIUS_MIN) <= settings.MAX_RADIUS_KM * 1000.0
