"""No traps in the exact siting models (issue 17): size budgets checked before a MIP is built,
``auto`` never worse than the heuristic, an exact run stopped at its limit keeps the better answer
with the bound actually proved.

The instance: four demand points and four candidates on a line at 0, 1, 10 and 11 (cost = distance,
weight 1).  p-median with p = 2 opens one site in each pair: cost 1 + 1 = 2.  MCLP with radius 1
and p = 1 serves one pair: 2 of the 4 units of demand.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coverage import settings
from coverage.cli import main
from coverage.optimise import siting
from coverage.optimise.highs import ModelSize, ModelTooLarge, Solution
from coverage.optimise.siting import SitingProblem, solve_mclp, solve_pcenter, solve_pmedian

ROOT = Path(__file__).resolve().parent.parent
LINE = np.array([0.0, 1.0, 10.0, 11.0])


@pytest.fixture
def line() -> SitingProblem:
    return SitingProblem.from_cost_matrix(np.abs(LINE[:, None] - LINE[None, :]))


# p-median: 4 candidates + 16 assignment variables; 4 "assigned once" rows + 16 "x <= y" rows + the
# p row; non-zeros 16 + 2 x 16 + 4 = 52; memory (52 x 1,500 + 41 x 200) bytes = 0.0862 MB.
PMEDIAN_ESTIMATE = "20 variables, 21 rows, 52 non-zeros, about 0.086 MB"
ADVICE = (
    "use --method heuristic (or auto: greedy + vertex substitution with a Lagrangian bound), "
    "fewer demand points or fewer candidates"
)


def test_model_size_estimates_memory_from_non_zeros_and_lines():
    size = ModelSize(variables=20, rows=21, nonzeros=52)
    assert size.memory_mb() == pytest.approx((52 * 1_500 + 41 * 200) / 1e6)
    assert size.describe() == PMEDIAN_ESTIMATE
    assert size.fits()


def test_exact_pmedian_over_the_variable_budget_is_refused_with_the_estimate(line, monkeypatch):
    monkeypatch.setattr(settings, "EXACT_MAX_VARIABLES", 5)
    with pytest.raises(ModelTooLarge) as refused:
        solve_pmedian(line, p=2, method="exact")
    assert str(refused.value) == (
        f"the exact p-median (4 demand points x 4 candidates) would be a MIP of {PMEDIAN_ESTIMATE} of memory: "
        f"over the budget (20 variables > 5 (settings.EXACT_MAX_VARIABLES)), so it is not built; {ADVICE}"
    )
    auto = solve_pmedian(line, p=2, method="auto")  # the same model is too large for auto: the heuristic
    assert (auto.status, auto.objective, auto.bound) == ("heuristic", 2.0, pytest.approx(2.0))


def test_exact_pmedian_over_the_memory_budget_names_only_the_memory(line, monkeypatch):
    monkeypatch.setattr(settings, "EXACT_MAX_MEMORY_MB", 0.05)
    with pytest.raises(ModelTooLarge, match=r"over the budget \(about 0\.086 MB of memory > 0\.05 MB "):
        solve_pmedian(line, p=2, method="exact")


def test_exact_mclp_over_the_non_zero_budget_is_refused_and_auto_uses_the_heuristic(line, monkeypatch):
    # merged rows {0, 1} and {10, 11}: 2 rows x 4 candidates, 4 coverage non-zeros + 2 (z) + 4 (the p row)
    monkeypatch.setattr(settings, "EXACT_MAX_NONZEROS", 9)
    with pytest.raises(ModelTooLarge, match=r"MIP of 6 variables, 3 rows, 10 non-zeros.*10 non-zeros > 9 "):
        solve_mclp(line, radius=1, p=1, method="exact")
    auto = solve_mclp(line, radius=1, p=1, method="auto")
    assert (auto.status, auto.objective, auto.bound) == ("heuristic", 2.0, 2.0)


def test_pcenter_refuses_a_covering_step_over_the_budget_instead_of_calling_it_out_of_reach(line, monkeypatch):
    monkeypatch.setattr(settings, "EXACT_MAX_VARIABLES", 1)
    with pytest.raises(ModelTooLarge, match=r"^p-center's covering step at cost \d.*LSCP has no heuristic"):
        solve_pcenter(line, p=2)


def test_exact_pmedian_stopped_before_any_incumbent_returns_the_heuristic_with_its_proven_bound(line):
    r = solve_pmedian(line, p=2, method="exact", time_limit=0.0)
    heuristic = solve_pmedian(line, p=2, method="heuristic")
    assert r.status == "time limit reached" and r.details["kept"] == "heuristic"
    assert (r.details["exact_incumbent_objective"], r.details["heuristic_objective"]) == (None, 2.0)
    assert r.objective == heuristic.objective == 2.0
    assert r.bound == pytest.approx(2.0)  # the Lagrangian bound proves the optimum here
    assert r.gap == pytest.approx(0.0, abs=1e-9)


def test_exact_mclp_stopped_before_any_incumbent_reports_only_the_trivial_bound(line):
    r = solve_mclp(line, radius=1, p=1, method="exact", time_limit=0.0)
    assert r.status == "time limit reached" and r.details["kept"] == "heuristic"
    assert r.objective == 2.0  # one pair served
    assert r.bound == 4.0  # neither the MIP nor its LP finished: all demand is the only bound proved
    assert r.gap == 1.0


def test_a_stopped_exact_run_keeps_the_better_answer_and_drops_a_bound_on_the_wrong_side(line, monkeypatch):
    """HiGHS stops with the incumbent {0, 1} (cost 9 + 10 = 19) and reports a lower bound of 3, above
    the heuristic's cost 2 - not a bound.  The heuristic's answer is kept, with the Lagrangian bound 2."""
    values = np.zeros(20)
    values[:2] = 1.0
    stopped = siting._Stopped(Solution(values, 19.0, 3.0, "Time limit reached"), 3.0, "time limit reached")
    monkeypatch.setattr(siting, "_solve_or_none", lambda *args: stopped)
    r = solve_pmedian(line, p=2, method="exact")
    assert (r.selected, r.objective, r.details["kept"]) == (["1", "2"], 2.0, "heuristic")
    assert (r.details["exact_incumbent_objective"], r.details["heuristic_objective"]) == (19.0, 2.0)
    assert r.bound == pytest.approx(2.0)
    # an incumbent as good as the heuristic is kept as the exact one, with a valid bound of 1.5
    values[:4] = [0.0, 1.0, 1.0, 0.0]
    stopped = siting._Stopped(Solution(values, 2.0, 1.5, "Time limit reached"), 1.5, "time limit reached")
    r = solve_pmedian(line, p=2, method="exact")
    assert (r.selected, r.objective, r.details["kept"]) == (["1", "2"], 2.0, "exact incumbent")


def test_cli_exact_over_budget_exits_2_with_the_reason(tmp_path, monkeypatch, capsys):
    cost = tmp_path / "cost.csv"
    cost.write_text("demand,A,B,C,D\nd1,0,1,10,11\nd2,1,0,9,10\nd3,10,9,0,1\nd4,11,10,1,0\n", encoding="utf-8")
    monkeypatch.setattr(settings, "EXACT_MAX_VARIABLES", 5)
    args = ["site", "--model", "pmedian", "--cost-matrix", str(cost), "--p", "2", "--method", "exact", "--json"]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: the exact p-median (4 demand points x 4 candidates) would be a MIP of {PMEDIAN_ESTIMATE} of "
        f"memory: over the budget (20 variables > 5 (settings.EXACT_MAX_VARIABLES)), so it is not built; {ADVICE}\n"
    )


def test_cli_guangxi_pmedian_exact_is_refused_without_a_traceback():
    """Guangxi's p-median (1,284 townships x 878 candidates) is 1.1 M variables: refused before building."""
    done = subprocess.run(
        [sys.executable, "-m", "coverage", "site", "--province", "45", "--model", "pmedian", "--p", "10"]
        + ["--method", "exact"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "error: the exact p-median (1,284 demand points x 878 candidates) would be a MIP of 1,129,514 variables"
    )
    assert "Traceback" not in done.stderr and done.stdout == ""
