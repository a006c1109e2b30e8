"""The registry under concurrent writers and a killed process, for real, on both backends.

Writers are separate processes (multiprocessing, spawn), as two reviewers' sessions or a CLI run
next to the app would be; the child functions live in :mod:`tests.registry_cases`.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import signal
import sqlite3

import sqlalchemy as sa

from coverage.data.register import load_register
from coverage.registry import ledger, schema
from coverage.registry.store import Registry, open_registry
from tests import registry_cases as rc

SPAWN = mp.get_context("spawn")
WAIT_S = 60  # generous: the machine is shared; nothing waits this long when all is well


def _run(target, args_list: list[tuple]) -> list:
    """Start one process per argument tuple (plus a shared results queue), wait for all, return the results."""
    results = SPAWN.Queue()
    procs = [SPAWN.Process(target=target, args=(*args, results)) for args in args_list]
    for p in procs:
        p.start()
    out = [results.get(timeout=WAIT_S) for _ in procs]
    for p in procs:
        p.join(timeout=WAIT_S)
        assert p.exitcode == 0
    return out


def _count_versions(registry: Registry, station_id: str | None = None) -> int:
    v = schema.versions
    query = sa.select(sa.func.count()).select_from(v)
    if station_id is not None:
        query = query.where(v.c.station_id == station_id)
    with registry.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_two_writers_from_the_same_version_one_wins_the_other_is_told_who(registry_url: str) -> None:
    registry = open_registry(registry_url, seed=False)
    base = registry.add("S1", "45", {"name": "城厢镇社工站", "township_code": rc.CHENGXIANG}, "2021-01-01", "张三")
    start, gate = SPAWN.Barrier(2), SPAWN.Barrier(2)
    # PostgreSQL: both pass the head check and meet inside their transactions; SQLite: the second
    # waits for the database lock (BEGIN IMMEDIATE) while the first holds it at the gate
    gate_s = 1.0 if registry.backend == "sqlite" else WAIT_S
    outcomes = _run(
        rc.edit_once, [(registry_url, base.version_id, who, start, gate, gate_s) for who in ("李四", "王五")]
    )
    ok = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] == "conflict"]
    assert len(ok) == 1 and len(refused) == 1
    _, winner, version = ok[0]
    assert refused[0][1] != winner
    assert refused[0][2].startswith(f"station 'S1' was changed meanwhile by {winner} at ")
    assert f"(edit, version {version}, valid from 2024-11-30); reload it and edit again" in refused[0][2]
    head = registry.head("S1")
    assert head is not None and (head["version_id"], head["contact"]) == (version, winner)
    assert _count_versions(registry) == 2


def test_concurrent_edits_lose_no_update(registry_url: str) -> None:
    """Two processes each add one, fifteen times, to the same count (retrying on conflicts) and edit their own station."""
    registry = open_registry(registry_url, seed=False)
    registry.add("SHARED", "45", {"name": "共享", "township_code": rc.CHENGXIANG, "case_files": 0}, "2021-01-01", "x")
    workers, times = 2, 15
    for w in range(workers):
        registry.add(f"W{w}", "45", {"name": f"W{w}", "township_code": rc.MATOU}, "2021-01-01", "x")
    start = SPAWN.Barrier(workers)
    _run(rc.increment_many, [(registry_url, w, times, start) for w in range(workers)])
    head = registry.head("SHARED")
    assert head is not None and head["case_files"] == workers * times
    history = registry.history("SHARED")
    assert history["case_files"].tolist() == list(range(workers * times + 1))  # every increment, in order
    for w in range(workers):
        own = registry.history(f"W{w}")
        assert own["households_served"].tolist()[1:] == list(range(1, times + 1))
    assert _count_versions(registry) == 1 + workers + workers * times * 2


def test_processes_opening_a_new_registry_at_once_create_and_seed_it_once(registry_url: str) -> None:
    start = SPAWN.Barrier(2)
    seen = _run(rc.open_at_once, [(registry_url, start)] * 2)
    assert seen == [398, 398]  # every process sees the one seeding (375 + 23 embedded stations)
    assert _count_versions(open_registry(registry_url, seed=False)) == 398


def test_a_reader_does_not_wait_for_a_writer(registry_url: str) -> None:
    """A status query while a ledger is being accepted reads the last committed state at once."""
    import threading

    registry = open_registry(registry_url, seed=False)
    rc.add_wuming(registry)
    writer = open_registry(registry_url, seed=False)
    inside, read_done = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def write() -> None:
        with writer.engine.begin() as conn:
            writer.add("X1", "45", {"name": "x", "township_code": rc.CHENGXIANG}, "2024-01-01", "w", conn=conn)
            inside.set()
            outcome["read while writing"] = read_done.wait(timeout=WAIT_S)

    thread = threading.Thread(target=write)
    thread.start()
    assert inside.wait(timeout=WAIT_S)
    stations = registry.current("45")["station_id"].tolist()
    read_done.set()
    thread.join()
    assert stations == ["WM-1", "WM-2"]  # not the uncommitted X1, and not after waiting for it
    assert outcome == {"read while writing": True}
    assert registry.current("45")["station_id"].tolist() == ["WM-1", "WM-2", "X1"]


# --------------------------------------------------------------------------- a killed process
def _kill_when_inside(target, args: tuple) -> None:
    inside = SPAWN.Event()
    child = SPAWN.Process(target=target, args=(*args, inside))
    child.start()
    try:
        assert inside.wait(timeout=WAIT_S), "the child never got inside its transaction"
        assert child.is_alive()
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    finally:
        child.join(timeout=WAIT_S)
    assert child.exitcode == -signal.SIGKILL


def _check_file(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(sa.engine.make_url(url).database) as conn:  # type: ignore[arg-type]
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _big_ledger(n: int) -> bytes:
    """``n`` new stations of 南宁市 (4501) outside 武鸣区, several per township, named as counties write them."""
    reg = load_register()
    towns = reg.townships[(reg.townships["city_code"] == "4501") & (reg.townships["county_code"] != rc.WUMING)]
    counties = reg.counties["name"]
    rows = []
    for i in range(n):
        code = towns.index[i % len(towns)]
        name = f"{counties[code[:6]]}{towns.loc[code, 'name']}社工站（{i // len(towns) + 1}号）"
        rows.append([f"NN-{i:05d}", name, code, "", "", 3, 1, "", "", "", "运营"])
    return rc.ledger_csv(rows)


def test_a_process_killed_while_accepting_a_large_ledger_leaves_the_registry_as_before(registry_url: str) -> None:
    registry = open_registry(registry_url, seed=False)
    rc.add_wuming(registry)
    sub = ledger.submit(registry, _big_ledger(1000), "南宁市11月.csv", "2024-11", "4501", "南宁市民政局")
    assert sub.summary == {"new": 1000, "missing": 2}  # the two 武鸣区 stations are not listed
    before = rc.snapshot(registry)
    _kill_when_inside(rc.accept_until_killed, (registry_url, sub.submission_id))
    _check_file(registry_url)
    assert rc.snapshot(registry) == before
    # and the registry goes on: the same acceptance, done again, completes
    ledger.accept(registry, sub.submission_id, "审核员")
    assert _count_versions(registry) == 2 + 1000 + 2


def test_a_process_killed_inside_a_write_transaction_leaves_nothing_behind(registry_url: str) -> None:
    registry = open_registry(registry_url, seed=False)
    rc.add_wuming(registry)
    before = rc.snapshot(registry)
    _kill_when_inside(rc.write_until_killed, (registry_url,))
    _check_file(registry_url)
    assert rc.snapshot(registry) == before
    head = registry.head("WM-1")
    assert head is not None
    registry.change("WM-1", head["version_id"], {"social_workers": 5}, "2024-12-31", "李四")
    assert _count_versions(registry) == 3


def test_two_writers_adding_the_same_new_station_one_is_refused(registry_url: str) -> None:
    """The second add of an id is refused with the usual message, also when both checked before either wrote."""
    import threading

    from coverage._errors import InputError

    checked = threading.Event()

    def clock() -> dt.datetime:  # called by add() after its check that the id is free
        checked.set()
        return dt.datetime(2024, 12, 1)

    first, second = open_registry(registry_url, seed=False), open_registry(registry_url, seed=False, clock=clock)
    outcome: dict[str, object] = {}
    fields = {"name": "太平镇社工站", "township_code": rc.TAIPING}

    def add_second() -> None:
        try:
            outcome["second"] = second.add("TP-1", "45", fields, "2024-11-30", "李四")
        except InputError as exc:
            outcome["second"] = str(exc)

    with first.engine.begin() as conn:
        first.add("TP-1", "45", fields, "2024-11-30", "张三", conn=conn)
        thread = threading.Thread(target=add_second)
        thread.start()
        # PostgreSQL: the second writer has checked (nothing committed yet) and now waits on the insert;
        # SQLite: it waits for the lock before checking, so this wait ends by its timeout
        checked.wait(timeout=1.0 if first.backend == "sqlite" else WAIT_S)
    thread.join(timeout=WAIT_S)
    assert outcome["second"] == "station 'TP-1' is already in the registry; edit it instead, or give a new id"
    assert _count_versions(first) == 1 and first.history("TP-1")["recorded_by"].tolist() == ["张三"]
