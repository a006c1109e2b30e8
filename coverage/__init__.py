"""Coverage planning for township social-work stations (乡镇社工站) in China.

The package holds all logic; ``app.py`` is a thin Streamlit layer over it and
``python -m coverage`` its command line.  This module only re-exports, lazily: importing
``coverage`` (as every command does first) loads nothing heavy; a name is imported from its
module when it is first used (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from coverage._errors import CoverageError, CRSError, DataError, InputError

#: Re-exported name -> the module that defines it.
_LAZY = {
    "covered_codes": "coverage.analysis.admin",
    "township_counts": "coverage.analysis.admin",
    "TownshipMatcher": "coverage.data.names",
    "Province": "coverage.data.provinces",
    "load_province": "coverage.data.provinces",
    "province_files": "coverage.data.provinces",
    "Register": "coverage.data.register",
    "kind_of": "coverage.data.register",
    "load_register": "coverage.data.register",
    "open_on": "coverage.data.schema",
    "StationImport": "coverage.data.stations",
    "read_stations": "coverage.data.stations",
}

if TYPE_CHECKING:
    from coverage.analysis.admin import covered_codes, township_counts
    from coverage.data.names import TownshipMatcher
    from coverage.data.provinces import Province, load_province, province_files
    from coverage.data.register import Register, kind_of, load_register
    from coverage.data.schema import open_on
    from coverage.data.stations import StationImport, read_stations

__all__ = [
    "CRSError",
    "CoverageError",
    "DataError",
    "InputError",
    "Province",
    "Register",
    "StationImport",
    "TownshipMatcher",
    "covered_codes",
    "kind_of",
    "load_province",
    "load_register",
    "open_on",
    "province_files",
    "read_stations",
    "township_counts",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'coverage' has no attribute {name!r}"
    raise AttributeError(msg)
