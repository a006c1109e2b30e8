"""The command line of issue 15: ``need import``, ``site --capacity``, ``plan --budget --workers``."""

from __future__ import annotations

import json

import pytest

from coverage.cli import main
from tests.conftest import csv_bytes

NEED_ROWS = [
    ("乡镇代码", "乡镇名称", "60岁以上老人", "低保对象", "特困人员", "留守儿童", "备注"),
    ("450102001", "民生街道", "1000", "50", "4", "10", ""),
    ("", "兴宁区朝阳街道", "800", "1,200", "2人", "abc", "写错了"),
    ("", "城东街道", "10", "1", "1", "1", ""),
    ("450102001", "", "1", "1", "1", "1", "重复"),
]


@pytest.fixture
def need_file(tmp_path):
    path = tmp_path / "need.csv"
    path.write_bytes(csv_bytes(NEED_ROWS, "gbk"))
    return path


def run_json(capsys, *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_need_import_reports_every_row(capsys, need_file, tmp_path):
    out = tmp_path / "report.xlsx"
    doc = run_json(
        capsys, "need", "import", str(need_file), "--province", "45", "--weights", "留守儿童=0.5", "--out", str(out)
    )
    assert doc["summary"] == {"matched": 1, "repaired": 1, "ambiguous": 1, "unmatched": 0, "rejected": 1, "total": 4}
    rows = {r["row"]: r for r in doc["rows"]}
    assert rows[3]["status"] == "repaired" and rows[3]["message"] == "留守儿童: 'abc' is not a number; left out"
    assert rows[4]["status"] == "ambiguous"
    assert rows[5]["message"] == "township 450102001 is already given on row 2; give one row per township (add them up)"
    assert doc["columns"] == {
        "60岁以上老人": "elderly",
        "低保对象": "dibao",
        "特困人员": "tekun",
        "留守儿童": "left_behind",
    }
    # need = 0.1 x elderly + 1 x 低保 + 2 x 特困 + 0.5 x 留守: (100 + 50 + 8 + 5) + (80 + 1200 + 4 + 0)
    assert doc["need"]["weights"]["留守儿童"] == 0.5 and doc["need"]["total"] == pytest.approx(163 + 1284)
    assert doc["need"]["proxy"] is False
    assert out.exists()


def test_need_import_text_summary(capsys, need_file):
    assert main(["need", "import", str(need_file), "--province", "45"]) == 0
    text = capsys.readouterr().out
    assert "4 rows, 2 townships of 广西壮族自治区" in text
    assert "need = 60岁以上老人 x 0.1 + 低保对象 x 1 + 特困人员 x 2 + 留守儿童 x 1 (need units per person)" in text


@pytest.fixture
def three_by_three(tmp_path):
    (tmp_path / "cost.csv").write_text("demand,X,Y,Z\na,1,9,9\nb,1,1,9\nc,9,1,1\n")
    (tmp_path / "w.csv").write_text("id,weight\na,6\nb,4\nc,5\n")
    (tmp_path / "cap.csv").write_text("id,capacity\nX,5\nY,7\nZ,5\n")
    return tmp_path


@pytest.mark.parametrize(("p", "selected", "served"), [("1", ["Y"], 7.0), ("2", ["X", "Y"], 12.0)])
def test_site_with_a_capacity_file_maximises_demand_served(capsys, three_by_three, p, selected, served):
    d = three_by_three
    doc = run_json(
        capsys, "site", "--model", "mclp", "--cost-matrix", str(d / "cost.csv"), "--weights", str(d / "w.csv"),
        "--radius", "2", "--p", p, "--capacity", str(d / "cap.csv"),
    )  # fmt: skip
    assert doc["selected"] == selected and doc["objective"] == served and doc["capacitated"] is True
    assert doc["served_share"] == pytest.approx(served / 15)


def test_site_with_capacity_on_the_province_names_its_proxy(capsys):
    doc = run_json(capsys, "site", "--model", "mclp", "--p", "5", "--workers", "20", "--as-of", "2021-12-31")
    assert doc["need"] == "proxy: villages and communities" and doc["demand_points"] == "grid cells (1 km)"
    assert len(doc["selected"]) == 5 and sum(doc["sizes"].values()) <= 20
    assert doc["caseload_per_worker"] == 4.0
    assert all(s["load"] > s["capacity"] for s in doc["overloaded"])
    assert doc["objective"] >= doc["served_before"]


def test_plan_within_too_small_a_budget_says_by_how_much(capsys):
    doc = run_json(capsys, "plan", "--budget", "2022:1亿,2023:2亿", "--workers", "2022:5000,2023:5000")
    assert doc["feasible"] is False and doc["years"] == []
    assert doc["shortfall"]["money_only_yuan"] == [1_790_000.0, 0.0]
    assert doc["shortfall"]["ways_out"][-1] == "later date: 100% (878 new stations) by 2024-12-31 instead of 2023-12-31"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--budget", "2022:abc"], "--budget, 2022: amount 'abc' not understood; write yuan, 万 or 亿"),
        (["plan", "--workers", "2022:-3"], "--workers, 2022: new certified workers: -3 is too small"),
        (["plan", "--budget", "2022"], "--budget: '2022' is not YEAR:VALUE; write e.g. 2024:3000万,2025:3000万"),
        (["plan", "--menu", "2:10万,2:20万"], "capacity menu: workers 2 is given twice"),
        (["plan", "--caseload", "5"], "--caseload: only used with capacity; add --budget, --workers or --menu"),
        (["plan", "--need-weights", "低保=1"], "--need-weights weighs the columns of --need; add --need FILE"),
        (
            ["plan", "--budget", "2022:1亿"],
            "--budget has no value for 2023; give one for every target year (2022, 2023)",
        ),
        (["site", "--model", "pcenter", "--p", "2", "--menu", "2:1万"], "go with --model mclp (capacitated coverage)"),
        (["site", "--model", "mclp", "--p", "3", "--workers", "2"], "3 new stations need at least 6 workers"),
        (["site", "--model", "mclp", "--p", "1", "--budget", "-1"], "amount in yuan: -1 is too small"),
    ],
)
def test_capacity_arguments_are_checked(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


def test_every_model_says_what_its_demand_is_and_where_it_sits(capsys, tmp_path, need_file):
    doc = run_json(capsys, "site", "--model", "pmedian", "--p", "2", "--as-of", "2021-12-31", "--time-limit", "20")
    assert doc["need"] == "proxy: villages and communities" and doc["demand_points"] == "township points"
    doc = run_json(capsys, "site", "--model", "lscp", "--as-of", "2021-12-31", "--share", "0.4", "--points", "villages")
    assert (
        doc["need"] == "proxy: villages and communities" and doc["demand_points"] == "villages (approximate positions)"
    )
    doc = run_json(
        capsys, "site", "--model", "mclp", "--p", "2", "--as-of", "2021-12-31", "--need", str(need_file),
        "--need-weights", "特困人员=3",
    )  # fmt: skip
    assert doc["need"] == "need table: 60岁以上老人 x 0.1 + 低保对象 x 1 + 特困人员 x 3 + 留守儿童 x 1"
    assert main(["site", "--model", "pcenter", "--p", "2", "--points", "villages"]) == 2
    assert "pcenter weighs township points by their villages and communities" in capsys.readouterr().err
