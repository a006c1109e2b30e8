"""Shared fixtures: the register, the embedded provinces, and small station files."""

from __future__ import annotations

import csv
import io

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
