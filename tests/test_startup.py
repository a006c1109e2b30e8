"""Start-up (issue 17): a command loads only what it uses, and the shortcuts taken for it change no answer."""

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from coverage import settings
from coverage.analysis.admin import coverage_events
from coverage.data.io import CACHE_DIR_ENV
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


# --------------------------------------------------------------------------- status and gaps (issue 17)
def test_status_and_gaps_load_neither_sqlalchemy_nor_scipy():
    """The embedded SQLite registry is read with sqlite3 and the nearest station found with pykdtree:
    the two commands import neither SQLAlchemy (nor Alembic) nor SciPy."""
    from coverage.registry.reader import SQLiteReader, open_reader
    from coverage.registry.store import open_registry

    open_registry()  # the tests' registry (conftest), made and seeded here if no test made it yet
    assert isinstance(open_reader(), SQLiteReader)
    run = "from coverage.cli import main\nimport contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n"
    for argv in (["status", "--province", "45", "--json"], ["gaps", "--province", "44", "--radius-km", "10", "--json"]):
        loaded = imported_after(f"{run}    assert main({argv!r}) == 0")
        assert {"pandas", "geopandas", "coverage"} <= loaded
        assert not loaded & {"sqlalchemy", "alembic", "scipy", "sklearn", "highspy"}, argv


@pytest.mark.parametrize("seed", range(5))
def test_nearest_station_is_scipys_ckdtree_bit_for_bit(seed):
    from scipy.spatial import cKDTree

    from coverage.analysis.travel import StraightLine

    rng = np.random.default_rng(seed)
    stations = rng.uniform(0, 300_000, size=(int(rng.integers(1, 400)), 2))
    points = np.vstack([rng.uniform(-50_000, 350_000, size=(5_000, 2)), stations[:3]])  # some on a station
    dist, idx = StraightLine().nearest(points, stations)
    expected_dist, expected_idx = cKDTree(stations).query(points, k=1)
    assert np.array_equal(dist, expected_dist)
    assert idx.dtype == np.int64 and np.array_equal(idx, expected_idx)  # random points: no ties
    assert dist[-3:].tolist() == [0.0, 0.0, 0.0]


def test_nearest_station_of_nothing_and_from_nothing():
    from coverage.analysis.travel import StraightLine

    dist, idx = StraightLine().nearest([[0.0, 0.0], [3.0, 4.0]], np.empty((0, 2)))
    assert dist.tolist() == [np.inf, np.inf] and idx.tolist() == [-1, -1]
    dist, idx = StraightLine().nearest(np.empty((0, 2)), [[0.0, 0.0]])
    assert len(dist) == len(idx) == 0
    dist, idx = StraightLine().nearest([[3.0, 4.0], [0.0, 1.0]], [[0.0, 0.0], [10.0, 10.0]])
    assert dist.tolist() == [5.0, 1.0] and idx.tolist() == [0, 0]


def _squares(tmp_path: Path) -> tuple[Path, gpd.GeoDataFrame]:
    """Three townships of 0.05 degrees near Nanning, and a file standing for their GeoPackage."""
    towns = gpd.GeoDataFrame(
        {"code": ["1", "2", "3"]},
        geometry=[shapely.box(108.0 + k * 0.05, 22.8, 108.05 + k * 0.05, 22.85) for k in range(3)],
        crs="EPSG:4326",
    )
    source = tmp_path / "45_test.gpkg"
    source.write_bytes(b"version 1")
    return source, towns


def test_the_demand_grid_kept_on_disk_is_the_grid(tmp_path, monkeypatch):
    from coverage.analysis import demand

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "grids"))
    source, towns = _squares(tmp_path)
    crs = "EPSG:4544"
    fresh = demand.grid_demand(towns.to_crs(crs), 1000.0)
    assert len(fresh) > 50
    for _ in range(2):  # built and kept, then read back
        kept = demand.stored_grid_demand(source, towns, crs, 1000.0)
        for name in ("x", "y", "weight", "township"):
            assert np.array_equal(getattr(kept, name), getattr(fresh, name)), name
            assert getattr(kept, name).dtype == getattr(fresh, name).dtype
        assert kept.kind == fresh.kind == "grid"
    files = list((tmp_path / "grids").glob("*.npz"))
    assert len(files) == 1

    def refuse(*_args, **_kwargs):
        raise AssertionError("the kept grid should have been read")

    monkeypatch.setattr(demand, "grid_demand", refuse)
    assert np.array_equal(demand.stored_grid_demand(source, towns, crs, 1000.0).x, fresh.x)
    monkeypatch.undo()
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "grids"))
    # another cell size, another file; a changed GeoPackage, another file
    demand.stored_grid_demand(source, towns, crs, 2000.0)
    source.write_bytes(b"version 2")
    demand.stored_grid_demand(source, towns, crs, 1000.0)
    assert len(list((tmp_path / "grids").glob("*.npz"))) == 3
    # a damaged file is built again
    files[0].write_bytes(b"not a grid")
    source.write_bytes(b"version 1")
    again = demand.stored_grid_demand(source, towns, crs, 1000.0)
    assert np.array_equal(again.township, fresh.township)
    assert np.load(files[0])["x"].shape == fresh.x.shape


def test_the_demand_grid_without_a_writable_folder_is_still_the_grid(tmp_path, monkeypatch):
    from coverage.analysis import demand

    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "grids"))  # cannot be made: a file is in the way
    source, towns = _squares(tmp_path)
    kept = demand.stored_grid_demand(source, towns, "EPSG:4544", 1000.0)
    assert np.array_equal(kept.x, demand.grid_demand(towns.to_crs("EPSG:4544"), 1000.0).x)


def test_gaps_reads_its_kept_grid_and_answers_the_same(tmp_path, monkeypatch):
    from coverage.cli import main

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["gaps", "--province", "44", "--radius-km", "15", "--json"]) == 0
        outputs.append(out.getvalue())
    assert len(list(tmp_path.glob("grid_*.npz"))) == 1
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["area_share_within"] > 0


# --------------------------------------------------------------------------- a province's layers on demand
def test_a_provinces_other_layers_are_read_when_first_used():
    from coverage.data.provinces import _read

    prov = load_province("45")
    path = prov.path
    for layer in ("province", "cities", "counties"):
        got = getattr(prov, layer)
        pd.testing.assert_frame_equal(got, _read(path, layer))
        assert getattr(prov, layer) is got  # read once
    assert prov.code == str(prov.province["code"].iloc[0]) == "45"
    assert prov.name == str(prov.province["name"].iloc[0]) == "广西壮族自治区"
    pd.testing.assert_frame_equal(prov.provenance, pd.DataFrame(_read(path, "provenance")))


def test_a_layer_is_never_read_from_a_file_changed_since_loading(tmp_path):
    import os
    import shutil

    from coverage._errors import DataError

    copy = tmp_path / "45_copy.gpkg"
    shutil.copyfile(load_province("45").path, copy)
    prov = load_province(path=copy)
    assert len(prov.townships) == 1284
    stat = copy.stat()
    os.utime(copy, (stat.st_atime, stat.st_mtime + 10))
    with pytest.raises(DataError, match="has changed since it was loaded; load the province again"):
        _ = prov.counties
    assert len(load_province(path=copy).counties) == len(load_province("45").counties)


# --------------------------------------------------------------------------- PROJ's choice kept
@pytest.mark.parametrize("code", ["45", "44"])
def test_projecting_through_the_kept_transformation_is_geopandas_to_crs_bit_for_bit(code, tmp_path, monkeypatch):
    from geopandas.testing import assert_geodataframe_equal, assert_geoseries_equal

    from coverage import coords

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    coords.transformer.cache_clear()
    towns = load_province(code).townships
    crs = coords.projected_crs_for(towns)
    expected = towns.to_crs(crs)
    first = coords.to_crs(towns, crs)  # PROJ chooses, and its choice is kept
    assert len(list(tmp_path.glob("proj_*.txt"))) == 1
    coords.transformer.cache_clear()
    again = coords.to_crs(towns, crs)  # a later command: built from the kept pipeline
    for got in (first, again):
        assert_geodataframe_equal(got, expected)
        assert shapely.equals_exact(got.geometry.to_numpy(), expected.geometry.to_numpy(), tolerance=0).all()
    points = gpd.GeoSeries(gpd.points_from_xy(towns["lon"], towns["lat"]), crs=settings.WORK_CRS)
    assert_geoseries_equal(coords.to_crs(points, crs), points.to_crs(crs))
    assert coords.to_crs(expected, crs).equals(expected)  # already there: geopandas' own copy


def test_a_kept_transformation_that_is_damaged_is_chosen_again(tmp_path, monkeypatch):
    from coverage import coords

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    coords.transformer.cache_clear()
    towns = load_province("45").townships.head(20)
    coords.to_crs(towns, "EPSG:4545")
    (kept,) = tmp_path.glob("proj_*.txt")
    kept.write_text("proj=pipeline step proj=nonsense")
    coords.transformer.cache_clear()
    assert_same = shapely.equals_exact(
        coords.to_crs(towns, "EPSG:4545").geometry.to_numpy(), towns.to_crs("EPSG:4545").geometry.to_numpy(), 0
    )
    assert assert_same.all()
    coords.transformer.cache_clear()


def test_the_command_line_collects_no_garbage_while_it_starts_and_as_always_after():
    probe = (
        "import gc, sys, time\nimport coverage.cli\nfrom coverage import settings\nstate = []\n"
        "def command(argv=None):\n"
        "    state.append(gc.isenabled())\n    time.sleep(settings.CLI_GC_PAUSE_S + 0.5)\n"
        "    state.append(gc.isenabled())\n    print(state)\n    return 3\n"
        "coverage.cli.main = command\nsys.argv = ['coverage']\n"
        "import runpy\nrunpy.run_module('coverage', run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 3  # the command's exit code
    assert done.stdout.split() == ["[False,", "True]"]


# --------------------------------------------------------------------------- Voronoi pieces kept
def test_the_kept_voronoi_pieces_are_the_pieces_and_follow_the_stations(tmp_path, monkeypatch):
    from coverage.analysis.gaps import stored_voronoi_pieces, voronoi_pieces

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "kept"))
    source = tmp_path / "45_test.gpkg"
    source.write_bytes(b"version 1")
    # squares touching the axes: coordinates of 0.0 (WKB bytes of zeros) must come back too
    towns = np.array([shapely.box(k * 1000.0, 0.0, k * 1000.0 + 1000.0, 1000.0) for k in range(6)], dtype=object)
    for stations in ([[0.0, 0.0], [2500.0, 500.0], [5200.0, 900.0]], [[0.0, 0.0], [4000.0, 0.0]]):
        xy = np.array(stations)
        expected = voronoi_pieces(towns, xy)
        for _ in range(2):  # made and kept, then read back
            got = stored_voronoi_pieces(source, towns, xy, "EPSG:4545")
            assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
            assert got[0].dtype == expected[0].dtype and got[1].dtype == expected[1].dtype
            assert shapely.equals_exact(got[2], expected[2], tolerance=0).all()
            assert [g.wkb for g in got[2]] == [g.wkb for g in expected[2]]
        assert len(list((tmp_path / "kept").glob("pieces_*.npz"))) == 1  # other stations replace it

    def refuse(*_args):
        raise AssertionError("the kept pieces should have been read")

    monkeypatch.setattr("coverage.analysis.gaps.voronoi_pieces", refuse)
    stored_voronoi_pieces(source, towns, xy, "EPSG:4545")
    with pytest.raises(AssertionError, match="should have been read"):  # another GeoPackage: made again
        source.write_bytes(b"version 2")
        stored_voronoi_pieces(source, towns, xy, "EPSG:4545")


def test_gap_analysis_with_kept_pieces_gives_the_same_figures(guangxi, guangxi_stations):
    from coverage.analysis.gaps import gap_analysis, station_points, voronoi_pieces
    from coverage.coords import projected_crs_for, to_crs

    crs = projected_crs_for(guangxi.townships)
    towns = to_crs(guangxi.townships, crs)
    pieces = voronoi_pieces(towns.geometry.to_numpy(), station_points(guangxi_stations, crs))
    plain = gap_analysis(guangxi.townships, guangxi_stations, radius_m=12_000.0)
    given = gap_analysis(towns, guangxi_stations, radius_m=12_000.0, crs=crs, pieces=pieces)
    pd.testing.assert_frame_equal(given.townships, plain.townships)
    assert given.to_json() == plain.to_json()
