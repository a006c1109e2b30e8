"""The command line: summaries, --json documents, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

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
    assert out.exists()


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
    assert doc["targets"][0] == {"date": "2021-12-31", "share": 0.3, "met": False, "needed": 1, "reached": None}
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
    # all the weight on two townships: 南宁 民生街道 (has a station) and 灵峰镇 (57 km from any)
    path = tmp_path / "pop.csv"
    path.write_bytes(csv_bytes([("乡镇代码", "人口"), ("450102001", "3000"), ("451102115", "1000")]))
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

    assert openpyxl.load_workbook(out).sheetnames == ["years", "opened 2022-12-31", "opened 2023-12-31"]


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
    assert doc["selected"] in (["C1"], ["C2"]) and doc["candidates"] == 2
