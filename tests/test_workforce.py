"""Workforce targets (持证社工): townships with a certified social worker and the 2020-2023 doubling,
from the registry's staff figures, in the library and on the command line.

Three stations of 武鸣区 (450110, 13 counted townships), hand-checkable:

* WM-1 城厢镇: open from 2020-06-16 with 3 certified of 4; 4 certified from 2022-03-01; suspended
  from 2023-01-01 to 2023-03-01.
* WM-2 马头镇: open from 2021-04-04 with no certified worker; 2 certified from 2023-05-01.
* WM-3 太平镇: open from 2019-01-01, 2 social workers, the certified figure never given.

Baseline on 2020-12-31: 3 (WM-1).  ×2 by 2023-12-31 in yearly steps: ceil(3 × 2^(1/3)) = 4 by 2021,
ceil(3 × 2^(2/3)) = 5 by 2022, 6 by 2023.  Counted then: 3 (2021: WM-1 3, WM-2 0), 4 (2022: WM-1 4),
6 (2023: WM-1 4, WM-2 2).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from coverage.analysis.admin import TargetSchedule, make_schedule
from coverage.analysis.workforce import (
    certified_periods,
    growth_dates,
    staff_on,
    workers_required,
    workforce_status,
)
from coverage.cli import main
from coverage.registry.store import open_registry
from tests.registry_cases import CHENGXIANG, MATOU, TAIPING, StepClock

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat

#: (station, valid from, status, township, social workers, certified workers)
HISTORY = [
    ("WM-1", "2020-06-16", "open", CHENGXIANG, 4, 3),
    ("WM-1", "2022-03-01", "open", CHENGXIANG, 4, 4),
    ("WM-1", "2023-01-01", "suspended", CHENGXIANG, 4, 4),
    ("WM-1", "2023-03-01", "open", CHENGXIANG, 4, 4),
    ("WM-2", "2021-04-04", "open", MATOU, 2, 0),
    ("WM-2", "2023-05-01", "open", MATOU, 3, 2),
    ("WM-3", "2019-01-01", "open", TAIPING, 2, None),
]


def versions(history: list[tuple] = HISTORY) -> pd.DataFrame:
    """Version rows as the registry gives them (one recorded time each, in order)."""
    rows = [
        {
            "version_id": i + 1,
            "station_id": sid,
            "valid_from": D(valid),
            "recorded_at": T("2024-01-10 02:00") + dt.timedelta(minutes=i),
            "status": status,
            "township_code": town,
            "social_workers": workers,
            "certified_workers": certified,
        }
        for i, (sid, valid, status, town, workers, certified) in enumerate(history)
    ]
    return pd.DataFrame(rows)


def test_staff_on_a_date_is_each_open_stations_state_then():
    on = staff_on(versions(), "2023-02-01").set_index("station_id")
    assert sorted(on.index) == ["WM-2", "WM-3"]  # WM-1 suspended that day
    assert on.loc["WM-2", "certified_workers"] == 0
    assert staff_on(versions(), "2022-03-01").set_index("station_id").loc["WM-1", "certified_workers"] == 4


def test_certified_periods_are_open_periods_with_a_certified_worker():
    periods = certified_periods(versions())
    got = [(r.station_id, r.township_code, r.opened, r.closed) for r in periods.itertuples(index=False)]
    assert got == [
        ("WM-1", CHENGXIANG, D("2020-06-16"), D("2023-01-01")),  # 3 then 4 certified: one period
        ("WM-1", CHENGXIANG, D("2023-03-01"), None),  # after the suspension
        ("WM-2", MATOU, D("2023-05-01"), None),  # certified from May 2023
    ]


def test_workers_required_and_growth_dates():
    assert growth_dates("2020-12-31", "2023-12-31") == [D("2021-12-31"), D("2022-12-31"), D("2023-12-31")]
    assert [workers_required(3, 2.0, k, 3) for k in (1, 2, 3)] == [4, 5, 6]
    assert workers_required(1000, 2.0, 3, 3) == 2000
    assert workers_required(0, 2.0, 1, 3) == 0


def test_both_targets_on_a_date(guangxi):
    result = workforce_status(guangxi, versions(), "2024-11-30")
    s = result.summary
    assert (s["stations_open"], s["stations_reporting"], s["certified_workers"], s["social_workers"]) == (3, 2, 6, 9)
    assert (s["with_certified"], s["counted"]) == (2, 1253)
    units = result.units.set_index("code")
    wuming = units.loc["450110"]
    assert (int(wuming["covered"]), int(wuming["counted"])) == (2, 13)
    assert int(wuming["needed_for_next_target"]) == 11  # 100 % of 13 by 2023-12-31
    assert wuming["status"] == "behind"
    assert result.baseline == 3 and not result.baseline_given
    assert result.steps == [
        {"date": "2021-12-31", "required": 4, "count_on_date": 3, "met": False},
        {"date": "2022-12-31", "required": 5, "count_on_date": 4, "met": False},
        {"date": "2023-12-31", "required": 6, "count_on_date": 6, "met": True},
    ]
    assert units.loc["45", "workers_status"] == "met"
    assert units.loc["450110", "baseline"] == 3 and units.loc["450110", "workers_status"] == "met"
    # a county without a station had 0 in 2020: doubling nothing is no target
    assert units.loc["450103", "baseline"] == 0 and units.loc["450103", "workers_status"] == "unknown"
    doc = result.to_json()
    assert doc["townships"]["with_certified"] == 2 and doc["certified_workers"]["count"] == 6
    json.dumps(doc)  # plain values only


def test_on_the_way_and_behind(guangxi):
    mid_2022 = workforce_status(guangxi, versions(), "2022-06-30").units.set_index("code").loc["45"]
    assert int(mid_2022["certified_workers"]) == 4  # WM-1 4, WM-2 0
    # 2021's step (4) is due and reached now; 2022's (5) is next
    assert (mid_2022["workers_required_due"], mid_2022["workers_required_next"]) == (4, 5)
    assert mid_2022["workers_status"] == "on track"
    early_2022 = workforce_status(guangxi, versions(), "2022-02-28").units.set_index("code").loc["45"]
    assert int(early_2022["certified_workers"]) == 3 and early_2022["workers_status"] == "behind"  # 3 < 4


def test_a_baseline_given_and_a_county_schedule(guangxi):
    result = workforce_status(guangxi, versions(), "2024-11-30", baseline=2)
    assert result.baseline_given and result.baseline == 2
    assert [s["required"] for s in result.steps] == [3, 4, 4]  # ceil(2 × 1.26), ceil(2 × 1.587), 4
    assert [s["met"] for s in result.steps] == [True, True, True]
    schedule = TargetSchedule(make_schedule([("2023-12-31", 1.0)]), {"450110": make_schedule([("2023-12-31", 0.15)])})
    wuming = workforce_status(guangxi, versions(), "2024-11-30", schedule).units.set_index("code").loc["450110"]
    # 15 % of 13 is 1.95 -> 2 townships: reached when 马头镇 got its certified workers
    assert wuming["reached_2023-12-31"] == "2023-05-01" and bool(wuming["met_2023-12-31"])
    assert wuming["status"] == "met"


def test_without_staff_figures_it_says_so(guangxi):
    plain = [(sid, valid, status, town, None, None) for sid, valid, status, town, _, _ in HISTORY]
    result = workforce_status(guangxi, versions(plain), "2024-11-30")
    assert not result.has_figures
    assert result.baseline is None and result.summary["certified_workers"] == 0
    assert result.units.iloc[0]["workers_status"] == "unknown"


def test_bad_inputs_are_refused_with_what_to_do(guangxi):
    from coverage._errors import InputError

    with pytest.raises(InputError, match="whole number of 0 or more"):
        workforce_status(guangxi, versions(), "2024-11-30", baseline=-1)
    with pytest.raises(InputError, match="not after the baseline date"):
        workforce_status(guangxi, versions(), "2024-11-30", baseline_date="2024-01-01")
    with pytest.raises(InputError, match=r"lack the columns \['certified_workers'\]"):
        workforce_status(guangxi, versions().drop(columns="certified_workers"), "2024-11-30")


# --------------------------------------------------------------------------- the registry and the command line
@pytest.fixture
def registry_file(tmp_path) -> str:
    """The three stations in a registry of their own; one more change recorded on 2024-12-06."""
    url = f"sqlite:///{tmp_path / 'workforce.sqlite'}"
    clock = StepClock(T("2024-01-10 02:00"))
    reg = open_registry(url, seed=False, clock=clock)
    heads: dict[str, int] = {}
    for sid, valid, status, town, workers, certified in HISTORY:
        fields = {"name": f"{sid}站", "township_code": town, "county_code": "450110", "status": status}
        fields |= {"social_workers": workers, "certified_workers": certified}
        if sid not in heads:
            heads[sid] = reg.add(sid, "45", fields, valid, "测试").version_id
        else:
            heads[sid] = reg.change(sid, heads[sid], fields, valid, "测试").version_id
    clock.set(T("2024-12-06 02:00"))  # learned on 6 December: 马头镇 has 5 certified from November
    reg.change("WM-2", heads["WM-2"], {"social_workers": 5, "certified_workers": 5}, "2024-11-01", "武鸣区民政局")
    return url


def _json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_command_reads_the_registry_as_known_on_a_day(registry_file, capsys):
    base = ["workforce", "--db", registry_file, "--as-of", "2024-11-30", "--json"]
    before = _json(capsys, *base, "--known-on", "2024-12-05")
    now = _json(capsys, *base)
    assert (before["certified_workers"]["count"], now["certified_workers"]["count"]) == (6, 9)
    assert before["known_on"] == "2024-12-05" and now["known_on"] is None
    assert before["townships"] == {
        "counted": 1253,
        "with_certified": 2,
        "rate": round(2 / 1253, 6),
        "targets": [
            {
                "date": "2023-12-31",
                "share": 1.0,
                "met": False,
                "rate_on_date": round(2 / 1253, 6),
                "needed": 1251,
                "reached": None,
            }
        ],
        "status": "behind",
    }
    wuming = next(u for u in before["units"] if u["code"] == "450110")
    assert (wuming["with_certified"], wuming["counted"], wuming["certified_workers"], wuming["baseline"]) == (
        2,
        13,
        6,
        3,
    )
    assert before["stations_reporting"] == 2 and before["stations_open"] == 3
    assert before["data_note"]["stations"]["nature"] == "official"


def test_the_command_in_words(registry_file, capsys):
    argv = ["workforce", "--db", registry_file, "--as-of", "2024-11-30", "--known-on", "2024-12-05", "--top", "200"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert (
        "townships with a certified worker: 2 of 1,253 counted (0.2%); 2 of 3 open stations give staff figures" in out
    )
    assert "certified workers: 6; baseline (on 2020-12-31): 3" in out
    assert "x2 path: 6 by 2023-12-31: met, 6 on that date" in out
    assert "111 counties behind (townships without a certified worker, or too few certified workers):" in out
    # every county is short of 100 %, the most townships short first: 博白县 (28) ... 合山市 (3)
    listed = [line.strip() for line in out.splitlines() if line.startswith("    45")]
    assert len(listed) == 111 and listed[0].startswith("450923 博白县: 0/28") and listed[-1].startswith("451381 合山市")
    assert "450110 武鸣区: 2/13 townships (15%), 6 certified (baseline 3)" in listed


def test_a_registry_without_staff_figures_says_so(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    open_registry(url, seed=False).add(
        "S1", "45", {"name": "城厢镇社工站", "township_code": CHENGXIANG, "status": "open"}, "2021-03-01", "测试"
    )
    assert main(["workforce", "--db", url]) == 0
    assert "the registry holds no staff figures for this province" in capsys.readouterr().out
    doc = _json(capsys, "workforce", "--db", url, "--json")
    assert doc["has_staff_figures"] is False and doc["certified_workers"]["baseline"] is None


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--baseline", "-1"], "--baseline"),
        (["--baseline", "many"], "--baseline"),
        (["--baseline-date", "2024-01-01"], "not after the baseline date"),
        (["--baseline-date", "2021-02-30"], "--baseline-date"),
        (["--as-of", "yesterday"], "--as-of"),
        (["--known-on", "2024-13-01"], "--known-on"),
        (["--targets", "2023-12-31:130"], "--targets"),
        (["--province", "99"], "--province"),
        (["--db", "mysql://x@y/z"], "neither SQLite nor PostgreSQL"),
    ],
)
def test_bad_arguments_end_in_exit_2_with_a_reason(registry_file, capsys, argv, reason):
    assert main(["workforce", "--db", registry_file, *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and reason in err, err
