"""Coverage planning for township social-work stations (乡镇社工站) in China.

The package holds all logic; ``app.py`` is a thin Streamlit layer over it and
``python -m coverage`` its command line.  This module only re-exports.
"""

from coverage._errors import CoverageError, CRSError, DataError, InputError
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
