"""Command line: trip and supervise (keys, exit codes, messages, the OSRM client against a fake server)."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from coverage.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    return subprocess.run([sys.executable, "-m", "coverage", *args], cwd=ROOT, capture_output=True, text=True)


STATIONS = "德庆县九市镇,德庆县德城街道,连州市大路边镇,连山县福堂镇"


def test_trip_json_keys():
    done = run(
        "trip",
        "--province",
        "44",
        "--stations",
        STATIONS,
        "--start",
        "广州市",
        "--days",
        "3",
        "--per-day",
        "2",
        "--from-date",
        "2024-11-04",
        "--speed-kmh",
        "80",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {"days", "total_travel_min", "bound_min", "gap", "unvisited"} <= set(doc)
    assert [d["date"] for d in doc["days"]] == ["2024-11-04", "2024-11-05", "2024-11-06"]
    assert {"date", "visits", "overnight", "travel_min", "travel_km"} <= set(doc["days"][0])
    visited = sorted(c for d in doc["days"] for c in d["visits"])
    assert visited == sorted(["441226114", "441226001", "441882102", "441825108"]) and doc["unvisited"] == []
    assert doc["gap"] == 0 and doc["bound_min"] == doc["total_travel_min"]
    assert doc["total_travel_min"] == pytest.approx(sum(d["travel_min"] for d in doc["days"]), abs=0.3)


def test_trip_sample_from_the_embedded_list(capsys):
    assert (
        main(
            [
                "trip",
                "--province",
                "44",
                "--sample",
                "1-per-city",
                "--seed",
                "2",
                "--days",
                "5",
                "--from-date",
                "2024-11-04",
                "--json",
                "--method",
                "heuristic",
                "--time-limit",
                "5",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    codes = [c for d in doc["days"] for c in d["visits"]] + doc["unvisited"]
    assert len(codes) == 10 and len({c[:4] for c in codes}) == 10  # one station in each of the 10 cities


def test_trip_evaluate_and_outputs(tmp_path, capsys):
    itinerary = tmp_path / "last_time.txt"
    itinerary.write_text("德庆县九市镇\n连州市大路边镇,德庆县德城街道\n", encoding="utf-8")
    out = tmp_path / "trip.ics"
    assert (
        main(
            [
                "trip",
                "--province",
                "44",
                "--evaluate",
                str(itinerary),
                "--from-date",
                "2024-11-04",
                "--speed-kmh",
                "80",
                "--json",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert [d["visits"] for d in doc["days"]] == [["441226114"], ["441882102", "441226001"]]
    assert doc["planned"]["saving_min"] >= 0 and doc["total_travel_min"] > 0
    assert out.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    html = tmp_path / "trip.html"
    assert (
        main(
            [
                "trip",
                "--province",
                "44",
                "--stations",
                "德庆县九市镇",
                "--days",
                "1",
                "--from-date",
                "2024-11-04",
                "--speed-kmh",
                "80",
                "--out",
                str(html),
            ]
        )
        == 0
    )
    assert "九市镇" in html.read_text(encoding="utf-8") and "written to" in capsys.readouterr().out


def test_trip_unknown_names_exit_2():
    done = run("trip", "--province", "44", "--stations", "德庆县九市镇,火星镇,月亮乡")
    assert done.returncode == 2
    assert "2 station names not recognised" in done.stderr and "火星镇" in done.stderr and "月亮乡" in done.stderr


def test_trip_unreachable_osrm_exit_2():
    done = run("trip", "--province", "44", "--stations", "德庆县九市镇", "--days", "1", "--osrm", "http://127.0.0.1:9")
    assert done.returncode == 2 and "did not answer" in done.stderr


class _FakeOsrm(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        coords = self.path.split("/table/v1/driving/")[1].split("?")[0].split(";")
        n = len(coords)
        body = {
            "code": "Ok",
            "durations": [[0 if i == j else 1800 for j in range(n)] for i in range(n)],
            "distances": [[0 if i == j else 25000 for j in range(n)] for i in range(n)],
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_trip_with_a_fake_osrm_server(capsys):
    server = HTTPServer(("127.0.0.1", 0), _FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert (
            main(
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
                    "--overnight",
                    "base",
                    "--osrm",
                    url,
                    "--json",
                ]
            )
            == 0
        )
    finally:
        server.shutdown()
    doc = json.loads(capsys.readouterr().out)
    assert doc["total_travel_min"] == 90.0 and doc["days"][0]["travel_km"] == 75.0


def test_supervise_json(tmp_path):
    bases = tmp_path / "bases.csv"
    bases.write_text("name,base\n甲,南宁市\n乙,柳州市\n", encoding="utf-8")
    stations = tmp_path / "s.csv"
    names = [
        "宾阳县宾州镇",
        "江南区福建园街道",
        "西乡塘区衡阳街道",
        "城中区城中街道",
        "横州市横州镇",
        "武鸣区城厢镇",
        "柳城县大埔镇",
        "鹿寨县鹿寨镇",
        "融安县长安镇",
        "柳江区拉堡街道",
        "上林县大丰镇",
    ]
    stations.write_text("name\n" + "\n".join(names) + "\n", encoding="utf-8")
    done = run(
        "supervise",
        "--province",
        "45",
        "--stations",
        str(stations),
        "--bases",
        str(bases),
        "--month",
        "2024-11",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {"supervisors", "total_travel_min"} <= set(doc)
    assert [s["base"] for s in doc["supervisors"]] == ["甲", "乙"]
    assert all(5 <= len(s["stations"]) <= 8 for s in doc["supervisors"])
    assert sum(len(s["stations"]) for s in doc["supervisors"]) == 11
    assert {"base", "stations", "travel_min"} <= set(doc["supervisors"][0])


def test_supervise_too_few_supervisors_exit_2():
    done = run("supervise", "--province", "45", "--supervisors", "3")
    assert done.returncode == 2 and "use at least" in done.stderr


# --------------------------------------------------------------------------- argument checks (issue 11)
TRIP = ["trip", "--province", "44", "--stations", "德庆县九市镇", "--from-date", "2024-11-04"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "argument --days: working days: 0 is too small; give a whole number from 1 to 60"),
        (["--days", "61"], "61 is too large"),
        (["--per-day", "0"], "argument --per-day: visits a day: 0 is too small; give a whole number from 1 to 6"),
        (["--visit-hours", "-1"], "argument --visit-hours: hours per visit: -1 is too small"),
        (["--visit-hours", "9"], "a visit of 9 h does not fit in a working day of 8 h 30 min"),
        (["--from-date", "2021-13-45"], "date '2021-13-45' is not a day of the calendar (month must be in 1..12)"),
        (["--to-date", "2024-11-01"], "the last day 2024-11-01 is before the first day 2024-11-04"),
        (["--to-date", "2025-11-04"], "2024-11-04 to 2025-11-04 holds 262 working days"),
        (["--days", "2", "--to-date", "2024-11-08"], "--days and --to-date cannot be used together"),
        (["--day-start", "25:00"], "time '25:00' unreadable; write it as HH:MM"),
        (["--day-end", "24:30"], "time '24:30' unreadable"),
        (["--day-start", "18:00", "--day-end", "08:00"], "the working day ends at 08:00, not after it starts at 18:00"),
        (["--lunch-min", "-5"], "lunch break in minutes: -5 is too small"),
        (["--lunch-min", "600"], "leaves no time after a 600-minute lunch"),
        (["--evening-min", "-1"], "evening transfer in minutes: -1 is too small; give a number from 0 to 240"),
        (["--speed-kmh", "0"], "speed in km/h: 0 is too small; give a number from 5 to 120"),
        (["--speed-kmh", "nan"], "nan is not a finite number"),
        (["--long-kmh", "-80"], "long-distance speed in km/h (0 turns it off): -80 is too small"),
        (["--local-km", "-1"], "road km of a leg at the local speed: -1 is too small"),
        (["--circuity", "0.8"], "circuity (road km per straight km): 0.8 is too small; give a number from 1 to 3"),
        (["--sample", "2-per-town"], "write N-per-city or N-per-county, e.g. 2-per-city"),
        (["--sample", "0-per-city"], "picks no station; N must be 1 or more"),
        (["--seed", "-1"], "seed: -1 is too small"),
        (["--strata", "kind"], "--strata is only used with --sample"),
        (["--start", "0,0"], "lies outside China"),
        (["--osrm", "localhost:5000"], "is not a server URL; give http://host:port"),
        (["--matrix-km", "tests/conftest.py"], "--matrix-km is only used with --matrix"),
        (["--out", "trip.pdf"], "write .ics, .html, .htm or .xlsx"),
        (["--stations", ",,"], "no station given"),
    ],
)
def test_trip_bad_arguments_exit_2(args, message, capsys):
    argv = TRIP + args
    if "--stations" in args:  # replace the base's stations
        argv = TRIP[:3] + TRIP[5:] + args
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err, err


def test_trip_long_speed_0_turns_it_off(capsys):
    # 肇庆市 (the city seat) to 九市镇 and back: 133 road km, legs longer than the first 30 km
    args = [*TRIP, "--days", "1", "--overnight", "base", "--start", "肇庆市", "--json"]
    assert main([*args, "--long-kmh", "0"]) == 0
    doc = json.loads(capsys.readouterr().out)
    km = sum(d["travel_km"] for d in doc["days"])
    assert doc["total_travel_min"] == pytest.approx(km * 60 / 40, abs=0.5)  # every road km at 40 km/h
    assert main([*args, "--long-kmh", "80"]) == 0
    assert json.loads(capsys.readouterr().out)["total_travel_min"] < doc["total_travel_min"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2024-13"], "month '2024-13' is not a month of the calendar (month must be in 1..12)"),
        (["--month", "1999-01"], "month 1999-01 is out of range; give a month from 2000-01 to 2100-12"),
        (["--min", "9", "--max", "5"], "--min 9 is above --max 5; swap them"),
        (["--min", "0"], "stations per supervisor: 0 is too small"),
        (["--supervisors", "0"], "number of supervisors: 0 is too small"),
        (["--hours", "0"], "hours per station per month: 0 is too small"),
        (["--hours", "185"], "185 is too large; give a number above 0 and at most 184"),
        (["--supervisors", "2", "--bases", "tests/conftest.py"], "--supervisors and --bases cannot be used together"),
        (["--out", "rounds.csv"], "write .xlsx"),
    ],
)
def test_supervise_bad_arguments_exit_2(args, message, capsys):
    assert main(["supervise", "--province", "44", "--stations", "德庆县九市镇", *args]) == 2
    err = capsys.readouterr().err
    assert message in err, err


def test_supervise_fewer_stations_than_the_minimum_load(capsys):
    assert main(["supervise", "--province", "44", "--stations", "德庆县九市镇,德庆县德城街道"]) == 2
    assert "there are 2 stations, fewer than the 5 a supervisor looks after at least; lower --min to 2" in (
        capsys.readouterr().err
    )


# --------------------------------------------------------------------------- issue 16: calendars, day count, printouts
WEEK_TRIP = ["trip", "--province", "44", "--stations", STATIONS, "--start", "广州市", "--from-date", "2024-11-07"]


def test_trip_twice_gives_byte_identical_json():
    first, second = (run(*WEEK_TRIP, "--days", "3", "--json") for _ in range(2))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    # Thursday, Friday, the weekend at home, Monday: two tours, the Friday night in 广州市
    assert [(d["date"], d["tour"]) for d in doc["days"]] == [("2024-11-07", 1), ("2024-11-08", 1), ("2024-11-11", 2)]
    assert doc["days"][1]["overnight"] == "广州市"
    assert [t["days"] for t in doc["tours"]] == [2, 1]


def test_trip_fewest_days_holidays_and_tours(capsys):
    args = [*WEEK_TRIP, "--holidays", "2024-11-08", "--json"]
    assert main([*args, "--fewest-days"]) == 0
    doc = json.loads(capsys.readouterr().out)
    fewest = doc["fewest_days"]
    assert doc["unvisited"] == [] and len(doc["days"]) == fewest["days"] and fewest["proven"]
    assert "2024-11-08" not in [d["date"] for d in doc["days"]]  # the holiday: no travel
    assert fewest["days"] >= fewest["at_least"] == 2
    # one day fewer leaves a station out
    assert main([*args, "--days", str(fewest["days"] - 1)]) == 0
    assert json.loads(capsys.readouterr().out)["unvisited"] != []
    assert main([*WEEK_TRIP, "--tours", "1,1,1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [t["days"] for t in doc["tours"]] == [1, 1, 1]
    assert [d["overnight"] for d in doc["days"]] == ["广州市"] * 3  # home every night: three day trips


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--holidays", "2024-13-01"], "argument --holidays: holiday '2024-13-01' is not a day of the calendar"),
        (["--tours", "5,0"], "argument --tours: working days: 0 is too small"),
        (["--tours", "2", "--days", "3"], "--days and --tours cannot be used together"),
        (["--fewest-days", "--days", "3"], "--days and --fewest-days cannot be used together"),
    ],
)
def test_trip_calendar_arguments_exit_2(args, message, capsys):
    assert main([*WEEK_TRIP, *args]) == 2
    assert message in capsys.readouterr().err


def test_trip_printout_in_chinese_and_english(tmp_path):
    for lang, words in (("zh", ["实地评估行程", "住宿", "到达"]), ("en", ["Field evaluation trip", "night", "Arrive"])):
        out = tmp_path / f"trip_{lang}.html"
        done = run(*WEEK_TRIP, "--days", "3", "--out", str(out), "--lang", lang)
        assert done.returncode == 0, done.stderr
        page = out.read_text(encoding="utf-8")
        assert all(w in page for w in words) and "<svg class='route'" in page


def test_supervise_rounds_printout(tmp_path):
    out = tmp_path / "rounds.html"
    done = run(
        "supervise",
        "--province",
        "45",
        "--supervisors",
        "1",
        "--min",
        "1",
        "--stations",
        "宾阳县宾州镇,武鸣区城厢镇,上林县大丰镇",
        "--month",
        "2024-11",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "2024-11 督导月度走访安排" in page and "2024-11-01（周五）" in page
    assert page.count("<tr>") == 1 + 6  # the header and two days on site for each of the three stations
