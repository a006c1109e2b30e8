"""Shared fixtures: the register, the embedded provinces, and small station files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from coverage.data.provinces import load_province
from coverage.data.register import load_register


@pytest.fixture(scope="session")
def register():
    return load_register()


@pytest.fixture(scope="session")
def guangxi():
    return load_province("45")


@pytest.fixture(scope="session")
def guangdong():
    return load_province("44")


def csv_bytes(rows: list[tuple], encoding: str = "utf-8") -> bytes:
    """Rows written as CSV text in ``encoding`` (``utf-8-sig`` adds a BOM)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def write_csv(tmp_path):
    def _write(rows, name="stations.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows, encoding))
        return path

    return _write


@pytest.fixture(scope="session")
def guangxi_stations():
    """The embedded Guangxi station list, imported."""
    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations

    return read_stations(default_stations_path("45"), province="45").stations


# --------------------------------------------------------------------------- the registry on both backends
def _postgres_server() -> str | None:
    """The URL of a PostgreSQL + PostGIS server for the registry tests (``.ci/postgres`` starts one)."""
    import os

    url = os.environ.get("COVERAGE_TEST_PG")
    if not url and os.environ.get("COVERAGE_REQUIRE_POSTGRES"):
        pytest.fail("COVERAGE_TEST_PG is not set: start a server with `bash .ci/postgres`")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request, tmp_path):
    """A new, empty registry database: an SQLite file, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite'}"
        return
    server = _postgres_server()
    if not server:
        pytest.skip("no PostgreSQL server (set COVERAGE_TEST_PG; `bash .ci/postgres` starts one)")
    import uuid

    import sqlalchemy as sa

    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        sa.create_engine(url).dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _embedded_registry_in_a_temporary_folder(tmp_path_factory):
    """Commands and the app read the registry by default: in the tests, one seeded SQLite file of their
    own (never var/registry.sqlite of the working copy)."""
    import os

    from coverage import settings

    path = tmp_path_factory.mktemp("registry") / "registry.sqlite"
    before = os.environ.get(settings.REGISTRY_URL_ENV)
    os.environ[settings.REGISTRY_URL_ENV] = f"sqlite:///{path}"
    yield
    if before is None:
        os.environ.pop(settings.REGISTRY_URL_ENV, None)
    else:
        os.environ[settings.REGISTRY_URL_ENV] = before


def _own_folder(variable: str, folder) -> Iterator[None]:
    """Point the environment ``variable`` at ``folder`` while the tests run; put it back afterwards."""
    import os

    before = os.environ.get(variable)
    os.environ[variable] = str(folder)
    yield
    if before is None:
        os.environ.pop(variable, None)
    else:
        os.environ[variable] = before


@pytest.fixture(scope="session", autouse=True)
def _kept_between_commands_in_a_temporary_folder(tmp_path_factory):
    """Commands keep demand grids and PROJ's transformations on disk (data/build/cache): in the tests, a
    folder of their own."""
    from coverage.data.io import CACHE_DIR_ENV

    yield from _own_folder(CACHE_DIR_ENV, tmp_path_factory.mktemp("kept"))


@pytest.fixture(scope="session", autouse=True)
def _no_road_network_built(tmp_path_factory):
    """Travel defaults to roads when a network is built (data/build/roads): in the tests, an empty folder
    of their own, so a network built on this machine never changes what the other tests measure."""
    from coverage.analysis.roads import ROADS_DIR_ENV

    yield from _own_folder(ROADS_DIR_ENV, tmp_path_factory.mktemp("roads"))
