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
