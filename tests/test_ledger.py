"""Monthly ledgers (月调度台账) on both backends: the diff, bad submissions, review, who has reported.

The registry holds two stations of 武鸣区 (450110): WM-1 in 城厢镇 and WM-2 in 马头镇
(:mod:`tests.registry_cases`); each ledger is built here as CSV or XLSX bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import pandas as pd
import pytest

from coverage._errors import InputError
from coverage.registry import ledger
from coverage.registry.store import ConflictError, Registry, open_registry
from tests.registry_cases import (
    CHENGXIANG,
    LEDGER_HEADER,
    MATOU,
    SHUANGQIAO,
    TAIPING,
    WM1,
    WM2,
    XINXU,
    XINZHU,
    StepClock,
    add_wuming,
    ledger_csv,
    ledger_row,
    ledger_xlsx,
    snapshot,
)

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat
MONTH, END = "2024-11", D("2024-11-30")
SOURCE = "ledger 2024-11 450110 (wm.csv, submission 1)"
TAIPING_ROW = {"name": "武鸣区太平镇社工站", "township_code": TAIPING, "lon": "", "lat": "", "social_workers": 2}


@pytest.fixture
def clock() -> StepClock:
    return StepClock(T("2024-01-10 02:00"))


@pytest.fixture
def reg(registry_url: str, clock: StepClock) -> Registry:
    registry = open_registry(registry_url, seed=False, clock=clock)
    add_wuming(registry)
    clock.set(T("2024-12-03 01:00"))  # the ledger arrives on 3 December
    return registry


def _submit(reg: Registry, rows: list[list], name: str = "wm.csv", unit: str = "450110", **kw) -> ledger.Submission:
    data = ledger_xlsx(rows, **kw) if name.endswith(".xlsx") else ledger_csv(rows, **kw)
    return ledger.submit(reg, data, name, MONTH, unit, "武鸣区民政局")


def _findings(sub: ledger.Submission) -> list[tuple]:
    rows = sub.rows
    return [
        (
            None if pd.isna(r.row) else int(r.row),
            r.kind,
            None if pd.isna(r.station_id) else r.station_id,
            r.valid_from,
            r.message,
        )
        for r in rows.itertuples(index=False)
    ]


def _state(reg: Registry, sid: str, as_of: dt.date = END) -> dict:
    """A station's attributes on ``as_of`` as known now (missing values as None)."""
    current = reg.current("45", as_of=as_of)
    row = current.set_index("station_id").loc[sid].to_dict()
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


UNCHANGED_WM1 = (2, "unchanged", "WM-1", END, "no change")
SHIFTED_LAT = round(WM2["lat"] + 0.0027, 6)  # 300 m north

# case -> (the row of WM-2, or None to leave it out; finding of that row; WM-2 after accepting everything)
CASES: dict[str, tuple] = {
    "unchanged": (ledger_row("WM-2", WM2), (3, "unchanged", "WM-2", END, "no change"), {"social_workers": 2}),
    "closed": (
        ledger_row("WM-2", WM2, status="closed"),
        (3, "closed", "WM-2", END, "closed"),
        {"status": "closed", "closed": END, "action": "close"},
    ),
    "moved": (
        ledger_row("WM-2", WM2, lat=SHIFTED_LAT),
        (3, "moved", "WM-2", END, "moved 300 m"),
        {"lat": SHIFTED_LAT, "township_code": MATOU, "action": "ledger"},
    ),
    "not moved (150 m)": (
        ledger_row("WM-2", WM2, lat=round(WM2["lat"] + 0.00135, 6)),
        (3, "unchanged", "WM-2", END, "no change"),
        {"lat": WM2["lat"]},
    ),
    "moved to another township": (
        ledger_row("WM-2", WM2, township_code=SHUANGQIAO, lon="", lat=""),
        (3, "moved", "WM-2", END, f"township {MATOU} -> {SHUANGQIAO}"),
        {"township_code": SHUANGQIAO, "lon": None, "lat": None},  # no longer at the point in 马头镇
    ),
    "renamed": (
        ledger_row("WM-2", WM2, name="武鸣区马头镇社会工作服务站"),
        (3, "renamed", "WM-2", END, "name 武鸣区马头镇社工站 -> 武鸣区马头镇社会工作服务站"),
        {"name": "武鸣区马头镇社会工作服务站"},
    ),
    "staff": (
        ledger_row("WM-2", WM2, social_workers=3, certified_workers=1),
        (3, "staff", "WM-2", END, "social_workers 2 -> 3, certified_workers 0 -> 1"),
        {"social_workers": 3, "certified_workers": 1, "households_served": 50},
    ),
    "caseload": (
        ledger_row("WM-2", WM2, households_served=60, case_files=6),
        (3, "caseload", "WM-2", END, "households_served 50 -> 60, case_files 4 -> 6"),
        {"households_served": 60, "people_served": 120, "case_files": 6},
    ),
    "status": (
        ledger_row("WM-2", WM2, status="suspended"),
        (3, "status", "WM-2", END, "status open -> suspended"),
        {"status": "suspended", "closed": None},
    ),
    "renamed and staff": (
        ledger_row("WM-2", WM2, name="马头镇社工站", social_workers=4),
        (3, "renamed+staff", "WM-2", END, "name 武鸣区马头镇社工站 -> 马头镇社工站; social_workers 2 -> 4"),
        {"name": "马头镇社工站", "social_workers": 4},
    ),
    "missing": (
        None,
        (
            None,
            "missing",
            "WM-2",
            END,
            "武鸣区马头镇社工站 is in the registry but not in this ledger; accepting closes it on 2024-11-30",
        ),
        {"status": "closed", "closed": END, "action": "close"},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_kind_of_change_is_found_and_accepting_it_makes_a_version(reg: Registry, case: str) -> None:
    wm2_row, finding, after = CASES[case]
    rows = [ledger_row("WM-1", WM1)] + ([wm2_row] if wm2_row else [])
    before = snapshot(reg)
    sub = _submit(reg, rows)
    assert _findings(sub) == [UNCHANGED_WM1, finding]
    assert {k: v for k, v in snapshot(reg).items() if k not in ("submissions", "submission_rows", "audit")} == {
        k: v for k, v in before.items() if k not in ("submissions", "submission_rows", "audit")
    }  # nothing changes until accepted
    decided = ledger.accept(reg, sub.submission_id, "审核员")
    assert decided["decision"].tolist() == ["accepted", "accepted"]
    state = _state(reg, "WM-2")
    assert {k: state[k] for k in after} == after
    changed = finding[1] != "unchanged"
    assert decided["version_id"].notna().tolist() == [False, changed]
    if changed:
        assert (state["source"], state["submission_id"], state["recorded_by"], state["valid_from"]) == (
            SOURCE,
            1,
            "审核员",
            END,
        )
        assert int(decided["version_id"].iloc[1]) == state["version_id"]
    else:
        assert snapshot(reg)["versions"] == before["versions"]


def test_a_new_station_gets_an_id_of_the_submission_or_its_own(reg: Registry) -> None:
    rows = [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2), ledger_row("", TAIPING_ROW)]
    rows.append(ledger_row("WM-3", {**TAIPING_ROW, "name": "武鸣区双桥镇社工站", "township_code": SHUANGQIAO}))
    sub = _submit(reg, rows)
    assert _findings(sub)[2:] == [
        (4, "new", "450110-202411-1-4", END, "new station 武鸣区太平镇社工站"),
        (5, "new", "WM-3", END, "new station 武鸣区双桥镇社工站"),
    ]
    ledger.accept(reg, sub.submission_id, "审核员")
    state = _state(reg, "450110-202411-1-4")
    assert (state["township_code"], state["social_workers"], state["status"], state["action"]) == (
        TAIPING,
        2,
        "open",
        "add",
    )
    assert reg.station_table("45")["station_id"].tolist() == ["450110-202411-1-4", "WM-1", "WM-2", "WM-3"]


def test_a_closing_date_in_the_ledger_is_the_valid_date(reg: Registry) -> None:
    header = (*LEDGER_HEADER, "撤销时间")
    sub = _submit(reg, [ledger_row("WM-1", WM1) + [""], ledger_row("WM-2", WM2) + ["2024-11-15"]], header=header)
    assert _findings(sub)[1] == (3, "closed", "WM-2", D("2024-11-15"), "closed on 2024-11-15")
    ledger.accept(reg, sub.submission_id, "审核员")
    table = reg.station_table("45").set_index("station_id")
    assert table.loc["WM-2", "closed"] == D("2024-11-15")
    assert _state(reg, "WM-2", D("2024-11-14"))["status"] == "open"


def test_an_xlsx_ledger_gives_the_same_findings_as_csv(reg: Registry) -> None:
    rows = [ledger_row("WM-1", WM1, social_workers=5), ledger_row("", TAIPING_ROW)]
    from_csv = _submit(reg, rows)
    from_xlsx = _submit(reg, rows, name="wm.xlsx")
    assert [f[1:] for f in _findings(from_xlsx)] == [
        ("staff", "WM-1", END, "social_workers 3 -> 5"),
        ("new", "450110-202411-2-3", END, "new station 武鸣区太平镇社工站"),
        ("missing", "WM-2", END, _findings(from_csv)[2][4]),
    ]
    assert [f[1] for f in _findings(from_csv)] == ["staff", "new", "missing"]


def test_a_serial_number_column_is_not_a_station_id(reg: Registry) -> None:
    """序号 (1, 2, 3 ...) changes every month: a new station must not be called "3"."""
    header = ("序号", *LEDGER_HEADER[1:])
    rows = [["1", *ledger_row("", WM1)[1:]], ["2", *ledger_row("", WM2)[1:]], ["3", *ledger_row("", TAIPING_ROW)[1:]]]
    sub = _submit(reg, rows, header=header)
    assert [f[1:3] for f in _findings(sub)] == [
        ("unchanged", "WM-1"),
        ("unchanged", "WM-2"),
        ("new", "450110-202411-1-4"),
    ]


def test_a_second_ledger_of_the_month_adds_its_own_new_stations(reg: Registry) -> None:
    first = _submit(reg, [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2), ledger_row("", TAIPING_ROW)])
    ledger.accept(reg, first.submission_id, "审核员")
    shuangqiao = {**TAIPING_ROW, "name": "武鸣区双桥镇社工站", "township_code": SHUANGQIAO}
    second = _submit(
        reg, [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2), ledger_row("", TAIPING_ROW), ledger_row("", shuangqiao)]
    )
    assert [f[1:3] for f in _findings(second)] == [
        ("unchanged", "WM-1"),
        ("unchanged", "WM-2"),
        ("unchanged", "450110-202411-1-4"),  # the station the first ledger added, matched by its township
        ("new", "450110-202411-2-5"),
    ]
    ledger.accept(reg, second.submission_id, "审核员")
    assert len(reg.current("45", as_of=END)) == 4


# --------------------------------------------------------------------------- bad submissions
def test_a_unit_that_is_not_a_county_or_city_of_the_register_is_refused(reg: Registry) -> None:
    before = snapshot(reg)
    with pytest.raises(InputError, match="submitted by a county \\(6 digits\\) or a city \\(4 digits\\), not '45'"):
        _submit(reg, [ledger_row("WM-1", WM1)], unit="45")
    with pytest.raises(InputError, match="no county 450199 in the register"):
        _submit(reg, [ledger_row("WM-1", WM1)], unit="450199")
    with pytest.raises(InputError, match="month '2024-13' is not a month of the calendar"):
        ledger.submit(reg, ledger_csv([ledger_row("WM-1", WM1)]), "wm.csv", "2024-13", "450110", "x")
    assert snapshot(reg) == before


def test_a_city_ledger_covers_its_counties(reg: Registry) -> None:
    sub = _submit(reg, [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2)], unit="4501")
    assert [f[1] for f in _findings(sub)] == ["unchanged", "unchanged"]


QINGXIU_ROW = {"name": "青秀区新竹街道社工站", "township_code": XINZHU, "lon": "", "lat": ""}
DEQING_ROW = {"name": "德庆县新圩镇社工站", "township_code": XINXU, "lon": "", "lat": ""}
WM2_UNCHANGED = (3, "unchanged", "WM-2", END, "no change")
# case -> (ledger rows, findings)
BAD = {
    "wrong county": (
        [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2), ledger_row("", QINGXIU_ROW)],
        [
            UNCHANGED_WM1,
            WM2_UNCHANGED,
            (4, "rejected", None, END, f"township {XINZHU} is not in 450110; a county submits only its own stations"),
        ],
    ),
    "another province": (
        [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2), ledger_row("", DEQING_ROW)],
        [
            UNCHANGED_WM1,
            WM2_UNCHANGED,
            (
                4,
                "rejected",
                None,
                END,
                f"unmatched: code {XINXU} belongs to another province; ignored; '德庆县新圩镇' names "
                "广东省肇庆市德庆县 (441226), outside 广西壮族自治区; check the province; it is a township of "
                f"广东省 (44): 肇庆市德庆县新圩镇 ({XINXU})",
            ),
        ],
    ),
    "the same id twice": (
        [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2), ledger_row("WM-1", WM1, social_workers=9)],
        [
            UNCHANGED_WM1,
            WM2_UNCHANGED,
            (
                4,
                "rejected",
                None,
                END,
                "rejected: station id 'WM-1' already used by row 2; give each station its own id",
            ),
        ],
    ),
    "the same station twice by name": (
        [ledger_row("WM-1", WM1), ledger_row("", WM2, lon="", lat=""), ledger_row("", WM2, lon="", lat="")],
        [
            UNCHANGED_WM1,
            WM2_UNCHANGED,
            (4, "rejected", None, END, "row 4 repeats row 3 (same township and name); keep one row"),
        ],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_rows_are_reported_row_by_row_and_change_nothing(reg: Registry, case: str) -> None:
    rows, expected = BAD[case]
    before = snapshot(reg)
    sub = _submit(reg, rows)
    assert _findings(sub) == expected
    # every input row is kept in the importer's report, with every cell as given
    report = ledger.submission_report(reg, sub.submission_id)["report"]
    assert [r["input: 站点名称"] for r in report] == [str(r[1]) for r in rows]
    ledger.accept(reg, sub.submission_id, "审核员")
    assert ledger.rows(reg, sub.submission_id)["decision"].tolist() == ["accepted", "accepted", "rejected"]
    after = snapshot(reg)
    assert {k: after[k] for k in ("stations", "versions")} == {k: before[k] for k in ("stations", "versions")}


def test_a_file_of_another_month_is_refused_row_by_row_and_closes_nothing(reg: Registry) -> None:
    header = (*LEDGER_HEADER, "报表月份")
    sub = _submit(reg, [ledger_row("WM-1", WM1) + ["2024年10月"], ledger_row("WM-2", WM2) + ["2024-10"]], header=header)
    message = "the row is for 2024-10, not 2024-11; submit it with that month"
    # the stations are listed (for October): they are not "missing" from a November ledger
    assert _findings(sub) == [(2, "rejected", "WM-1", END, message), (3, "rejected", "WM-2", END, message)]
    before = snapshot(reg)
    ledger.accept(reg, sub.submission_id, "审核员")
    assert snapshot(reg)["versions"] == before["versions"]
    assert ledger.rows(reg, sub.submission_id)["decision"].tolist() == ["rejected", "rejected"]


def test_the_submitted_file_is_kept_byte_for_byte(reg: Registry) -> None:
    data = ledger_xlsx([ledger_row("WM-1", WM1), ledger_row("", {"name": "x", "township_code": XINZHU})])
    sub = ledger.submit(reg, data, "武鸣区11月台账.xlsx", MONTH, "450110", "武鸣区民政局")
    ledger.reject(reg, sub.submission_id, "审核员")
    name, kept = ledger.submission_file(reg, sub.submission_id)
    assert (name, kept) == ("武鸣区11月台账.xlsx", data)
    assert sub.sha256 == hashlib.sha256(data).hexdigest()
    listed = ledger.submissions(reg, "45", MONTH).iloc[0]
    assert (listed["submitted_by"], listed["submitted_at"], listed["rejected"], listed["pending"]) == (
        "武鸣区民政局",
        T("2024-12-03 01:00"),
        3,
        0,
    )
    again = ledger.submit(reg, data, "copy.xlsx", MONTH, "450110", "武鸣区民政局")
    assert f"the same file was already submitted for 450110 {MONTH} (submission 1)" in again.notes
    with pytest.raises(InputError, match="no submission 9"):
        ledger.submission_file(reg, 9)


# --------------------------------------------------------------------------- review
def _three(reg: Registry) -> tuple[ledger.Submission, dict[str, int]]:
    """A ledger with a staff change of WM-1, a caseload change of WM-2 and a new station."""
    sub = _submit(
        reg,
        [
            ledger_row("WM-1", WM1, social_workers=4),
            ledger_row("WM-2", WM2, households_served=70),
            ledger_row("", TAIPING_ROW),
        ],
    )
    ids = dict(zip(sub.rows["kind"], sub.rows["id"].astype(int), strict=True))
    return sub, ids


def test_accepting_some_rows_then_rejecting_the_rest(reg: Registry, clock: StepClock) -> None:
    sub, ids = _three(reg)
    clock.set(T("2024-12-04 03:00"))
    ledger.accept(reg, sub.submission_id, "审核员甲", [ids["staff"]])
    assert _state(reg, "WM-1")["social_workers"] == 4
    assert _state(reg, "WM-2")["households_served"] == 50
    decided = ledger.rows(reg, sub.submission_id).set_index("kind")
    assert decided["decision"].to_dict() == {"staff": "accepted", "caseload": "pending", "new": "pending"}
    assert (decided.loc["staff", "decided_by"], decided.loc["staff", "decided_at"]) == (
        "审核员甲",
        T("2024-12-04 03:01"),
    )
    ledger.reject(reg, sub.submission_id, "审核员乙", [ids["new"]])
    before = snapshot(reg)
    ledger.accept(reg, sub.submission_id, "审核员乙")  # the rest: the rejected row stays rejected
    decided = ledger.rows(reg, sub.submission_id).set_index("kind")
    assert decided["decision"].to_dict() == {"staff": "accepted", "caseload": "accepted", "new": "rejected"}
    assert _state(reg, "WM-2")["households_served"] == 70
    assert reg.current("45", as_of=END)["station_id"].tolist() == ["WM-1", "WM-2"]  # no new station
    assert len(snapshot(reg)["versions"]) == len(before["versions"]) + 1
    ledger.accept(reg, sub.submission_id, "审核员乙")  # nothing pending: nothing happens
    assert len(snapshot(reg)["decisions"]) == 3


def test_rejecting_everything_changes_no_station(reg: Registry) -> None:
    sub, _ = _three(reg)
    before = snapshot(reg)
    decided = ledger.reject(reg, sub.submission_id, "审核员")
    assert decided["decision"].tolist() == ["rejected"] * 3 and decided["version_id"].isna().all()
    after = snapshot(reg)
    assert {k: after[k] for k in ("stations", "versions")} == {k: before[k] for k in ("stations", "versions")}


def test_refused_acceptances_change_nothing(reg: Registry) -> None:
    sub, ids = _three(reg)
    bad = _submit(reg, [ledger_row("WM-1", WM1), ledger_row("", {"name": "x", "township_code": XINZHU})])
    before = snapshot(reg)
    with pytest.raises(InputError, match=r"submission 1 has no rows \[9\]; its rows are \[1, 2, 3\]"):
        ledger.accept(reg, sub.submission_id, "审核员", [9])
    rejected_id = int(bad.rows.loc[bad.rows["kind"] == "rejected", "id"].iloc[0])
    unchanged_id = int(bad.rows.loc[bad.rows["kind"] == "unchanged", "id"].iloc[0])
    with pytest.raises(InputError, match="row 3 of submission 2 was refused .*; fix the file and submit again"):
        ledger.accept(reg, bad.submission_id, "审核员", [unchanged_id, rejected_id])
    with pytest.raises(InputError, match="no submission 7"):
        ledger.accept(reg, 7, "审核员")
    assert snapshot(reg) == before


def test_a_station_changed_since_the_submission_makes_the_acceptance_fail_whole(
    reg: Registry, clock: StepClock
) -> None:
    sub, _ = _three(reg)
    clock.set(T("2024-12-04 09:30"))
    head = reg.head("WM-2")
    assert head is not None
    reg.change("WM-2", head["version_id"], {"contact": "韦工 0771-1234567"}, "2024-12-01", "李四")
    before = snapshot(reg)
    with pytest.raises(ConflictError) as info:
        ledger.accept(reg, sub.submission_id, "审核员")
    assert str(info.value) == (
        "row 3 of submission 1: station 'WM-2' was changed meanwhile by 李四 at 2024-12-04 09:30 UTC "
        "(edit, version 3, valid from 2024-12-01); reload it and edit again; "
        "submit the ledger again to compare with the newer state"
    )
    assert snapshot(reg) == before  # the staff row of WM-1 (accepted before the conflict) was rolled back


def test_a_conflict_on_closing_a_missing_station_names_it(reg: Registry) -> None:
    sub = _submit(reg, [ledger_row("WM-1", WM1)])
    head = reg.head("WM-2")
    assert head is not None
    reg.change("WM-2", head["version_id"], {"case_files": 5}, "2024-11-30", "李四")
    with pytest.raises(
        ConflictError, match=r"^the closing of WM-2 \(not in the ledger\) of submission 1: station 'WM-2'"
    ):
        ledger.accept(reg, sub.submission_id, "审核员")


# --------------------------------------------------------------------------- who has reported
def test_status_by_county(reg: Registry, clock: StepClock) -> None:
    rows = [ledger_row("WM-1", WM1), ledger_row("WM-2", WM2)]
    clock.set(T("2024-12-05 15:59"))  # 23:59 on the 5th in China: on time
    on_time = _submit(reg, rows)
    clock.set(T("2024-12-20 02:00"))  # a corrected file later does not make 武鸣区 late
    corrected = _submit(reg, rows)
    ledger.reject(reg, corrected.submission_id, "审核员")
    clock.set(T("2024-12-05 16:00"))  # 00:00 on the 6th in China: late
    ledger.submit(reg, ledger_csv([ledger_row("", QINGXIU_ROW)]), "qx.csv", MONTH, "450103", "青秀区民政局")
    clock.set(T("2024-12-01 00:00"))
    ledger.submit(reg, ledger_csv([ledger_row("", TAIPING_ROW)]), "nn.csv", MONTH, "4502", "柳州市民政局")
    table = ledger.status_by_county(reg, "45", MONTH, today=D("2024-12-06")).set_index("county_code")
    assert len(table) == 111  # every county of Guangxi in the register
    assert table.loc["450110", ["state", "submission_id", "review"]].tolist() == [
        "submitted",
        corrected.submission_id,
        "rejected",
    ]
    assert table.loc["450103", ["state", "review"]].tolist() == ["late", "pending"]
    assert table.loc[["450202", "450203"], "state"].tolist() == ["submitted", "submitted"]  # 柳州市's ledger
    assert table.loc["450105", "state"] == "missing" and pd.isna(table.loc["450105", "submission_id"])
    assert on_time.submission_id == 1
    on_due_day = ledger.status_by_county(reg, "45", MONTH, today=D("2024-12-05")).set_index("county_code")
    assert on_due_day.loc["450105", "state"] == "not due"
    assert ledger.due_date(MONTH) == D("2024-12-05")
    assert ledger.due_date("2024-02") == D("2024-03-05")


# --------------------------------------------------------------------------- on the seeded registry
def test_a_ledger_of_the_seeded_demo_stations_of_wuming(registry_url: str) -> None:
    """武鸣区 has two demo stations (城厢镇, 马头镇); the county reports them by name with their staff."""
    clock = StepClock(T("2024-12-03 01:00"))
    reg = open_registry(registry_url, clock=clock)
    header = ("站点名称", "社工人数", "持证社工人数", "服务户数")
    rows = [["武鸣区城厢镇社工站", 3, 1, 120], ["武鸣区马头镇社工站", "2人", 0, 80]]
    sub = _submit(reg, rows, header=header)
    assert [f[:3] for f in _findings(sub)] == [
        (2, "staff+caseload", "GX-DEMO-0115"),
        (3, "staff+caseload", "GX-DEMO-0288"),
    ]
    assert _findings(sub)[1][4] == "social_workers None -> 2, certified_workers None -> 0; households_served None -> 80"
    ledger.accept(reg, sub.submission_id, "审核员")
    current = reg.current("45", as_of=END).set_index("station_id")
    assert current.loc[["GX-DEMO-0115", "GX-DEMO-0288"], "social_workers"].tolist() == [3, 2]
    assert current.loc["GX-DEMO-0115", "township_code"] == CHENGXIANG
    from coverage.analysis.admin import status
    from coverage.data.provinces import load_province

    assert status(load_province("45"), reg.station_table("45"), as_of="2021-12-31").summary["covered"] == 375
