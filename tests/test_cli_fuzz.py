"""Seeded fuzz of the command line's arguments: every argument list ends in exit 0 or 2, never a traceback.

Each case starts from a cheap valid command (a county's stations, a 5-km grid, a 3 x 2 cost
matrix, one-second time limits) and replaces one to three of its arguments by values drawn
from pools of good and bad ones: negative, zero, nan, inf, huge and non-numbers; impossible
dates, months and clock times; unknown choices; missing, empty and folder files; missing
values and unknown options.  ``coverage.cli.main`` runs in-process; exit 2 must come with a
message on standard error.  Commands that write the embedded data (``data build``,
``data register``, ``data stations``, ``data replace-townships``) always carry an argument
that is refused, so they never run.
"""

from __future__ import annotations

import random

import pytest

from coverage.cli import main
from tests.conftest import csv_bytes

SEED = 11
CASES = 240

NUMBER = ["-5", "0", "-0", "nan", "inf", "-inf", "1e308", "abc", "", "3.5", "1,5", "0x10", "1e-9"]
WHOLE = ["-1", "0", "2.5", "nan", "1e9", "many", ""]
DATE = ["2021-13-45", "2021-02-30", "yesterday", "1999-12-31", "2101-01-01", "20241104", "", "2024-11-31"]
CLOCK = ["25:00", "24:01", "8点半", "-1:00", "08:60", "", "noon"]
FILES = ["{missing}", "{folder}", "{empty}", "{binary}", "{long}"]

# placeholders -> files made once per session
STATIONS_44 = "德庆县九市镇,德庆县德城街道,德庆县悦城镇,德庆县新圩镇,德庆县回龙镇"

# command: (base argv, {option: pool of values}); the base runs in about a second or less
COMMANDS: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "status": (
        ["status", "--as-of", "2021-12-31"],
        {
            "--province": ["45", "44", "99", "火星", "../../etc/passwd", ""],
            "--stations": [*FILES, "{stations}"],
            "--crs": ["wgs84", "gcj02", "mars", ""],
            "--as-of": [*DATE, "2021", "2022-06-30"],
            "--top": [*WHOLE, "3"],
            "--targets": ["2021-12-31:30", "2021-12-31", "2021-12-31:130", "2021-12-31:60,2022-12-31:30", "x:y", ""],
            "--override": ["4501=2021-12-31:40", "45=2021:30", "4599=2021:30", "4501=2021:300", "4501", "=:"],
            "--kinds": ["street,town", "street,town,township,other", "foo", ",", "other"],
            "--out": ["{tmp}/s.csv", "{tmp}/s.txt", "{folder}", "{binary}/x.csv"],
        },
    ),
    "gaps": (
        ["gaps", "--radius-km", "10", "--grid-km", "5"],
        {
            "--radius-km": [*NUMBER, "15", "101"],
            "--radius-min": [*NUMBER, "30"],
            "--grid-km": [*NUMBER, "0.001", "0.1", "20", "21"],
            "--township-weights": [*FILES, "{weights}", "{onecol}"],
            "--demand-points": [*FILES, "{stations}"],
            "--demand-raster": [*FILES, "{stations}"],
            "--weight-col": ["人口", "nope"],
            "--out": ["{tmp}/g.xlsx", "{tmp}/g.csv", "{folder}"],
            "--as-of": DATE,
        },
    ),
    "site": (
        ["site", "--model", "mclp", "--cost-matrix", "{cost}", "--radius", "2", "--p", "1", "--time-limit", "1"],
        {
            "--model": ["mclp", "lscp", "pmedian", "pcenter", "MCLP", "foo"],
            "--p": [*WHOLE, "2", "3"],
            "--radius": [*NUMBER, "5"],
            "--share": [*NUMBER, "0.5", "1", "1.5"],
            "--time-limit": [*NUMBER, "0.5", "86401"],
            "--county-min": [*WHOLE, "1"],
            "--county-max": [*WHOLE, "1"],
            "--radius-km": ["10", "-1"],
            "--weights": [*FILES, "{cost_weights}", "{onecol}"],
            "--cost-matrix": [*FILES, "{cost}", "{onecol}"],
            "--method": ["exact", "heuristic", "magic"],
            "--capacity": [*FILES, "{cost_weights}", "{onecol}"],
            "--menu": ["1:1万,2:2万", "0:1", ""],
            "--workers": [*WHOLE, "4"],
            "--budget": [*NUMBER, "3万", "1e11"],
            "--caseload": [*NUMBER, "2"],
        },
    ),
    "need": (
        ["need", "--as-of", "2021-12-31", "--top", "2"],
        {
            "--radius-km": [*NUMBER, "20"],
            "--weights": ["villages=1,distance=2", "villages", "foo=1", "area=-1", "area=nan", "=", ","],
            "--extra": [*FILES, "{weights}", "{onecol}"],
            "--out": ["{tmp}/n.json", "{tmp}/n.gpkg"],
        },
    ),
    "plan": (
        ["plan", "--grid-km", "5", "--time-limit", "1", "--as-of", "2021-12-31"],
        {
            "--targets": ["2022-12-31:40,2023-12-31:60", "2020-12-31:100", "2022-12-31:-5", "2022-12-31:nan"],
            "--override": ["4501=2022-12-31:50", "4401=2022:50", "450=2022:50"],
            "--radius-km": [*NUMBER, "30"],
            "--grid-km": [*NUMBER, "20"],
            "--county-min": [*WHOLE, "1"],
            "--time-limit": [*NUMBER, "0.5"],
            "--demand": ["area", "people"],
            "--out": ["{tmp}/p.xlsx", "{tmp}/p.csv"],
            "--budget": ["2022:1亿,2023:2亿", "2022:abc", "2022", "2022:-1", "", "1999:5", "2022:1e309"],
            "--workers": ["2022:100,2023:200", "2022:-1", "x", "2022:2.5", "2022:1,2022:2"],
            "--menu": ["2:10万,4:15万", "0:1", "2:1,2:1", "", "51:1", "2:x"],
            "--caseload": [*NUMBER, "4"],
            "--need": [*FILES, "{weights}", "{stations}"],
            "--points": ["villages", "lakes"],
        },
    ),
    "trip": (
        [
            "trip",
            "--province",
            "44",
            "--stations",
            "德庆县九市镇,德庆县德城街道",
            "--days",
            "1",
            "--from-date",
            "2024-11-04",
            "--time-limit",
            "1",
        ],
        {
            "--stations": ["德庆县九市镇", ",,,", "", "火星镇", "{folder}", "{empty}", "{binary}"],
            "--sample": ["1-per-city", "2-per-county", "0-per-city", "2-per-town", "many", ""],
            "--seed": [*WHOLE, "7"],
            "--strata": ["kind", "nope"],
            "--start": ["广州市", "0,0", "113.3,23.1", "火星", ""],
            "--end": ["德庆县", "999,999"],
            "--days": [*WHOLE, "2", "61"],
            "--from-date": [*DATE, "2024-11-08"],
            "--to-date": [*DATE, "2024-11-05", "2024-11-01"],
            "--per-day": [*WHOLE, "3", "7"],
            "--visit-hours": [*NUMBER, "2", "9", "25"],
            "--day-start": [*CLOCK, "07:00", "18:00"],
            "--day-end": [*CLOCK, "17:00", "08:00", "24:00"],
            "--lunch-min": [*NUMBER, "30", "600"],
            "--evening-min": [*NUMBER, "90", "241"],
            "--overnight": ["towns", "base", "province", "hotel"],
            "--speed-kmh": [*NUMBER, "60", "4", "121"],
            "--long-kmh": [*NUMBER, "100"],
            "--local-km": [*NUMBER, "10"],
            "--circuity": [*NUMBER, "0.9", "1.5", "3.1"],
            "--matrix": [*FILES, "{weights}"],
            "--matrix-km": [*FILES, "{weights}"],
            "--osrm": ["ftp://x", "localhost:5000", "http://127.0.0.1:9", ""],
            "--evaluate": [*FILES, "{itinerary}", "{blank}"],
            "--time-limit": [*NUMBER, "0.5"],
            "--method": ["exact", "heuristic", "fast"],
            "--out": ["{tmp}/t.ics", "{tmp}/t.pdf", "{folder}"],
        },
    ),
    "supervise": (
        ["supervise", "--province", "44", "--stations", STATIONS_44, "--month", "2024-11", "--time-limit", "1"],
        {
            "--supervisors": [*WHOLE, "1", "2"],
            "--bases": [*FILES, "{bases}", "{weights}"],
            "--min": [*WHOLE, "1", "5", "9"],
            "--max": [*WHOLE, "3", "8"],
            "--month": ["2024-13", "2024-00", "24-11", "2024", "1999-01", "", "2024-11-31", "2024-12"],
            "--hours": [*NUMBER, "8", "185"],
            "--speed-kmh": [*NUMBER, "60"],
            "--time-limit": [*NUMBER, "0.5"],
            "--out": ["{tmp}/v.xlsx", "{tmp}/v.csv"],
        },
    ),
    "stations check": (
        ["stations", "check", "{stations}", "--province", "44"],
        {
            "--province": ["45", "99", ""],
            "--crs": ["gcj02", "bd09", "mars", ""],
            "--sheet": ["Sheet1", ""],
            "--name-col": ["站点名称", "nope"],
            "--out": ["{tmp}/r.csv", "{tmp}/r.docx", "{folder}"],
        },
    ),
    "data info": (
        ["data", "info", "--province", "45"],
        {"--province": ["44", "99", "11", "火星", "", "../../etc/passwd"]},
    ),
}
# commands that write the embedded data: arguments tried, always with a refused one at the end
REFUSED_TAIL = {
    "data build": (["data", "build"], ["--all", "--province", "45"]),
    "data register": (["data", "register"], ["--out", "{binary}"]),
    "data replace-townships": (["data", "replace-townships"], ["--file", "{stations}", "--out", "{tmp}/x.gpkg"]),
}
REFUSED_POOLS = {
    "data build": {"--jobs": [*WHOLE, "1", "999"], "--province": ["99", "44"], "--out": ["{binary}", "{tmp}/b"]},
    "data register": {"--cache": ["{binary}", "{tmp}/c"]},
    "data replace-townships": {
        "--province": ["99", "44"],
        "--crs": ["mars", "EPSG:4326"],
        "--out": ["{tmp}/x.shp", "{folder}"],
    },
}


def _mutate(rng: random.Random, base: list[str], pools: dict[str, list[str]]) -> list[str]:
    """``base`` with one to three options set to values drawn from their pools."""
    argv = list(base)
    for option in rng.sample(sorted(pools), k=min(len(pools), rng.randint(1, 3))):
        value = rng.choice(pools[option])
        if option in argv:  # replace the base's value (an option's value follows it)
            argv[argv.index(option) + 1] = value
        else:
            argv += [option, value]
    twist = rng.random()
    if twist < 0.04:
        argv.append("--bogus")
    elif twist < 0.08:
        argv.append(rng.choice(sorted(pools)))  # an option without its value
    elif twist < 0.10:
        argv.append("--json")
    return argv


def _cases() -> list[tuple[str, list[str]]]:
    rng = random.Random(SEED)
    names = sorted(COMMANDS) + sorted(REFUSED_TAIL)
    cases = []
    for i in range(CASES):
        name = names[i % len(names)]
        if name in COMMANDS:
            base, pools = COMMANDS[name]
            cases.append((name, _mutate(rng, base, pools)))
        else:
            head, tail = REFUSED_TAIL[name]
            cases.append((name, _mutate(rng, head, REFUSED_POOLS[name]) + tail))
    return cases


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """The files the placeholders stand for."""
    tmp = tmp_path_factory.mktemp("fuzz")
    made = {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "stations": csv_bytes([("站点名称",), ("德庆县九市镇",), ("德庆县德城街道",)]),
        "weights": csv_bytes([("乡镇代码", "人口"), ("441226114", "3000"), ("441226001", "x")]),
        "onecol": csv_bytes([("code",), ("441226114",)]),
        "cost": csv_bytes([("demand", "A", "B"), ("d1", "1", "3"), ("d2", "3", "1"), ("d3", "2", "2")]),
        "cost_weights": csv_bytes([("id", "weight"), ("d1", "5"), ("d2", "3"), ("d3", "1")]),
        "bases": csv_bytes([("name", "base"), ("甲", "德庆县")]),
        "itinerary": "德庆县九市镇\n德庆县德城街道\n".encode(),
        "blank": b"  \n\n",
    }
    out = {"tmp": str(tmp), "missing": str(tmp / "missing.csv"), "folder": str(tmp), "long": "x" * 300 + ".csv"}
    for name, data in made.items():
        path = tmp / f"{name}.csv"
        path.write_bytes(data)
        out[name] = str(path)
    return out


@pytest.mark.parametrize(("name", "argv"), _cases(), ids=lambda v: v if isinstance(v, str) else None)
def test_arguments_end_in_0_or_2_with_a_message(name, argv, files, capsys):
    argv = [a.format(**files) for a in argv]
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert "error: " in err, (argv, err)
        reason = err.strip().splitlines()[-1]
        assert len(reason.split("error: ", 1)[-1]) > 10, (argv, err)  # a reason, not a bare "error:"
