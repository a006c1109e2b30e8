"""The command line: summaries, --json documents, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from coverage.cli import main
from tests.conftest import csv_bytes

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    """Run ``python -m coverage`` as a user would, from the repository root."""
    return subprocess.run([sys.executable, "-m", "coverage", *args], cwd=ROOT, capture_output=True, text=True)


def test_stations_check_json_has_rows_and_summary(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(
        csv_bytes([("站点名称", "经度", "纬度"), ("肇庆市德庆县九市镇", "", ""), ("巴黎", "2.35", "48.85")], "gbk")
    )
    done = run("stations", "check", str(path), "--province", "44", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["summary"] == {"matched": 1, "repaired": 0, "ambiguous": 0, "unmatched": 0, "rejected": 1, "total": 2}
    assert doc["rows"][0] == {"row": 2, "status": "matched", "township_code": "441226114", "message": ""}
    assert doc["rows"][1]["status"] == "rejected" and doc["rows"][1]["township_code"] is None
    assert doc["encoding"] == "gb18030"


def test_stations_check_summary_and_report_file(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes([("站点名称",), ("城东街道",)]))
    out = tmp_path / "report.xlsx"
    assert main(["stations", "check", str(path), "--province", "44", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "ambiguous 1" in text and "城东街道" in text
    report = pd.read_excel(out, dtype=str).to_dict("records")
    assert [(r["row"], r["status"], r["input: 站点名称"]) for r in report] == [("2", "ambiguous", "城东街道")]
    assert report[0]["candidates"].split("; ") == [
        "汕尾市陆丰市城东街道 (441581003)",
        "河源市源城区城东街道 (441602006)",
        "阳江市江城区城东街道 (441702006)",
    ]


def test_gcj02_declared_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes([("经度", "纬度"), ("108.3501", "22.8222")]))
    assert main(["stations", "check", str(path), "--province", "45", "--crs", "gcj02", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["crs"] == "gcj02"
    assert "converted from gcj02" in doc["rows"][0]["message"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stations", "check", "/nonexistent/stations.csv"], "file not found"),
        (["stations", "check", "EMPTY"], "is empty"),
        (["stations", "check", "FILE", "--crs", "mars"], "unknown coordinate system"),
        (["data", "info", "--province", "火星"], "unknown province"),
    ],
)
def test_bad_input_exits_2_with_the_reason(tmp_path, args, message):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    stations = tmp_path / "stations.csv"
    stations.write_bytes(csv_bytes([("站点名称",), ("德庆县九市镇",)]))
    args = [{"EMPTY": str(empty), "FILE": str(stations)}.get(a, a) for a in args]
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_data_info_json(capsys):
    assert main(["data", "info", "--province", "45", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    gx = doc["provinces"][0]
    assert (gx["townships"], gx["counted"]) == (1284, 1253)
    assert gx["kinds"] == {"street": 135, "town": 806, "township": 312, "other": 31}


def test_data_build_to_a_folder(tmp_path, capsys):
    assert main(["data", "build", "--province", "44", "--out", str(tmp_path), "--jobs", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["townships"] == 1757
    assert Path(doc["provinces"][0]["path"]).parent == tmp_path


def test_status_json_keeps_the_documented_keys(capsys):
    assert main(["status", "--province", "45", "--as-of", "2021-12-31", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"province", "as_of", "counted", "covered", "rate", "targets", "units"}
    assert (doc["province"], doc["as_of"], doc["counted"], doc["covered"]) == ("45", "2021-12-31", 1253, 375)
    assert doc["targets"][0] == {
        "date": "2021-12-31",
        "share": 0.3,
        "met": False,
        "rate_on_date": 0.299282,
        "needed": 1,
        "reached": None,
    }
    unit = doc["units"][0]
    assert set(unit) >= {"level", "code", "name", "counted", "covered", "rate", "needed_for_next_target"}


def test_status_with_custom_targets_and_xlsx(tmp_path, capsys):
    out = tmp_path / "status.xlsx"
    args = [
        "status",
        "--as-of",
        "2021-12-31",
        "--targets",
        "2021-12-31:25,2022-12-31:50",
        "--override",
        "4501=2021-12-31:40",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "target 25% by 2021-12-31: met" in text
    import openpyxl

    assert openpyxl.load_workbook(out).sheetnames == ["targets", "units", "trajectory"]


def test_gaps_json_keeps_the_documented_keys(capsys, tmp_path):
    out = tmp_path / "gaps.gpkg"
    assert main(["gaps", "--province", "45", "--radius-km", "10", "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"radius_km", "area_share_within", "demand_share_within", "gap_area_km2", "townships"}
    assert doc["radius_km"] == 10.0
    assert set(doc["townships"][0]) == {"code", "name", "share_beyond", "farthest_km"}
    import pyogrio

    assert {name for name, _ in pyogrio.list_layers(out)} == {"gaps", "townships", "units"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gaps", "--province", "45"], "exactly one of --radius-km or --radius-min"),
        (["status", "--targets", "2021-12-31"], "date:percent"),
        (["status", "--override", "45=2021:30"], "4-digit city or 6-digit county"),
        (["status", "--as-of", "yesterday"], "YYYY-MM-DD"),
    ],
)
def test_analysis_bad_arguments_exit_2(args, message):
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr


def test_gaps_with_township_weights(tmp_path, capsys, guangxi):
    # all the weight on two townships: 南宁 民生街道 (has a station) and 融水县大年乡 (all of it beyond 10 km)
    path = tmp_path / "pop.csv"
    path.write_bytes(csv_bytes([("乡镇代码", "人口"), ("450102001", "3000"), ("450225215", "1000")]))
    assert main(["gaps", "--radius-km", "10", "--township-weights", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["demand_share_within"] == pytest.approx(0.75)


def test_site_from_a_cost_matrix_file(tmp_path, capsys):
    cost = tmp_path / "cost.csv"
    cost.write_text("demand,A,B,C\nd1,1,9,9\nd2,9,1,9\nd3,9,9,1\nd4,2,9,9\n", encoding="utf-8")
    weights = tmp_path / "w.csv"
    weights.write_text("id,weight\nd1,5\nd2,3\nd3,1\nd4,4\n", encoding="utf-8")
    assert (
        main(
            [
                "site",
                "--model",
                "mclp",
                "--cost-matrix",
                str(cost),
                "--weights",
                str(weights),
                "--radius",
                "3",
                "--p",
                "1",
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert {k: doc[k] for k in ("model", "objective", "selected", "covered_share", "gap")} == {
        "model": "mclp",
        "objective": 9.0,
        "selected": ["A"],
        "covered_share": round(9 / 13, 6),
        "gap": 0.0,
    }
    assert doc["solver"].startswith("HiGHS") and doc["seconds"] >= 0


def test_site_province_mode_and_missing_p(capsys):
    assert main(["site", "--model", "mclp", "--radius-km", "10", "--p", "5", "--as-of", "2021-12-31", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["selected"]) == 5 and doc["gap"] <= 1e-3
    done = run("site", "--model", "pmedian")
    assert done.returncode == 2 and "--p" in done.stderr


def test_plan_json_keeps_the_documented_keys(tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert main(["plan", "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [y["date"] for y in doc["years"]] == ["2022-12-31", "2023-12-31"]
    assert set(doc["years"][0]) >= {"date", "target_share", "opened", "rate_after", "demand_share_within_after"}
    assert len(doc["years"][0]["opened"]) == 377
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["years", "travel", "opened 2022-12-31", "opened 2023-12-31"]
    assert [c.value for c in book["travel"]["B"]][:3] == ["value", "straight line", 10]  # the model, its radius
    assert doc["travel"] == "straight line" and doc["radius_km"] == 10.0 and doc["radius_min"] is None


def test_need_and_user_candidate_sites(tmp_path, capsys):
    assert main(["need", "--as-of", "2021-12-31", "--weights", "distance=2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["weights"]["distance"] == 2.0 and len(doc["townships"]) == 878
    assert doc["townships"][0]["rank"] == 1
    sites = tmp_path / "sites.csv"
    sites.write_bytes(
        csv_bytes(
            [("编号", "站点名称", "经度", "纬度"), ("C1", "甲", "108.40", "22.90"), ("C2", "乙", "109.3", "24.3")]
        )
    )
    assert (
        main(
            [
                "site",
                "--model",
                "mclp",
                "--candidates",
                str(sites),
                "--radius-km",
                "10",
                "--p",
                "1",
                "--as-of",
                "2021-12-31",
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    # C1 (by 南宁) alone covers more of the demand still beyond 10 km than C2 alone (objective 9.130 vs 9.107)
    assert doc["selected"] == ["C1"] and doc["candidates"] == 2


# --------------------------------------------------------------------------- argument checks (issue 11)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gaps", "--radius-km", "-5"], "argument --radius-km: service radius in km: -5 is too small"),
        (["gaps", "--radius-km", "0"], "0 is too small; give a number above 0 and at most 100"),
        (["gaps", "--radius-km", "nan"], "nan is not a finite number"),
        (["gaps", "--radius-km", "inf"], "inf is not a finite number"),
        (["gaps", "--radius-km", "ten"], "'ten' is not a number"),
        (["gaps", "--radius-min", "0"], "argument --radius-min: service radius in minutes: 0 is too small"),
        (["gaps", "--radius-min", "181"], "181 is too large; give a number above 0 and at most 180"),
        (["gaps", "--radius-km", "10", "--grid-km", "nan"], "grid cell size in km: nan is not a finite number"),
        (["gaps", "--radius-km", "10", "--grid-km", "0.001"], "0.001 is too small; give a number from 0.1 to 20"),
        (["gaps", "--radius-km", "10", "--radius-min", "30"], "exactly one of --radius-km or --radius-min"),
        (["gaps", "--radius-km", "10", "--weight-col", "人口"], "--weight-col is only used with --demand-points"),
        (["site", "--model", "mclp", "--p", "0"], "argument --p: number of new stations: 0 is too small"),
        (
            ["site", "--model", "lscp", "--share", "0"],
            "share of demand: 0 is too small; give a number above 0 and at most 1",
        ),
        (["site", "--model", "lscp", "--share", "1.5"], "1.5 is too large"),
        (["site", "--model", "mclp", "--p", "2", "--share", "0.5"], "mclp does not use it"),
        (["site", "--model", "lscp", "--p", "2"], "leave out --p"),
        (
            ["site", "--model", "mclp", "--p", "2", "--county-min", "-1"],
            "-1 is too small; give a whole number of 0 or more",
        ),
        (
            ["site", "--model", "mclp", "--p", "2", "--county-min", "3", "--county-max", "2"],
            "--county-min 3 is above --county-max 2",
        ),
        (["site", "--model", "mclp", "--p", "2", "--time-limit", "0"], "time limit in seconds: 0 is too small"),
        (["site", "--model", "mclp", "--p", "2", "--time-limit", "nan"], "nan is not a finite number"),
        (["site", "--model", "mclp", "--p", "2", "--radius", "3"], "--radius goes with --cost-matrix"),
        (["status", "--as-of", "2021-02-30"], "date '2021-02-30' is not a day of the calendar"),
        (["status", "--as-of", "1999-12-31"], "give a date from 2000-01-01 to 2100-12-31"),
        (["status", "--targets", "2021-12-31:130"], "target share 1.3 is not between 0 and 1"),
        (["status", "--targets", "2021-12-31:60,2022-12-31:30"], "a later target must not be lower"),
        (["status", "--targets", "2021-12-31:30,2021-12-31:40"], "two targets for 2021-12-31"),
        (["status", "--override", "4401=2021-12-31:40"], "no city 4401 in 广西壮族自治区 (45)"),
        (["status", "--override", "450199=2021-12-31:40"], "no county 450199"),
        (["status", "--override", "4501=2021-12-31:140"], "target share 1.4 is not between 0 and 1"),
        (
            ["status", "--kinds", "street,farm"],
            "unknown township kinds farm; use some of street, town, township, other",
        ),
        (["status", "--top", "-1"], "argument --top: -1 is too small"),
        (["status", "--out", "status.txt"], "write .csv, .xlsx or .json"),
        (["need", "--weights", "villages=-1"], "weight of villages: -1 is too small"),
        (["need", "--weights", "rain=1"], "need weights for unknown components rain"),
        (["plan", "--county-min", "-2"], "-2 is too small"),
        (["plan", "--out", "plan.csv"], "write .xlsx"),
        (["data", "build", "--jobs", "-1"], "argument --jobs: -1 is too small"),
        (["data", "build", "--all", "--province", "44"], "leave out --province, or leave out --all"),
        (["data", "info", "--province", "../../etc/passwd"], "unknown province"),
        (["site", "--model", "mclp"], "--p (number of new stations) is required for mclp"),
    ],
)
def test_bad_arguments_exit_2_with_what_to_give(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("kind", ["missing", "folder", "empty"])
@pytest.mark.parametrize(
    "args",
    [
        ["status", "--stations", "FILE"],
        ["gaps", "--radius-km", "10", "--township-weights", "FILE"],
        ["site", "--model", "mclp", "--p", "1", "--radius", "1", "--cost-matrix", "FILE"],
        ["need", "--extra", "FILE"],
        ["stations", "check", "FILE"],
    ],
)
def test_file_arguments_name_the_file(tmp_path, capsys, kind, args):
    path = {"missing": tmp_path / "none.csv", "folder": tmp_path, "empty": tmp_path / "empty.csv"}[kind]
    if kind == "empty":
        path.write_bytes(b"")
    expected = {"missing": "file not found", "folder": "is a folder, not a file", "empty": "is empty (0 bytes)"}[kind]
    assert main([str(path) if a == "FILE" else a for a in args]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(path) in err, err


def test_a_grid_too_fine_for_the_province_is_refused_with_an_estimate(capsys):
    # Guangxi is about 236,700 km²: at 0.1 km some 23.7 million cells, above settings.MAX_GRID_CELLS
    assert main(["gaps", "--radius-km", "10", "--grid-km", "0.1"]) == 2
    err = capsys.readouterr().err
    assert "would have about 23,668,883 cells, more than 3,000,000; use cells of 0.3 km or more" in err


def test_help_exits_0_and_main_never_raises_systemexit(capsys):
    assert main(["gaps", "--help"]) == 0
    assert "--grid-km" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_every_analysis_says_what_its_figures_rest_on(capsys, write_csv):
    assert main(["status", "--as-of", "2021-12-31", "--json"]) == 0
    note = json.loads(capsys.readouterr().out)["data_note"]
    assert note["stations"]["nature"] == "synthetic" and note["townships"]["boundaries"] == "approximate"
    assert note["notes"][0].startswith("The station list is a synthetic demo, not real stations")
    assert main(["gaps", "--radius-km", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("note: The station list is a synthetic demo")
    assert lines[-1].startswith("note: Township borders are approximate and ")
    # the user's own list: nothing said of the list, only of the approximate townships
    own = write_csv([("名称", "乡镇代码"), ("甲", "450102001")])
    assert main(["status", "--stations", str(own), "--json"]) == 0
    note = json.loads(capsys.readouterr().out)["data_note"]
    assert note["stations"]["nature"] == "uploaded" and note["notes"] == [
        "Township borders are approximate; coverage rates depend only on which township a station is in, not on the borders"
    ]
