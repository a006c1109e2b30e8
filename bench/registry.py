"""The station registry: ledger import + diff, province status from the registry, a 5-year history.

Each part runs ours and a named baseline side by side on the same input (median of 3 runs) and
prints the ratio (baseline time / our time); targets are printed, never asserted.

(a) a 1,000-row monthly ledger of 南宁市 (4501) submitted to a registry holding its 1,000 stations:
    importer + diff + storing the file and findings (``ledger.submit``) <= 3 s, on SQLite and on
    PostgreSQL.  Baseline: reading the same file with the plain importer (``read_stations``).
(b) Guangxi's status at 2021-12-31 from the seeded registry (``Registry.station_table`` +
    ``status``) <= 0.3 s and within 1.5x of the baseline: ``read_stations`` of
    data/stations/45_guangxi_demo.csv + ``status`` (today's way).
(c) a registry with 5 years (2020-2024) of monthly versions of one station in each of the 41,352
    townships (~2.5 M version rows; synthetic: registered as planned in January 2020, opening
    dates spread over the years, a monthly staff/caseload version recorded 2-9 days after each
    month, a few suspensions, closures and late corrections), asked for a province's status
    ``as_of`` a date as ``known_on`` another: <= 1 s.  Baseline: the same question answered by
    pandas over an in-memory DataFrame of the province's versions (same open periods, same status).
    The history is generated once (bulk inserts in one transaction) and kept in var/bench/ (SQLite)
    and the database ``registry_bench_history`` (PostgreSQL); ``--rebuild`` makes them again.

    .venv/bin/python bench/registry.py [--pg postgresql+psycopg://coverage@127.0.0.1:5432/postgres]
        [--parts a,b,c] [--province 51] [--rebuild]

``--pg`` defaults to $COVERAGE_TEST_PG; without a server the PostgreSQL runs are skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from _timing import report, timed

from coverage.analysis.admin import status
from coverage.data.provinces import default_stations_path, load_province
from coverage.data.register import load_register
from coverage.data.stations import read_stations
from coverage.registry import ledger, schema
from coverage.registry.store import Registry, end_of_day_utc, open_periods, open_registry

ROOT = Path(__file__).resolve().parent.parent
HISTORY_DB = "registry_bench_history"
MONTHS = 60  # 2020-01 .. 2024-12


# --------------------------------------------------------------------------- databases
def pg_database(server: str, name: str, fresh: bool = True) -> str:
    """The URL of database ``name`` on ``server`` (created; dropped first when ``fresh``)."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first()
        if exists and fresh:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        if fresh or not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_pg(server: str, name: str) -> None:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def backends(pg: str | None, tmp: Path, name: str) -> Iterator[tuple[str, str]]:
    """(label, url) of a new SQLite file and, with a server, a new PostgreSQL database."""
    yield "SQLite", f"sqlite:///{tmp / (name + '.sqlite')}"
    if pg:
        yield "PostgreSQL", pg_database(pg, f"registry_bench_{name}")
        drop_pg(pg, f"registry_bench_{name}")


# --------------------------------------------------------------------------- (a) a monthly ledger
LEDGER_HEADER = (
    "站点编号",
    "站点名称",
    "乡镇代码",
    "社工人数",
    "持证社工人数",
    "服务户数",
    "服务人数",
    "个案数",
    "站点状态",
)


def nanning_stations(n: int) -> list[dict[str, Any]]:
    """``n`` stations of 南宁市, several per township (分站 in villages), named as counties write them."""
    reg = load_register()
    towns = reg.townships[reg.townships["city_code"] == "4501"]
    counties = reg.counties["name"]
    out = []
    for i in range(n):
        code = str(towns.index[i % len(towns)])
        out.append(
            {
                "station_id": f"NN-{i:04d}",
                "name": f"{counties[code[:6]]}{towns.loc[code, 'name']}社工站（{i // len(towns) + 1}号站）",
                "township_code": code,
                "county_code": code[:6],
                "status": "open",
                "social_workers": 3,
                "certified_workers": 1,
                "households_served": 100 + i % 50,
                "people_served": 300 + i % 70,
                "case_files": 10 + i % 9,
            }
        )
    return out


def monthly_ledger(stations: list[dict[str, Any]], rng: random.Random) -> bytes:
    """November's ledger of these stations: 60 % staff or caseload changes, some renamed, closed,
    suspended, moved to another township, 1 % not listed, 2 % new."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(LEDGER_HEADER)
    codes = sorted({s["township_code"] for s in stations})
    for s in stations:
        r = rng.random()
        if r < 0.01:
            continue  # missing
        row = dict(s)
        if r < 0.35:
            row["social_workers"] += 1
            row["certified_workers"] += rng.random() < 0.5
        elif r < 0.60:
            row["households_served"] += rng.randint(1, 20)
            row["case_files"] += rng.randint(0, 3)
        elif r < 0.61:
            row["name"] = row["name"].replace("社工站", "社会工作服务站")
        elif r < 0.62:
            row["status"] = "关闭"
        elif r < 0.63:
            row["status"] = "暂停"
        elif r < 0.64:
            row["township_code"] = rng.choice(codes)
        status_word = {"open": "运营"}.get(row["status"], row["status"])
        w.writerow([row["station_id"], row["name"], row["township_code"], row["social_workers"],
                    row["certified_workers"], row["households_served"], row["people_served"], row["case_files"],
                    status_word])  # fmt: skip
    for i in range(len(stations) // 50):
        s = stations[i]
        w.writerow(["", s["name"].replace("号站", "号新站"), s["township_code"], 2, 0, "", "", "", "运营"])
    return out.getvalue().encode("utf-8")


def bulk_add(registry: Registry, stations: list[dict[str, Any]], valid: str, by: str) -> None:
    with registry.engine.begin() as conn:
        for s in stations:
            fields = {k: v for k, v in s.items() if k != "station_id"}
            registry.add(s["station_id"], "45", fields, valid, by, conn=conn)


def part_a(pg: str | None, tmp: Path) -> None:
    print("(a) a 1,000-row monthly ledger: import + diff + store (ledger.submit)")
    rng = random.Random(11)
    stations = nanning_stations(1000)
    data = monthly_ledger(stations, rng)
    rows = data.decode().count("\n") - 1
    baseline, _ = timed(lambda: read_stations(data, filename="ledger.csv", province="45"))
    for label, url in backends(pg, tmp, "ledger"):
        registry = open_registry(url, seed=False)
        bulk_add(registry, stations, "2024-01-01", "bench")
        subs: list[ledger.Submission] = []
        ours, _ = timed(lambda: subs.append(ledger.submit(registry, data, "ledger.csv", "2024-11", "4501", "bench")))  # noqa: B023
        report(f"  {label}: submit a {rows}-row ledger", ours, "read_stations of the same file", baseline, 3.0)
        print(f"    findings: {subs[-1].summary}")
        accept_s, _ = timed(lambda: ledger.accept(registry, subs[0].submission_id, "bench"), repeat=1)  # noqa: B023
        print(f"    accepting every finding of one submission (one transaction): {accept_s:.2f} s")
        registry.engine.dispose()


# --------------------------------------------------------------------------- (b) status from the registry
def part_b(pg: str | None, tmp: Path) -> None:
    print("(b) Guangxi status at 2021-12-31 from the seeded registry")
    province = load_province("45")
    path = default_stations_path("45")
    baseline, theirs = timed(lambda: status(province, read_stations(path, province="45").stations, as_of="2021-12-31"))
    for label, url in backends(pg, tmp, "status"):
        registry = open_registry(url)  # seeded from data/stations
        ours, mine = timed(lambda: status(province, registry.station_table("45"), as_of="2021-12-31"))  # noqa: B023
        assert mine.summary == theirs.summary, (mine.summary, theirs.summary)
        report(f"  {label}: registry.station_table + status", ours, "read_stations(CSV) + status", baseline, 0.3)
        verdict = "within" if ours <= 1.5 * baseline else "NOT within"
        print(f"    {mine.summary['covered']} of {mine.summary['counted']} townships; {verdict} 1.5x of the CSV")
        registry.engine.dispose()


# --------------------------------------------------------------------------- (c) 5 years of history
VERSION_COLUMNS = (
    "station_id", "province_code", "valid_from", "recorded_at", "recorded_by", "source", "action", "name",
    "township_code", "county_code", "status", "opened", "closed", "social_workers", "certified_workers",
    "households_served", "people_served", "case_files",
)  # fmt: skip


def month_end(m: int) -> dt.date:
    """The last day of month ``m`` (0 = January 2020)."""
    y, mo = 2020 + (m + 1) // 12, (m + 1) % 12 + 1
    return dt.date(y, mo, 1) - dt.timedelta(days=1)


def station_history(code: str, name: str, rng: random.Random) -> list[tuple]:
    """One station's versions in the order the registry recorded them (see the module docstring)."""
    province, county = code[:2], code[:6]
    sid = f"ST-{code}"
    opened_m = -1 if rng.random() < 0.15 else rng.randrange(MONTHS)  # 15 % open before 2020
    opened = dt.date(2019, 6, 1) if opened_m < 0 else month_end(opened_m) - dt.timedelta(days=rng.randrange(27))
    close = rng.random() < 0.02 and opened_m + 3 < MONTHS  # 2 % close, at least three months after opening
    closed_m = rng.randrange(max(opened_m + 3, 12), MONTHS) if close else None
    suspended = set(range(s, s + 3)) if rng.random() < 0.03 and (s := rng.randrange(MONTHS)) > opened_m else set()
    workers, certified, households, people, cases = 0, 0, 0, 0, 0
    rows: list[tuple] = []

    def add(valid: dt.date, recorded: dt.datetime, action: str, state: str, closed: dt.date | None = None) -> None:
        rows.append(
            (sid, province, valid, recorded, f"{county}民政局", f"ledger {valid:%Y-%m} {county}", action, name, code,
             county, state, opened if state != "planned" else None, closed, workers, certified, households, people,
             cases)
        )  # fmt: skip

    first = dt.datetime(2020, 1, 8, 2) + dt.timedelta(minutes=rng.randrange(600))
    add(dt.date(2020, 1, 1), first, "add", "open" if opened_m < 0 else "planned")
    for m in range(MONTHS):
        recorded = dt.datetime.combine(month_end(m), dt.time(2)) + dt.timedelta(
            days=rng.randint(2, 9), minutes=rng.randrange(600)
        )
        if m == opened_m:
            workers, certified = rng.randint(2, 4), rng.randint(0, 2)
            add(opened, recorded - dt.timedelta(minutes=1), "ledger", "open")
        if closed_m is not None and m == closed_m:
            add(month_end(m), recorded, "close", "closed", month_end(m))
            break
        if m > opened_m:
            workers = max(1, workers + rng.choice((-1, 0, 0, 0, 1)))
            certified = min(workers, certified + (rng.random() < 0.05))
            households += rng.randint(5, 40)
            people += rng.randint(10, 90)
            cases += rng.random() < 0.3
        state = "planned" if m < opened_m else ("suspended" if m in suspended else "open")
        add(month_end(m), recorded, "ledger", state)
    if rng.random() < 0.01 and opened_m > 0:  # a late correction: the opening was a month earlier
        late = rows[-1][3] + dt.timedelta(days=30)
        add(month_end(opened_m - 1), late, "edit", "open")
    return rows


def _sqlite_text(value: Any) -> Any:
    """Values as SQLAlchemy stores them in SQLite (dates and times as ISO text)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fill_history(url: str) -> int:
    """Generate the 5-year history into an empty registry in one transaction; return the versions written."""
    registry = open_registry(url, seed=False)
    reg = load_register()
    towns = reg.townships
    rng = random.Random(2020)
    is_sqlite = registry.backend == "sqlite"
    columns = ", ".join(VERSION_COLUMNS)
    written = 0
    start = time.perf_counter()
    with registry.engine.begin() as conn:
        stations = [(f"ST-{code}", code[:2], dt.datetime(2020, 1, 8, 2), None) for code in towns.index.astype(str)]
        insert_stations = "INSERT INTO stations (station_id, province_code, created_at, head_version_id) VALUES "
        if is_sqlite:
            conn.exec_driver_sql(insert_stations + "(?, ?, ?, ?)", [tuple(map(_sqlite_text, s)) for s in stations])
        else:
            raw = conn.connection.driver_connection
            with raw.cursor().copy(
                "COPY stations (station_id, province_code, created_at, head_version_id) FROM STDIN"
            ) as copy:  # type: ignore[union-attr]
                for s in stations:
                    copy.write_row(s)
        batch: list[tuple] = []
        placeholders = ", ".join("?" for _ in VERSION_COLUMNS)

        def flush() -> None:
            if is_sqlite:
                conn.exec_driver_sql(f"INSERT INTO versions ({columns}) VALUES ({placeholders})", batch)
            else:
                with raw.cursor().copy(f"COPY versions ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
                    for row in batch:
                        copy.write_row(row)
            batch.clear()

        for code, name in zip(towns.index.astype(str), towns["name"], strict=True):
            rows = station_history(code, f"{name}社工站", rng)
            batch.extend([tuple(map(_sqlite_text, r)) for r in rows] if is_sqlite else rows)
            written += len(rows)
            if len(batch) >= 200_000:
                flush()
                print(f"    {written:,} versions, {time.perf_counter() - start:.0f} s", file=sys.stderr)
        if batch:
            flush()
        conn.exec_driver_sql(
            "UPDATE stations SET head_version_id = (SELECT MAX(version_id) FROM versions v "
            "WHERE v.station_id = stations.station_id)"
        )
    with registry.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE" if is_sqlite else "VACUUM ANALYZE")
    print(f"    generated {written:,} versions in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    registry.engine.dispose()
    return written


def history_url(label: str, pg: str | None, rebuild: bool) -> str:
    if label == "SQLite":
        path = ROOT / "var" / "bench" / "history.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        if rebuild:
            for p in path.parent.glob("history.sqlite*"):
                p.unlink()
        return f"sqlite:///{path}"
    assert pg is not None
    return pg_database(pg, HISTORY_DB, fresh=rebuild)


def versions_count(url: str) -> int:
    registry = open_registry(url, seed=False)
    with registry.engine.connect() as conn:
        n = int(conn.execute(sa.select(sa.func.count()).select_from(schema.versions)).scalar_one())
    registry.engine.dispose()
    return n


def part_c(pg: str | None, province_code: str, largest: str, rebuild: bool) -> None:
    print(f"(c) 5 years of monthly history for all 41,352 townships; status of province {province_code}")
    province = load_province(province_code)
    as_of, known_on = "2023-06-30", "2023-09-30"
    labels = ["SQLite"] + (["PostgreSQL"] if pg else [])
    for label in labels:
        url = history_url(label, pg, rebuild)
        n = versions_count(url)
        if n == 0:
            fill_history(url)
            n = versions_count(url)
        registry = open_registry(url, seed=False)
        in_memory = registry.versions(province_code)  # the baseline's DataFrame (loaded once, not timed)
        cutoff = end_of_day_utc(dt.date.fromisoformat(known_on))

        def baseline_status() -> Any:
            known = in_memory[in_memory["recorded_at"] < cutoff]  # noqa: B023
            return status(province, open_periods(known), as_of=as_of)

        def our_status() -> Any:
            return status(province, registry.station_table(province_code, known_on=known_on), as_of=as_of)  # noqa: B023

        baseline, theirs = timed(baseline_status)
        ours, mine = timed(our_status)
        assert mine.summary == theirs.summary, (mine.summary, theirs.summary)
        table_s, _ = timed(lambda: registry.station_table(province_code, known_on=known_on))  # noqa: B023
        current_s, current = timed(lambda: registry.current(province_code, as_of=as_of, known_on=known_on))  # noqa: B023
        print(
            f"  {label}: {n:,} versions; province {province_code}: {len(in_memory):,} versions, {len(current):,} stations"
        )
        report(
            f"  {label}: status as_of {as_of} known_on {known_on}",
            ours,
            "pandas over the versions in memory",
            baseline,
            1.0,
        )
        now_s, now = timed(lambda: status(province, registry.station_table(province_code), as_of=as_of))  # noqa: B023
        print(
            f"    covered {mine.summary['covered']:,} of {mine.summary['counted']:,} (known now: {now.summary['covered']:,}); "
            f"station_table {table_s:.2f} s, current(as_of, known_on) {current_s:.2f} s, status known now {now_s:.2f} s"
        )
        big_table_s, big = timed(lambda: registry.station_table(largest, known_on=known_on))  # noqa: B023
        big_current_s, _ = timed(lambda: registry.current(largest, as_of=as_of, known_on=known_on))  # noqa: B023
        print(
            f"    province {largest} (the most townships; no boundaries here for its status): "
            f"station_table {big_table_s:.2f} s ({len(big):,} open periods), current {big_current_s:.2f} s"
        )
        registry.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("COVERAGE_TEST_PG"), help="PostgreSQL server URL")
    parser.add_argument("--parts", default="a,b,c", help="which parts to run (a, b, c)")
    parser.add_argument("--province", default="45", help="province of part c's status (default 45)")
    parser.add_argument(
        "--largest", default="51", help="province whose open periods part c also reads (default 51, the most townships)"
    )
    parser.add_argument("--rebuild", action="store_true", help="generate part c's history again")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"uptime: {os.popen('uptime').read().strip()}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if "a" in parts:
            part_a(args.pg, tmp)
        if "b" in parts:
            part_b(args.pg, tmp)
    if "c" in parts:
        part_c(args.pg, args.province, args.largest, args.rebuild)
    print(f"uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
