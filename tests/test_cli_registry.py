"""``python -m coverage registry ...``: every command, its --json document, and exit 2 on bad input.

Commands run in-process (``coverage.cli.main``); the database is the ``registry_url`` fixture
(SQLite and PostgreSQL) where the backend matters.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa

from coverage import settings
from coverage.cli import main
from coverage.registry.store import open_registry
from tests.registry_cases import CHENGXIANG as CHENGXIANG_CODE
from tests.registry_cases import MATOU as MATOU_CODE
from tests.registry_cases import TAIPING, WM1, WM2, XINZHU, add_wuming, ledger_csv, ledger_row, snapshot


def run_json(capsys, *args: str) -> dict:
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def refused(capsys, *args: str) -> str:
    """Run a command that must be refused: exit 2, nothing on stdout; the message on stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    return captured.err


@pytest.fixture
def ledger_file(tmp_path):
    """武鸣区's November ledger: WM-1 with one more social worker, WM-2 as it is, a new station, a row of 青秀区."""
    path = tmp_path / "武鸣区11月台账.csv"
    path.write_bytes(
        ledger_csv(
            [
                ledger_row("WM-1", WM1, social_workers=4),
                ledger_row("WM-2", WM2),
                ledger_row("", {"name": "武鸣区太平镇社工站", "township_code": TAIPING, "lon": "", "lat": ""}),
                ledger_row("", {"name": "青秀区新竹街道社工站", "township_code": XINZHU, "lon": "", "lat": ""}),
            ]
        )
    )
    return path


@pytest.fixture
def wuming_db(registry_url):
    add_wuming(open_registry(registry_url, seed=False))
    return registry_url


# --------------------------------------------------------------------------- init
def test_init_creates_and_seeds_then_only_reports(registry_url, capsys) -> None:
    first = run_json(capsys, "registry", "init", "--db", registry_url)
    assert (first["backend"], first["revision"], first["seeded"]) == (
        registry_url.split("+")[0].split(":")[0],
        "0004",
        398,
    )
    assert first["stations_by_province"] == {"44": 23, "45": 375}
    assert first["rows"] == {
        "stations": 398, "versions": 398, "submissions": 0, "submission_rows": 0, "decisions": 0,
        "accounts": 0, "audit": 398,  # one audit row for every station the seeding added
    }  # fmt: skip
    again = run_json(capsys, "registry", "init", "--db", registry_url)
    assert again["seeded"] == 0 and again["rows"] == first["rows"]
    assert main(["registry", "init", "--db", registry_url]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[1:] == [
        "  398 stations (44: 23, 45: 375), 398 versions",
        "  0 ledger submissions, 0 findings, 0 decisions",
    ]


def test_init_empty_and_the_default_database(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(settings.REGISTRY_URL_ENV, raising=False)
    monkeypatch.setattr(settings, "REGISTRY_SQLITE", tmp_path / "var" / "registry.sqlite")
    doc = run_json(capsys, "registry", "init", "--empty")
    assert doc["url"] == f"sqlite:///{tmp_path / 'var' / 'registry.sqlite'}" and doc["rows"]["stations"] == 0
    monkeypatch.setenv(settings.REGISTRY_URL_ENV, f"sqlite:///{tmp_path / 'env.sqlite'}")
    doc = run_json(capsys, "registry", "init")
    assert doc["url"] == f"sqlite:///{tmp_path / 'env.sqlite'}" and doc["seeded"] == 398


def test_a_password_is_never_printed(registry_url, capsys) -> None:
    if not registry_url.startswith("postgresql"):
        pytest.skip("SQLite URLs have no password")
    url = sa.engine.make_url(registry_url).set(password="s3cret")  # the test server trusts loopback: ignored
    doc = run_json(capsys, "registry", "init", "--empty", "--db", url.render_as_string(hide_password=False))
    assert doc["url"] == url.render_as_string(hide_password=True) and "***" in doc["url"]
    assert main(["registry", "init", "--db", url.render_as_string(hide_password=False)]) == 0
    assert "s3cret" not in capsys.readouterr().out
    err = refused(capsys, "registry", "init", "--db", "postgresql+psycopg://bureau:s3cret@127.0.0.1:1/registry")
    assert (
        "s3cret" not in err
        and "cannot open the registry at postgresql+psycopg://bureau:***@127.0.0.1:1/registry" in err
    )


# --------------------------------------------------------------------------- import, accept, reject
def test_import_lists_the_findings_and_changes_nothing(wuming_db, ledger_file, tmp_path, capsys) -> None:
    before = snapshot(open_registry(wuming_db, seed=False))
    review = tmp_path / "review.xlsx"
    args = ["registry", "import", str(ledger_file), "--month", "2024-11", "--county", "450110", "--by", "武鸣区民政局"]
    doc = run_json(capsys, *args, "--review", str(review), "--db", wuming_db)
    assert (doc["submission_id"], doc["unit"], doc["month"], doc["filename"]) == (
        1,
        "450110",
        "2024-11",
        ledger_file.name,
    )
    assert doc["summary"] == {"staff": 1, "unchanged": 1, "new": 1, "rejected": 1}
    assert doc["decisions"] == {"pending": 4, "accepted": 0, "rejected": 0}
    assert [(f["id"], f["row"], f["kind"], f["station_id"]) for f in doc["findings"]] == [
        (1, 2, "staff", "WM-1"),
        (2, 3, "unchanged", "WM-2"),
        (3, 4, "new", "450110-202411-1-4"),
        (4, 5, "rejected", None),
    ]
    assert doc["findings"][0]["message"] == "social_workers 3 -> 4" and doc["review"] == str(review)
    sheets = pd.read_excel(review, sheet_name=None)
    findings = sheets["findings"]
    assert findings[["id", "kind", "social_workers (registry)", "social_workers (ledger)"]].head(2).values.tolist() == [
        [1, "staff", 3, 4],
        [2, "unchanged", 2, 2],
    ]
    assert sheets["import report"]["input: 站点名称"].tolist()[3] == "青秀区新竹街道社工站"
    after = snapshot(open_registry(wuming_db, seed=False))
    assert after["versions"] == before["versions"] and after["stations"] == before["stations"]
    # the summary a person reads
    assert main([*args, "--db", wuming_db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"submission 2: 450110 2024-11, {ledger_file.name} (sha256 ")
    assert lines[-4:] == [
        "  #6 row 3: unchanged WM-2 (pending); no change",
        "  #7 row 4: new 450110-202411-2-4 (pending); new station 武鸣区太平镇社工站",
        "  #8 row 5: rejected (pending); township 450103001 is not in 450110; a county submits only its own stations",
        "nothing changed yet: `python -m coverage registry accept 2` (or --rows ID,...) to accept",
    ]


def test_accept_some_rows_reject_the_rest_and_read_the_history(wuming_db, ledger_file, capsys) -> None:
    run_json(
        capsys, "registry", "import", str(ledger_file), "--month", "2024-11", "--county", "450110", "--db", wuming_db
    )
    doc = run_json(capsys, "registry", "accept", "1", "--rows", "3,1", "--by", "审核员", "--db", wuming_db)
    assert [(f["id"], f["decision"]) for f in doc["decided"]] == [(1, "accepted"), (3, "accepted")]
    assert doc["decisions"] == {"pending": 2, "accepted": 2, "rejected": 0} and len(doc["versions"]) == 2
    doc = run_json(capsys, "registry", "reject", "1", "--by", "审核员", "--db", wuming_db)
    assert [(f["id"], f["decision"]) for f in doc["decided"]] == [(2, "rejected"), (4, "rejected")]
    assert doc["decisions"] == {"pending": 0, "accepted": 2, "rejected": 2} and doc["versions"] == []
    history = run_json(capsys, "registry", "history", "WM-1", "--db", wuming_db)["versions"]
    assert [(v["action"], v["social_workers"], v["recorded_by"], v["submission_id"]) for v in history] == [
        ("add", 3, "seed", None),
        ("ledger", 4, "审核员", 1),
    ]
    assert history[1]["source"] == "ledger 2024-11 450110 (武鸣区11月台账.csv, submission 1)"
    assert main(["registry", "history", "450110-202411-1-4", "--db", wuming_db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "station 450110-202411-1-4: 1 versions, in the order the registry recorded them"
    assert lines[1].endswith(
        "by 审核员 (add, ledger 2024-11 450110 (武鸣区11月台账.csv, submission 1)): open, 武鸣区太平镇社工站, 450110102"
    )


def test_import_accept_all(wuming_db, ledger_file, capsys) -> None:
    args = ["registry", "import", str(ledger_file), "--month", "2024-11", "--county", "450110", "--accept-all"]
    assert main([*args, "--db", wuming_db]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "accepted 3, rejected 1 (rows that cannot be accepted)"
    current = open_registry(wuming_db, seed=False).current("45", as_of="2024-11-30")
    assert current["station_id"].tolist() == ["450110-202411-1-4", "WM-1", "WM-2"]


def test_submissions_of_a_month(wuming_db, ledger_file, capsys) -> None:
    run_json(
        capsys, "registry", "import", str(ledger_file), "--month", "2024-11", "--county", "450110", "--db", wuming_db
    )
    doc = run_json(capsys, "registry", "submissions", "--month", "2024-11", "--province", "广西", "--db", wuming_db)
    assert (doc["province"], doc["due"]) == ("45", "2024-12-05")
    assert doc["states"] == {
        "submitted": 0,
        "late": 1,
        "missing": 110,
        "not due": 0,
    }  # submitted today, after the due date
    wuming = next(c for c in doc["counties"] if c["county_code"] == "450110")
    assert (wuming["county_name"], wuming["state"], wuming["submission_id"], wuming["review"]) == (
        "武鸣区",
        "late",
        1,
        "pending",
    )
    assert main(["registry", "submissions", "--month", "2024-11", "--db", wuming_db]) == 0
    assert "  450110 武鸣区: late submission 1 (pending)" in capsys.readouterr().out.splitlines()


# --------------------------------------------------------------------------- export and restore
@pytest.mark.parametrize("suffix", [".gpkg", ".xlsx"])
def test_export_then_restore_into_an_empty_registry(wuming_db, ledger_file, tmp_path, capsys, suffix) -> None:
    run_json(
        capsys,
        "registry",
        "import",
        str(ledger_file),
        "--month",
        "2024-11",
        "--county",
        "450110",
        "--accept-all",
        "--db",
        wuming_db,
    )
    out = tmp_path / f"registry{suffix}"
    doc = run_json(capsys, "registry", "export", "--out", str(out), "--db", wuming_db)
    assert doc["rows"] == {
        "stations": 3, "versions": 4, "submissions": 1, "submission_rows": 4, "decisions": 4,
        "audit": 6,  # 2 stations added, the submission, the new station and the staff change accepted, the acceptance
    }  # fmt: skip
    target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    restored = run_json(capsys, "registry", "restore", str(out), "--db", target)
    assert restored["rows"] == doc["rows"]
    assert snapshot(open_registry(target, seed=False)) == snapshot(open_registry(wuming_db, seed=False))
    err = refused(capsys, "registry", "restore", str(out), "--db", target)
    assert "restore needs an empty registry" in err


# --------------------------------------------------------------------------- refused input
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "{ledger}", "--month", "2024-13", "--county", "450110"], "is not a month of the calendar"),
        (
            ["import", "{ledger}", "--month", "2024-11", "--county", "45"],
            "submitted by a county (6 digits) or a city (4 digits), not '45'",
        ),
        (["import", "{ledger}", "--month", "2024-11", "--county", "450199"], "no county 450199 in the register"),
        (["import", "{ledger}", "--month", "2024-11"], "the following arguments are required: --county"),
        (["import", "{tmp}/none.csv", "--month", "2024-11", "--county", "450110"], "file not found"),
        (
            [
                "import",
                "{ledger}",
                "--month",
                "2024-11",
                "--county",
                "450110",
                "--accept-all",
                "--review",
                "{tmp}/r.xlsx",
            ],
            "not allowed with argument",
        ),
        (["import", "{ledger}", "--month", "2024-11", "--county", "450110", "--review", "{tmp}/r.csv"], "write .xlsx"),
        (
            ["import", "{ledger}", "--month", "2024-11", "--county", "450110", "--by", " "],
            "who did it must be a name of 1 to 100 characters",
        ),
        (["accept", "0"], "submission"),
        (["accept", "9"], "no submission 9"),
        (["accept", "1", "--rows", "1,x"], "finding id"),
        (["reject", "1", "--rows", ","], "names no row"),
        (["history", "NOPE"], "no station 'NOPE' in the registry"),
        (["export", "--out", "{tmp}/r.csv"], "write .gpkg or .xlsx"),
        (["restore", "{tmp}/none.gpkg"], "file not found"),
        (["init", "--db", "mysql://u:pw0rd@host/db"], "neither SQLite nor PostgreSQL"),
        (["init", "--db", "::"], "database URL not understood"),
        (["history", "WM-1", "--db", "sqlite:///{ledger}"], "file is not a database; check the URL"),
        (
            ["restore", "{ledger}", "--db", "sqlite:///{tmp}/new.sqlite"],
            "restore from a .gpkg or .xlsx export, not .csv",
        ),
    ],
)
def test_bad_input_exits_2_with_what_to_do(wuming_db, ledger_file, tmp_path, capsys, args, message) -> None:
    filled = [a.format(ledger=ledger_file, tmp=tmp_path) for a in args]
    db = [] if "--db" in filled else ["--db", wuming_db]
    err = refused(capsys, "registry", *filled, *db)
    assert message in err
    assert "pw0rd" not in err


def test_a_conflict_is_exit_2_naming_the_newer_change(wuming_db, ledger_file, capsys) -> None:
    run_json(
        capsys, "registry", "import", str(ledger_file), "--month", "2024-11", "--county", "450110", "--db", wuming_db
    )
    registry = open_registry(wuming_db, seed=False)
    head = registry.head("WM-1")
    assert head is not None
    registry.change("WM-1", head["version_id"], {"case_files": 11}, "2024-11-20", "李四")
    err = refused(capsys, "registry", "accept", "1", "--db", wuming_db)
    assert err.startswith("error: row 2 of submission 1: station 'WM-1' was changed meanwhile by 李四 at ")


# --------------------------------------------------------------------------- seeded fuzz
FUZZ_SEED, FUZZ_CASES = 13, 72
MONTHS = ["2024-13", "2024", "24-11", "", "2024-11-31", "十一月", "2024-11"]
FILES = ["{missing}", "{folder}", "{empty}", "{binary}", "{binary_gpkg}", "{binary_xlsx}", "{long}", "{other_xlsx}"]
DBS = [
    "{db}",
    "mysql://u:pw0rd@h/db",
    "sqlite:///{folder}",
    "sqlite:///{binary}",
    "",
    "postgresql://u:pw0rd@127.0.0.1:1/x",
]
FUZZ: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "import": (
        ["registry", "import", "{ledger}", "--month", "2024-11", "--county", "450110", "--db", "{db}"],
        {
            "--month": MONTHS,
            "--county": ["45", "4501", "450110", "450199", "abc", "", "4501100", "441226"],
            "--by": ["", " ", "张" * 101, "张三"],
            "--crs": ["wgs84", "gcj02", "mars", ""],
            "--review": ["{tmp}/r.xlsx", "{tmp}/r.csv", "{folder}", "{binary}/r.xlsx"],
            "--db": DBS,
        },
    ),
    "accept": (
        ["registry", "accept", "1", "--db", "{db}"],
        {"--rows": ["1", "1,2", "0", "x", "", ",", "99", "1,1", "-1"], "--by": ["", "审核员"], "--db": DBS},
    ),
    "reject": (["registry", "reject", "2", "--db", "{db}"], {"--rows": ["3", "1,x", "9"], "--db": DBS}),
    "history": (["registry", "history", "WM-1", "--db", "{db}"], {"--db": DBS, "--json": ["x"]}),
    "submissions": (
        ["registry", "submissions", "--month", "2024-11", "--db", "{db}"],
        {"--month": MONTHS, "--province": ["45", "44", "99", "火星", ""], "--db": DBS},
    ),
    "export": (
        ["registry", "export", "--out", "{tmp}/e.gpkg", "--db", "{db}"],
        {"--out": ["{tmp}/e.gpkg", "{tmp}/e.xlsx", "{tmp}/e.csv", "{folder}", "{binary}/x.gpkg"], "--db": DBS},
    ),
    "restore": (
        ["registry", "restore", "{export}", "--db", "{fresh}"],
        {"--db": ["{fresh}", "{db}", *DBS[1:]]},
    ),
}


_FRESH = iter(range(10_000))


def _fuzz_cases() -> list[tuple[str, list[str]]]:
    import random

    rng = random.Random(FUZZ_SEED)
    names = sorted(FUZZ)
    cases = []
    for i in range(FUZZ_CASES):
        name = names[i % len(names)]
        base, pools = FUZZ[name]
        argv = list(base)
        if name in ("import", "restore") and rng.random() < 0.4:
            argv[2] = rng.choice(FILES)
        for option in rng.sample(sorted(pools), k=min(len(pools), rng.randint(1, 2))):
            value = rng.choice(pools[option])
            if option in argv:
                argv[argv.index(option) + 1] = value
            else:
                argv += [option, value]
        cases.append((name, argv))
    return cases


@pytest.fixture(scope="module")
def fuzz_files(tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("registry-fuzz")
    db = f"sqlite:///{tmp / 'fuzz.sqlite'}"
    registry = open_registry(db, seed=False)
    add_wuming(registry)
    ledger = tmp / "ledger.csv"
    ledger.write_bytes(ledger_csv([ledger_row("WM-1", WM1, social_workers=4), ledger_row("WM-2", WM2)]))
    from coverage.registry import dump
    from coverage.registry import ledger as ledgers

    for _ in range(2):
        ledgers.submit(registry, ledger.read_bytes(), "ledger.csv", "2024-11", "450110", "x")
    dump.export(registry, tmp / "export.gpkg")
    out = {
        "tmp": str(tmp),
        "db": db,
        "ledger": str(ledger),
        "export": str(tmp / "export.gpkg"),
        "missing": str(tmp / "missing.csv"),
        "folder": str(tmp),
        "long": "x" * 300 + ".csv",
        "fresh": "sqlite:///" + str(tmp / "fresh-{n}.sqlite"),
    }
    for name, suffix, data in (
        ("empty", ".csv", b""),
        ("binary", ".csv", bytes(range(256)) * 4),
        ("binary_gpkg", ".gpkg", bytes(range(256)) * 4),
        ("binary_xlsx", ".xlsx", bytes(range(256)) * 4),
    ):
        (tmp / f"{name}{suffix}").write_bytes(data)
        out[name] = str(tmp / f"{name}{suffix}")
    pd.DataFrame({"a": [1]}).to_excel(tmp / "other.xlsx", index=False)
    out["other_xlsx"] = str(tmp / "other.xlsx")
    return out


@pytest.mark.parametrize(("name", "argv"), _fuzz_cases(), ids=lambda v: v if isinstance(v, str) else None)
def test_fuzzed_arguments_end_in_0_or_2_with_a_message(name, argv, fuzz_files, capsys) -> None:
    n = next(_FRESH)  # a new database for each restore
    argv = [a.format(**fuzz_files).replace("{n}", str(n)) for a in argv]
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err and "pw0rd" not in err, (argv, err)
    if code == 2:
        reason = err.strip().splitlines()[-1]
        assert len(reason.split("error: ", 1)[-1]) > 10, (argv, err)


# --------------------------------------------------------------------------- analyses read the registry
def test_status_reads_the_registry_as_known_on_a_day(registry_url, capsys, ledger_file):
    """A ledger accepted on 2024-12-03 (Beijing time) adds 武鸣区太平镇: the November figures known on
    12-02 are the registry's before it, those known on 12-05 count the new station."""
    import datetime as dt

    from coverage.registry import ledger
    from tests.registry_cases import StepClock

    clock = StepClock(dt.datetime(2024, 12, 1, 2, 0))
    registry = open_registry(registry_url, seed=False, clock=clock)
    add_wuming(registry)
    clock.set(dt.datetime(2024, 12, 2, 2, 0))  # 10:00 in Beijing
    sub = ledger.submit(registry, ledger_file.read_bytes(), ledger_file.name, "2024-11", "450110", by="武鸣区民政局")
    clock.set(dt.datetime(2024, 12, 3, 2, 0))
    ledger.accept(registry, sub.submission_id, by="省厅审核")

    def covered(*extra: str) -> int:
        doc = run_json(capsys, "status", "--db", registry_url, "--as-of", "2024-11-30", *extra)
        assert doc["data_note"]["stations"]["nature"] == "official"
        return doc["covered"]

    assert covered("--known-on", "2024-12-02") == 2  # 城厢镇, 马头镇
    assert covered("--known-on", "2024-12-05") == 3  # and 太平镇, accepted on 12-03
    assert covered() == 3
    # the same registry for a trip: its stations open today
    trip = run_json(capsys, "trip", "--db", registry_url, "--days", "2", "--from-date", "2024-12-09")
    assert sorted(c for d in trip["days"] for c in d["visits"]) + trip["unvisited"] == sorted(
        [CHENGXIANG_CODE, MATOU_CODE, TAIPING]
    )


def test_a_station_file_and_the_registry_cannot_both_be_given(capsys, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("名称,乡镇代码\n甲,450102001\n", encoding="utf-8")
    assert "--stations and --db cannot be used together" in refused(
        capsys, "status", "--stations", str(path), "--db", "sqlite:///" + str(tmp_path / "x.sqlite")
    )
    assert "--stations and --known-on cannot be used together" in refused(
        capsys, "status", "--stations", str(path), "--known-on", "2024-12-01"
    )
