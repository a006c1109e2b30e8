"""Small registry cases shared by the registry, ledger, reliability and CLI tests.

Recorded times come from a :class:`StepClock` (one minute apart unless set), so every test knows
exactly when the registry learned what.  The stations are real townships of county 450110 武鸣区
(Nanning, Guangxi): 城厢镇 450110100 and 马头镇 450110113, placed at the demo list's points.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa

from coverage.registry import schema
from coverage.registry.store import Registry, Written

WUMING = "450110"
CHENGXIANG = "450110100"  # 城厢镇
MATOU = "450110113"  # 马头镇
TAIPING = "450110102"  # 太平镇
SHUANGQIAO = "450110103"  # 双桥镇
XINZHU = "450103001"  # 新竹街道, 青秀区 (another county of the same city)
XINXU = "441226101"  # 新圩镇, 德庆县, Guangdong (another province)

#: The two stations of 武鸣区 as the registry holds them before each ledger test.
WM1 = {
    "name": "武鸣区城厢镇社工站",
    "township_code": CHENGXIANG,
    "county_code": WUMING,
    "lon": 108.27296,
    "lat": 23.16082,
    "status": "open",
    "opened": dt.date(2020, 6, 16),
    "social_workers": 3,
    "certified_workers": 1,
    "households_served": 100,
    "people_served": 300,
    "case_files": 10,
}
WM2 = {
    "name": "武鸣区马头镇社工站",
    "township_code": MATOU,
    "county_code": WUMING,
    "lon": 107.904421,
    "lat": 23.28722,
    "status": "open",
    "opened": dt.date(2021, 4, 4),
    "social_workers": 2,
    "certified_workers": 0,
    "households_served": 50,
    "people_served": 120,
    "case_files": 4,
}


class StepClock:
    """Recorded times the test controls: ``start`` then one ``step`` later at every call (UTC, naive).

    Picklable, so a child process can be given one.
    """

    def __init__(self, start: dt.datetime, step: dt.timedelta = dt.timedelta(minutes=1)) -> None:
        self.now = start
        self.step = step

    def set(self, when: dt.datetime) -> None:
        """The next call returns ``when``."""
        self.now = when

    def __call__(self) -> dt.datetime:
        out = self.now
        self.now = self.now + self.step
        return out


def add_wuming(registry: Registry) -> tuple[Written, Written]:
    """Register WM-1 (城厢镇) and WM-2 (马头镇), valid from their opening dates."""
    one = registry.add("WM-1", "45", WM1, WM1["opened"], "seed")
    two = registry.add("WM-2", "45", WM2, WM2["opened"], "seed")
    return one, two


#: Ledger header (Chinese, as counties write it) and the row of each station matching the registry.
LEDGER_HEADER = (
    "站点编号",
    "站点名称",
    "乡镇代码",
    "经度",
    "纬度",
    "社工人数",
    "持证社工人数",
    "服务户数",
    "服务人数",
    "个案数",
    "站点状态",
)


def ledger_row(station_id: str, fields: dict[str, Any], **changes: Any) -> list[Any]:
    """A ledger row for ``fields`` (a station's attributes) with ``changes`` (by attribute name)."""
    f = {**fields, **changes}
    status = {"open": "运营", "suspended": "暂停", "closed": "关闭", "planned": "筹建"}[f.get("status", "open")]
    return [
        station_id,
        f["name"],
        f["township_code"],
        f.get("lon", ""),
        f.get("lat", ""),
        f.get("social_workers", ""),
        f.get("certified_workers", ""),
        f.get("households_served", ""),
        f.get("people_served", ""),
        f.get("case_files", ""),
        status,
    ]


def ledger_csv(rows: list[list[Any]], header: tuple[str, ...] = LEDGER_HEADER) -> bytes:
    """UTF-8 CSV bytes of a ledger."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def ledger_xlsx(rows: list[list[Any]], header: tuple[str, ...] = LEDGER_HEADER) -> bytes:
    """XLSX bytes of a ledger (one sheet, header on the first row)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "11月台账"
    ws.append(list(header))
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def snapshot(registry: Registry) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key: equal snapshots mean an unchanged registry."""
    out = {}
    with registry.engine.connect() as conn:
        for name, table in schema.metadata.tables.items():
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            out[name] = [tuple(r) for r in rows]
    return out


# --------------------------------------------------------------------------- child processes (spawned)
class GateClock:
    """A clock that, at its first call (inside the writer's transaction, after the head was checked),
    waits at ``barrier`` for the other writer: both then hold the same base version.  On SQLite the
    other writer is still waiting for the database lock, so the wait ends at ``timeout_s``."""

    def __init__(self, barrier: Any, timeout_s: float) -> None:
        self.barrier = barrier
        self.timeout_s = timeout_s
        self.waited = False

    def __call__(self) -> dt.datetime:
        import contextlib
        import threading

        from coverage.registry.store import utc_now

        if not self.waited:
            self.waited = True
            with contextlib.suppress(threading.BrokenBarrierError):
                self.barrier.wait(timeout=self.timeout_s)
        return utc_now()


class SignalClock:
    """A clock that sets ``event`` at its ``after``-th call: the writer is then inside its transaction."""

    def __init__(self, event: Any, after: int) -> None:
        self.event = event
        self.after = after
        self.calls = 0

    def __call__(self) -> dt.datetime:
        from coverage.registry.store import utc_now

        self.calls += 1
        if self.calls == self.after:
            self.event.set()
        return utc_now()


def edit_once(url: str, base: int, by: str, start: Any, gate: Any, gate_timeout_s: float, results: Any) -> None:
    """Child: change S1 from version ``base``; report ("ok", by, version) or ("conflict", by, message)."""
    from coverage.registry.store import ConflictError, open_registry

    registry = open_registry(url, seed=False, clock=GateClock(gate, gate_timeout_s))
    start.wait(timeout=60)
    try:
        written = registry.change("S1", base, {"social_workers": 7, "contact": by}, "2024-11-30", by)
        results.put(("ok", by, written.version_id))
    except ConflictError as exc:
        results.put(("conflict", by, str(exc)))


def increment_many(url: str, worker: int, times: int, start: Any, results: Any) -> None:
    """Child: ``times`` times, add one to the shared station's case files (reloading and retrying on a
    conflict) and change the worker's own station; report the conflicts met."""
    from coverage.registry.store import ConflictError, open_registry

    registry = open_registry(url, seed=False)
    start.wait(timeout=60)
    conflicts = 0
    own = f"W{worker}"
    for i in range(times):
        while True:
            head = registry.head("SHARED")
            assert head is not None
            try:
                registry.change("SHARED", head["version_id"], {"case_files": head["case_files"] + 1}, "2024-11-30", own)
                break
            except ConflictError:
                conflicts += 1
        mine = registry.head(own)
        assert mine is not None
        registry.change(own, mine["version_id"], {"households_served": i + 1}, "2024-11-30", own)
    results.put((worker, conflicts))


def accept_until_killed(url: str, submission_id: int, inside: Any) -> None:
    """Child: accept a large submission; ``inside`` is set once the transaction has written 200 rows."""
    from coverage.registry import ledger
    from coverage.registry.store import open_registry

    registry = open_registry(url, seed=False, clock=SignalClock(inside, 400))  # two clock calls per row
    ledger.accept(registry, submission_id, "审核员")


def write_until_killed(url: str, inside: Any) -> None:
    """Child: add stations in one transaction, forever; ``inside`` is set after the 200th."""
    from coverage.registry.store import open_registry

    registry = open_registry(url, seed=False)
    with registry.engine.begin() as conn:
        i = 0
        while True:
            fields = {"name": f"K{i}", "township_code": CHENGXIANG, "status": "open", "social_workers": i % 9}
            registry.add(f"K{i}", "45", fields, "2024-11-30", "loader", conn=conn)
            i += 1
            if i == 200:
                inside.set()


def open_at_once(url: str, start: Any, results: Any) -> None:
    """Child: open (create, migrate, seed) the registry at the same moment as the others."""
    from coverage.registry.store import open_registry

    start.wait(timeout=60)
    registry = open_registry(url)
    results.put(len(registry.heads()))


# --------------------------------------------------------------------------- November ledgers of the seeded registry
#: 武鸣区 (450110) for 2024-11: its two demo stations with staff and caseload, and two new stations
#: (太平镇, 双桥镇: townships without a station) - accepting it covers two more townships.
NOVEMBER_WUMING = [
    ["GX-DEMO-0115", "武鸣区城厢镇社工站", CHENGXIANG, 108.27296, 23.16082, 3, 1, 120, 300, 10, "运营"],
    ["GX-DEMO-0288", "武鸣区马头镇社工站", MATOU, 107.904421, 23.28722, 2, 0, 80, 150, 4, "运营"],
    ["", "武鸣区太平镇社工站", TAIPING, "", "", 2, 1, 40, 90, 2, "运营"],
    ["", "武鸣区双桥镇社工站", SHUANGQIAO, "", "", 2, 0, 30, 60, 1, "运营"],
]
#: 青秀区 (450103) for 2024-11: its demo station, a new one in 新竹街道, and a row of 武鸣区 (refused).
NOVEMBER_QINGXIU = [
    ["GX-DEMO-0112", "青秀区津头街道社工站", "450103005", 108.490092, 22.788704, 2, 1, 60, 140, 5, "运营"],
    ["", "青秀区新竹街道社工站", XINZHU, "", "", 1, 0, 20, 45, 0, "运营"],
    ["", "武鸣区太平镇社工站", TAIPING, "", "", 2, 1, 40, 90, 2, "运营"],
]
