"""Start-up (issue 17): a command loads only what it uses, and the shortcuts taken for it change no answer."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from coverage import settings
from coverage.analysis.admin import coverage_events
from coverage.data.provinces import load_province
from coverage.data.register import load_register, province_code

ROOT = Path(__file__).resolve().parent.parent


def imported_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has imported after running ``code``."""
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.splitlines()[-1].split())


def test_help_loads_neither_pandas_nor_the_database_layer():
    loaded = imported_after(
        "from coverage.cli import main\nimport contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])"
    )
    assert "coverage" in loaded
    assert not loaded & {"pandas", "geopandas", "scipy", "sqlalchemy", "alembic", "highspy"}


def test_naming_a_province_reads_no_township():
    loaded = imported_after("from coverage.data.register import province_code\nprint(province_code('广西'))")
    assert "pandas" in loaded  # the provinces table is a small CSV
    probe = "from coverage.data import register\nregister.province_code('45')\nprint(register.load_register.cache_info().currsize)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0"]


@pytest.mark.parametrize("given", ["45", "450102", "广西", "广西壮族自治区", "guangxi", "44", "广东", " 44 "])
def test_province_code_alone_answers_as_the_register_does(given):
    assert province_code(given) == load_register().province_code(given)


def test_storage_crs_relabelled_as_wgs84_moves_no_coordinate():
    """The embedded layers are stored in CGCS2000 and handed out as WGS 84 by relabelling; PROJ's
    transformation gives the very same coordinates."""
    path = load_province("45").path
    stored = pyogrio.read_dataframe(path, layer="townships", use_arrow=True)
    assert stored.crs.to_epsg() == 4490 == int(settings.STORAGE_CRS.split(":")[1])
    transformed = stored.to_crs(settings.WORK_CRS).geometry.to_numpy()
    loaded = load_province("45").townships
    assert loaded.crs.to_epsg() == 4326
    assert shapely.equals_exact(loaded.geometry.to_numpy(), transformed, tolerance=0).all()


def events_one_by_one(rows: list[tuple[str, str | None, str | None]]) -> list[tuple]:
    """The plain loop :func:`coverage_events` replaced (per township, intervals merged one by one): the oracle."""
    out = []
    frame = pd.DataFrame(rows, columns=["code", "opened", "closed"])
    frame["start"] = pd.to_datetime(frame["opened"]).fillna(pd.Timestamp("1900-01-01"))
    frame["end"] = pd.to_datetime(frame["closed"])
    for code, group in frame.sort_values(["code", "start"], kind="stable").groupby("code", sort=False):
        run: list = []
        for start, end in zip(group["start"], group["end"], strict=True):
            if pd.notna(end) and end <= start:
                continue
            if not run:
                run = [start, end]
            elif pd.isna(run[1]) or start <= run[1]:
                run[1] = pd.NaT if pd.isna(run[1]) or pd.isna(end) else max(run[1], end)
            else:
                out += [(code, run[0], 1), (code, run[1], -1)]
                run = [start, end]
        if run:
            out.append((code, run[0], 1))
            if pd.notna(run[1]):
                out.append((code, run[1], -1))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_coverage_events_vectorised_gives_the_loops_events(seed):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2020-01-01", periods=40, freq="7D").strftime("%Y-%m-%d").tolist()
    rows = []
    for _ in range(int(rng.integers(1, 60))):
        opened = None if rng.random() < 0.1 else str(rng.choice(days))
        closed = None if rng.random() < 0.4 else str(rng.choice(days))
        rows.append((str(rng.integers(1, 8)), opened, closed))
    frame = pd.DataFrame(rows, columns=["township_code", "opened", "closed"])
    got = [tuple(r) for r in coverage_events(frame).itertuples(index=False)]
    assert got == events_one_by_one(rows)
