"""Every default of the tool, in one documented place.

Nothing else in the package hard-codes these values: functions take them as
keyword arguments whose defaults point here, and the command line and the app
read them from here too.  Units are in the names (``_km``, ``_m``, ``_min``).
"""

from __future__ import annotations

from pathlib import Path

#: Repository root (the folder holding ``app.py``).
ROOT = Path(__file__).resolve().parent.parent
#: Embedded data folders.
BOUNDARIES_DIR = ROOT / "data" / "boundaries"
STATIONS_DIR = ROOT / "data" / "stations"
REGISTER_DIR = ROOT / "data" / "register"
#: Where ``python -m coverage data build --all`` writes provinces that are not embedded.
BUILD_DIR = ROOT / "data" / "build"
#: What commands keep between runs to start sooner (coverage/data/io.py ``cache_dir``): each province's
#: default demand grid, keyed by its GeoPackage's SHA-256, and the transformations PROJ chose; rebuilt
#: when missing, never committed.
CACHE_DIR = BUILD_DIR / "cache"

#: Seconds ``python -m coverage`` runs before Python's cyclic garbage collector is turned on (coverage/__main__.py):
#: starting a command allocates a few hundred thousand objects that live as long as it (pandas, geopandas,
#: the province) and the collector would walk them again and again (~8 % of ``gaps``'s CPU time); a long
#: command (site, trip) then collects as always.
CLI_GC_PAUSE_S = 1.0

#: The province the app and the command line open on (Guangxi).
DEFAULT_PROVINCE = "45"
#: Provinces whose GeoPackage is committed to the repository.
EMBEDDED_PROVINCES = ("45", "44")

#: Register edition the embedded data is built from (NBS statistical division codes).
REGISTER_YEAR = 2023

# --- Reading users' files --------------------------------------------------------
#: Rows a station file may have.  A province has at most a few thousand townships
#: (Guangdong ~1,600, Guangxi ~1,250), so a station list rarely exceeds a few
#: thousand rows; a larger file is refused with a message (split it by city).
MAX_STATION_ROWS = 50_000
#: Megabytes a station file may have (50,000 rows of ~80 bytes are 4 MB; room for many columns).
MAX_STATION_FILE_MB = 20
#: Megabytes any upload to the app may have (``server.maxUploadSize`` in .streamlit/config.toml
#: says the same; tests/test_limits.py checks it): a province's township boundaries, zipped.
MAX_UPLOAD_MB = 50
#: Megabytes the XML of an .xlsx may expand to (a zip bomb is refused before parsing).
MAX_XLSX_EXPANDED_MB = 300
#: Columns read from a table; cells further right are ignored (and the rows counted in a note).
MAX_TABLE_COLUMNS = 200
#: Lines one CSV record may span (a quoted cell with line breaks, as Excel writes Alt+Enter).
CSV_MAX_LINES_PER_RECORD = 10

# --- Township kinds ---------------------------------------------------------
#: Kinds of township-level unit, decided by the 3-digit township part of the
#: 9-digit code, as the NBS coding rules assign them: 001-099 street (街道),
#: 100-199 town (镇), 200-399 township (乡, including 民族乡 and 苏木),
#: 400-599 "similar to township" units (state farms, forest farms,
#: development zones, industrial parks, prisons, reservoirs ...).
KINDS = ("street", "town", "township", "other")
KIND_LABELS_ZH = {"street": "街道", "town": "镇", "township": "乡", "other": "其他"}
#: Kinds counted in the denominator of coverage targets.  "other" units are
#: kept and shown but not counted (see docs/decisions.md).
COUNTED_KINDS = ("street", "town", "township")

# --- Coordinates ------------------------------------------------------------
#: Geographic CRS every layer is handled in inside the package.  CGCS2000
#: (EPSG:4490) and WGS 84 (EPSG:4326) agree to a few centimetres, far below the
#: accuracy of any input here, so layers stored in EPSG:4490 are read as 4326.
WORK_CRS = "EPSG:4326"
#: Equal-area CRS for township areas (km²) across China: Albers conic, standard
#: parallels 25°N and 47°N, central meridian 105°E, on the CGCS2000/GRS80 ellipsoid.
EQUAL_AREA_CRS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
#: CRS the embedded GeoPackages are stored in (the datum of the source polygons).
STORAGE_CRS = "EPSG:4490"
#: Coordinate systems a station file may be declared in.
STATION_CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02", "bd09")
#: Bounding box of China, degrees (lon_min, lat_min, lon_max, lat_max); a point
#: outside it is certainly outside China.  Inside it, the province polygons decide.
CHINA_BBOX = (73.4, 3.3, 135.1, 53.6)
#: A point farther than this from every township of the province is rejected;
#: a point outside every township but closer than this is assigned to the
#: nearest one (coastlines and borders of the polygons are generalised).
SNAP_TOLERANCE_M = 2_000.0
#: A station closer than this to an earlier row of the same file is reported as a repeated location, metres.
DUPLICATE_DISTANCE_M = 1.0

# --- Approximate township cells ----------------------------------------------
#: Grid sample points per expected township cell when tessellating a county.
CELL_SAMPLES_PER_UNIT = 40
#: An urban unit (a street, or a town whose communities outnumber its
#: villages) is given this fraction of the area of a rural unit.
URBAN_AREA_RATIO = 1 / 8
#: Where a township's representative point (``lon``, ``lat``) comes from: a
#: published position of the town (GeoNames), the county seat (for the
#: county's seat town), or the generator of its approximate cell.
POINT_SOURCES = ("published", "county_seat", "estimated")
#: Two towns of one county whose published positions are closer than this
#: share one place (a duplicate in the source): neither position is used.
SHARED_POINT_M = 100.0
#: The county seat is not given to the seat town when another town's published
#: position lies this close to it (that town is then most likely the seat town).
SEAT_CLEARANCE_M = 1_000.0
#: A county whose seat no source has under its current code takes the seat of a
#: former code when at least this share of the former county's townships came
#: to it (a rename or recode: 横县 450127 -> 横州市 450181).
SEAT_FORMER_SHARE = 0.9
#: A published township position (GeoNames) is used only inside its county's
#: polygon or at most this far outside it (the polygons' coastlines and
#: borders are generalised, about one vertex every 2 km).
PUBLISHED_POINT_TOLERANCE_M = 2_000.0
#: Two published positions of one township (two sources) farther apart than this
#: are reported as a disagreement (the preferred source is kept).
PUBLISHED_AGREEMENT_KM = 5.0
#: Simplification tolerance for map display of township cells, metres.
MAP_SIMPLIFY_M = 150.0
#: The app's map: a layer whose GeoJSON is larger than this (kB) is served as a file the map's frame
#: loads once and the browser keeps (``app_pages/maps.py``), instead of travelling inside the map's
#: script on every page show (the townships of a province: ~0.9 MB).
MAP_LAYER_FILE_MIN_KB = 32.0
#: Layer files kept by the app (``static/layers``); the oldest written go beyond this number.
MAP_LAYER_FILES_KEPT = 64

# --- Targets -------------------------------------------------------------------
#: The three-year plan: (date, share of counted townships with a station).
#: Guangxi's plan: 30 % by the end of 2021, 60 % by 2022, "basically full" (100 %) by 2023.
DEFAULT_TARGETS = (("2021-12-31", 0.30), ("2022-12-31", 0.60), ("2023-12-31", 1.00))

#: Workforce (Guangxi's plan): the share of counted townships with at least one certified social
#: worker (持证社工) at an open station, by date - every township by the end of 2023.
WORKFORCE_TARGETS = (("2023-12-31", 1.00),)
#: Certified social workers double from the end of 2020 (the baseline date) to the end of 2023
#: (×2 in three years: ×2^(1/3) ≈ 1.26, "about 25 % a year", at each year end in between).
WORKFORCE_BASELINE_DATE = "2020-12-31"
WORKFORCE_GROWTH_FACTOR = 2.0
WORKFORCE_GROWTH_BY = "2023-12-31"

# --- Service radius and travel -------------------------------------------------
#: Default service radius, kilometres.
DEFAULT_RADIUS_KM = 10.0
#: Default service radius when it is given in minutes of travel (the app's minutes slider).
DEFAULT_RADIUS_MIN = 30.0
#: Default cell size of the demand grid, kilometres.
DEFAULT_GRID_KM = 1.0
#: Road distance / straight-line distance.  1.3 is typical of rural road networks
#: (published detour indices are mostly 1.2-1.4); used to turn straight lines into travel.
CIRCUITY_FACTOR = 1.3
#: Average travel speed on county and township roads, km/h.
AVERAGE_SPEED_KMH = 40.0
#: Trips and supervision: road km beyond the first ``LOCAL_ROAD_KM`` of a leg are driven at
#: ``LONG_SPEED_KMH`` (expressways and national roads between cities).  Straight line 350 km
#: (南宁 -> 桂林, about 430 km and 5 h by expressway) gives 455 road km and 6.1 h.  ``None``
#: turns the long-distance speed off (one average speed, the service-radius model).
LONG_SPEED_KMH = 80.0
LOCAL_ROAD_KM = 30.0
#: Segments per quarter circle of a service-radius disc (256 vertices per disc:
#: its area falls short of the true circle's by 0.01 %).
DISC_QUAD_SEGS = 64

# --- Road travel (python -m coverage roads build; coverage/analysis/roads.py) ---------
#: Where built road networks go: one folder per province (network.npz + provenance.json).
ROADS_DIR = BUILD_DIR / "roads"
#: Driving speed by OSM ``highway`` class, km/h: ways of any other class are not driven
#: (footways, paths, steps, cycleways, construction ...).  A way's ``maxspeed`` is not read.
ROAD_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 15.0,
    "track": 15.0,
}
#: Walking from a place to the nearest road node (and from the last node to the place), km/h.
ROAD_WALK_SPEED_KMH = 5.0
#: A place farther than this from every road node is reported as off the network (it still
#: gets its walking time to the nearest node; it is never dropped), metres.
ROAD_MAX_SNAP_M = 2000.0
#: Two points closer than this are the same place: 0 road minutes between them, no walk to the
#: road and back (a township point and its own candidate site, p-median/p-center by road), metres.
ROAD_SAME_PLACE_M = 1.0
#: Road minutes to the nearest station: the nearest this many stations by road are asked and
#: the station's own walk to its node is added before taking the least.
ROAD_NEAREST_STATIONS = 4
#: Road minutes searched for the nearest station when no service radius bounds the search.
ROAD_MAX_SEARCH_MIN = 600.0
#: Road matrices (trips, supervision): the searches from the places are run in batches holding
#: at most this many distances at once (8 bytes each: 20 million is 160 MB).
ROAD_MATRIX_BATCH_CELLS = 20_000_000

# --- Optimisation (HiGHS) ------------------------------------------------------
#: The siting models, by the names the command line and the app use.
SITING_MODELS = ("mclp", "lscp", "pmedian", "pcenter")
#: The siting models that weigh a cost (metres, or road minutes) rather than a service radius.
SITING_COST_MODELS = ("pmedian", "pcenter")
#: Relative MIP gap at which HiGHS stops (siting, rollout, supervision).
MIP_GAP = 1e-4
#: Seconds a siting model (MCLP, LSCP, p-median, p-center) may run.
SITING_TIME_LIMIT_S = 60.0
#: Seconds the yearly rollout plan may run (the app's and the CLI's default).
ROLLOUT_TIME_LIMIT_S = 60.0
#: Above this many merged demand rows MCLP is solved by the heuristic (``method="auto"``).
MCLP_EXACT_MAX_ROWS = 200_000
#: Above this many (demand x candidate) pairs p-median is not built as a MIP (``method="auto"``).
PMEDIAN_EXACT_MAX_PAIRS = 400_000
#: Budgets of an exact siting model (MCLP, LSCP, p-median, p-center's covering steps), checked on
#: the model's size *before* it is built: ``--method exact`` refuses a larger model with the estimate,
#: ``method="auto"`` solves it by the heuristic.  Memory is estimated as
#: ``EXACT_BYTES_PER_NONZERO`` per non-zero + ``EXACT_BYTES_PER_LINE`` per row or column, measured
#: on p-median MIPs of HiGHS 1.16 (2 threads): 200 x 200 random points 170 MB, 400 x 400 690 MB,
#: 600 x 600 1.85 GB, Guangxi's 1,284 x 1,284 (1.65 M assignment variables, 4.9 M non-zeros) 8.2 GB.
EXACT_MAX_VARIABLES = 500_000
EXACT_MAX_NONZEROS = 2_000_000
EXACT_MAX_MEMORY_MB = 2_000.0
EXACT_BYTES_PER_NONZERO = 1_500.0
EXACT_BYTES_PER_LINE = 200.0
#: Above this many (merged demand rows x target years) the rollout is planned greedily (``method="auto"``).
ROLLOUT_EXACT_MAX_CELLS = 400_000

# --- Need score ------------------------------------------------------------------
#: Weights of the need-score components (each component is first scaled to 0-1 by
#: its largest value among the candidate townships).  User columns get weight 1
#: unless given.  See coverage/need.py.
NEED_WEIGHTS = {"villages": 1.0, "demand_beyond": 1.0, "distance": 1.0, "area": 0.5}

# --- Need (issue 15) ---------------------------------------------------------------
# A township's *need* is a weighted sum of the people of a need table (coverage/data/need_table.py):
#     need = sum over columns of weight x number of people in that column,
# in **need units** (one unit = one person of ordinary caseload, e.g. one person on 低保).
#: Default weight per recognised column (need units per person).  A person on minimum-income
#: support (低保) is the unit; extremely poor people (特困) and children without de-facto carers
#: need about twice the casework; most elderly people need little (one in ten); people left
#: behind and people with disabilities one each.  Columns the tool does not recognise weigh
#: :data:`NEED_OTHER_WEIGHT`.  The user sets every weight (``--weights``, the app's table).
NEED_TABLE_WEIGHTS = {
    "elderly": 0.1,
    "dibao": 1.0,
    "tekun": 2.0,
    "children": 2.0,
    "left_behind": 1.0,
    "disabled": 1.0,
}
#: Weight of a need-table column that is none of the recognised ones (need units per person).
NEED_OTHER_WEIGHT = 1.0
#: Without a need table, need is a *proxy*, always labelled as one: ``villages`` (villages and
#: communities, 村/居委会, from the register) or ``area`` (km² of the township's grid cells).
NEED_PROXIES = ("villages", "area")
#: Where demand sits in the siting models: ``grid`` (each township's need spread evenly over its
#: 1-km cells) or ``villages`` (split over its villages and communities, placed at approximate
#: positions: the register has their counts, not their locations).
DEMAND_POINTS = ("grid", "villages")

# --- Capacity, costs and staff (issue 15) -------------------------------------------
#: Demand one certified social worker serves in a year, per unit of need:
#: ``need`` - need units (people): Shanwei's 73 workers served about 10,400 households, ~140 each;
#: ``villages`` - villages and communities: a station of 3 workers covers a typical Guangxi
#: township of 12-13 villages and communities (16,681 in 1,253 townships), i.e. 4 per worker;
#: ``area`` - km² of the grid: a Guangxi township is ~190 km², i.e. ~60 km² per worker of three.
CASELOAD_PER_WORKER = {"need": 140.0, "villages": 4.0, "area": 60.0}
#: Certified workers of an existing station when its record does not say (Shanwei: 73 workers in
#: 21 stations, ~3.5 per station).  Override per station with a ``workers`` or ``capacity`` column
#: of the station list or registry, or a capacity file.
STATION_WORKERS = 3
#: The menu a new station's size is chosen from: (certified workers, one-off build cost in yuan -
#: premises fitted out, equipment, first training).
CAPACITY_MENU = ((2, 100_000.0), (4, 150_000.0), (6, 200_000.0))
#: Yearly running cost per certified worker, yuan (salary, insurance, training; Guangxi paid about
#: 1.1 亿元 a year for 375 stations, ~290,000 yuan each: four workers at 60,000 plus 50,000 running).
RUNNING_COST_PER_WORKER_YUAN = 60_000.0
#: Yearly running cost of a station besides its workers (rent, activities, travel), yuan.
STATION_RUNNING_COST_YUAN = 50_000.0
#: Relative MIP gap at which capacitated models stop (siting with capacity, budgeted rollouts):
#: their LP relaxations are weak (capacity can be spread fractionally), so proving the last 1 %
#: costs far more than it is worth to a plan.
CAPACITY_MIP_GAP = 0.01
#: Above this many (merged demand row x site) pairs, a capacitated siting model is solved by the
#: heuristic (``method="auto"``): LP rounding, then swaps, with the LP bound.
CAPACITY_EXACT_MAX_PAIRS = 400_000
#: Above this many (pairs x target years) a budgeted rollout is planned year by year backwards
#: (``method="auto"``); the bound is the sum of the years' own bounds.
BUDGET_EXACT_MAX_CELLS = 300_000
#: A station is over-loaded when the need looking to it (the demand within the radius for which
#: it is the nearest station) is above this multiple of its capacity.
OVERLOAD_RATIO = 1.0
#: When the targets cannot be met within the budget and staff, later dates are looked for this
#: many years past the last target, each year with the last year's budget and workers.
LATER_DATE_MAX_YEARS = 10

# --- Field trips and supervision --------------------------------------------------
#: Provincial capitals, the default start and end of an evaluation trip.
PROVINCIAL_CAPITALS = {"45": "南宁市", "44": "广州市"}
#: Hours on site per station visit of an evaluation team.
TRIP_VISIT_HOURS = 3.0
#: Visits per day at most.
TRIP_PER_DAY = 2
#: Working window (local time) and the lunch break taken in it.
TRIP_DAY_START = "08:30"
TRIP_DAY_END = "18:00"
TRIP_LUNCH_START = "12:00"
TRIP_LUNCH_MIN = 60
#: Evening transfer offered when not every station fits, minutes.
TRIP_EVENING_OPTION_MIN = 90
#: Longer days offered when not every station fits: in steps of this many minutes, up to the most.
TRIP_LONGER_STEP_MIN = 15
TRIP_LONGER_MAX_MIN = 240
#: Seconds the trip solver may run (the exact model stops there with its bound).
TRIP_TIME_LIMIT_S = 60.0
#: Seconds the routing heuristic of a trip may run when called on its own.
TRIP_HEURISTIC_TIME_LIMIT_S = 20.0
#: Limits of *work* of the trip solvers, so that the same request gives the same plan on any
#: machine (the time limits above are only safety nets, and a plan they cut says so):
#: branch-and-bound nodes of the day-block MIP, rounds of cutting planes on its LP relaxation,
#: OR-Tools routing solutions per place in the heuristic, and the most day blocks (columns) the
#: exact model is built with by ``method="auto"`` (beyond: the heuristic).
TRIP_MAX_NODES = 20_000
TRIP_CUT_ROUNDS = 40
TRIP_ROUTING_SOLUTIONS = 10
TRIP_BLOCKS_MAX_COLUMNS = 400_000
#: Partial tours (labels) kept a day when the tours are enumerated (beyond: the best of each
#: overnight place, and the plan is no longer proven optimal).
TRIP_MAX_LABELS = 100_000
#: The last day the partial tours are grown (they are then only closed into tours, never grown
#: again) keeps this many times more: with every tour there, the LP over them is a true bound.
TRIP_LAST_DAY_LABELS_FACTOR = 10
#: The most tours the choice of tours is made among in one MIP (beyond: among the
#: ``TRIP_PARTIAL_COLUMNS`` of least LP reduced cost, and optimal only when the reduced costs prove it).
TRIP_FULL_MASTER_COLUMNS = 100_000
#: Extensions of the partial tours merged at a time when enumerating (memory, not the answer).
TRIP_GROW_CHUNK = 2_000_000
#: Tours are enumerated up to this many days at least (a working week), so that one enumeration
#: serves every calendar of weeks at home at the weekend; enumerations kept for the next question.
TRIP_TOUR_DAYS = 5
TRIP_ENUMERATIONS_KEPT = 8
#: The most stations whose working days are worked out when the days follow the stations (the app's
#: default): the fewest that fit them all (the exact tour model's size; beyond it, the days given).
TRIP_AUTO_DAYS_MAX_STATIONS = 62
#: Tours (least LP reduced cost first) the choice of tours is made among when the tours were not
#: all enumerated.
TRIP_PARTIAL_COLUMNS = 3_000
#: Stations per supervisor, at least and at most (Guangxi: one supervisor looks after 5-8).
SUPERVISOR_MIN_STATIONS = 5
SUPERVISOR_MAX_STATIONS = 8
#: Hours of supervision per station per month (reported norm: 16 h, i.e. two days).
SUPERVISION_HOURS = 16.0
#: Hours on site in one supervision day.
SUPERVISION_DAY_HOURS = 8.0
#: Seconds the supervisor assignment may run (bases chosen and stations assigned).
SUPERVISION_TIME_LIMIT_S = 8.0

# --- The station registry ----------------------------------------------------------
#: Environment variable holding the registry's database URL (e.g. a bureau's PostgreSQL:
#: ``postgresql+psycopg://user@host/db``; the password from ``PGPASSWORD`` or ~/.pgpass, never the repository).
REGISTRY_URL_ENV = "COVERAGE_DB"
#: The embedded registry: an SQLite file created on first use from data/stations (not committed).
REGISTRY_SQLITE = ROOT / "var" / "registry.sqlite"
#: Time zone of valid dates and of "known on" days.
LOCAL_TZ = "Asia/Shanghai"
#: A station moved farther than this between two ledgers is reported as moved, metres.
MOVE_THRESHOLD_M = 200.0
#: A month's ledger is due by this day of the following month; later ones are "late".
LEDGER_DUE_DAY = 5
#: Valid date standing for "opened at an unknown date" (open at every date).
UNKNOWN_OPENING = "1900-01-01"

# --- Accounts (a registry with accounts: coverage/registry/accounts.py) ---------------
#: Wrong passwords in a row that lock an account, and for how long, minutes.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCK_MIN = 15
#: Shortest password accepted.
PASSWORD_MIN_CHARS = 10
#: The app logs a user out after this many minutes without a click.
SESSION_IDLE_MIN = 30
#: Rows of the audit trail ``python -m coverage audit`` prints (the newest; ``--all``, ``--out`` and ``--json`` give every row).
AUDIT_PRINTED_ROWS = 50
#: Environment variables the command line reads a password from (else it asks on a terminal): the
#: password of ``--user``, and the new one of ``users add`` / ``users passwd``.  Never printed or logged.
PASSWORD_ENV = "COVERAGE_PASSWORD"
NEW_PASSWORD_ENV = "COVERAGE_NEW_PASSWORD"

# --- What a user may ask for ------------------------------------------------------
# Bounds of the values the command line and the app accept (coverage/checks.py holds the rules
# that read them).  A value outside is refused with a message naming the accepted range.
#: Dates typed by a user (as-of dates, targets, trip days, months).
EARLIEST_DATE = "2000-01-01"
LATEST_DATE = "2100-12-31"
#: Demand grid cell size, km: 0.1 km is the finest useful grid (a county at 0.1 km is some
#: 250,000 cells); above 20 km a cell is larger than most townships and the grid says nothing.
MIN_GRID_KM = 0.1
MAX_GRID_KM = 20.0
#: Most cells a demand grid may have: Guangxi (237,000 km²) has about 240,000 at 1 km and
#: 2.6 million at 0.3 km (2 s, 0.6 GB for a gap analysis); a finer grid over a province is refused.
MAX_GRID_CELLS = 3_000_000
#: Service radius, straight-line km and travel minutes, at most (100 km is 130 road km; 180 minutes
#: at the default speed and circuity reach 92 straight km, within MAX_RADIUS_KM).
MAX_RADIUS_KM = 100.0
MAX_RADIUS_MIN = 180.0
#: Seconds a solver may be given, at most (one day).
MAX_TIME_LIMIT_S = 86_400.0
#: Average speeds, km/h: slower than walking pace or faster than China's expressway limit is refused.
MIN_SPEED_KMH = 5.0
MAX_SPEED_KMH = 120.0
#: Road km per straight km, at most (1.0, the straight line itself, is the least).
MAX_CIRCUITY = 3.0
#: An evaluation trip: working days, visits a day and evening transfer minutes, at most.
TRIP_MAX_DAYS = 60
TRIP_MAX_PER_DAY = 6
TRIP_MAX_EVENING_MIN = 240.0
#: Hours of supervision per station per month, at most (a month of 23 working days of 8 hours).
SUPERVISION_MAX_HOURS = 184.0
#: Certified workers of one station, at most (a township station is a handful of workers).
MAX_STATION_WORKERS = 50
#: Sizes a capacity menu may offer, at most.
MAX_MENU_SIZES = 6
#: A yearly budget or a cost, yuan, at most (100 亿元: ten times a province's yearly welfare-lottery share).
MAX_BUDGET_YUAN = 1e10
#: New certified workers in one year, at most.
MAX_YEARLY_WORKERS = 100_000
