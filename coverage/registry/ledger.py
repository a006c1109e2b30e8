"""The monthly ledger (月调度台账): counties submit their station lists, reviewers accept the changes.

:func:`submit` keeps the file as given (bytes, SHA-256, who, when), reads it with the station
importer (every row in the report, as for any file) and compares it with the registry: new
stations, closed, moved (more than :data:`settings.MOVE_THRESHOLD_M`), renamed, staff or caseload
changed, unchanged, and the registry's stations of that county the ledger no longer lists.
Nothing changes in the registry until :func:`accept`; :func:`reject` records a refusal; both are
per row or for the whole submission and are kept (decisions are never overwritten).
:func:`status_by_county` tells, for a month, which counties have submitted, late or not at all.

Valid dates: a row's own opening or closing date when it gives one, else the last day of the
ledger's month (the ledger reports the state at the end of its month).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from coverage import settings
from coverage._errors import InputError
from coverage.checks import parse_month
from coverage.codes import contains, level_of, unit_of
from coverage.registry import audit, schema
from coverage.registry.store import (
    FIELDS,
    ConflictError,
    Registry,
    end_of_day_utc,
    fields_json,
    inserted_id,
    reading,
    records,
)

#: Kinds of finding of a ledger row (a row may carry several, joined by "+").
KINDS = ("new", "closed", "moved", "renamed", "staff", "caseload", "status", "unchanged", "missing", "rejected")
#: Decisions a reviewer records.
DECISIONS = ("accepted", "rejected")
_FILENAME_CHARS = schema.submissions.c.filename.type.length  # type: ignore[attr-defined]
_ID_CHARS = schema.stations.c.station_id.type.length  # type: ignore[attr-defined]

#: Ledger columns beyond the importer's (compared after removing spaces and brackets, lower case).
LEDGER_ALIASES: dict[str, tuple[str, ...]] = {
    "social_workers": (
        "社工人数",
        "社会工作者人数",
        "驻站社工人数",
        "工作人员数",
        "社工数",
        "social_workers",
        "workers",
    ),
    "certified_workers": ("持证社工人数", "持证社工", "持证人数", "持证社工数", "certified_workers", "certified"),
    "households_served": ("服务户数", "走访户数", "服务家庭数", "households_served", "households"),
    "people_served": ("服务人数", "服务对象人数", "服务人次", "people_served", "people"),
    "case_files": ("个案数", "个案数量", "建立个案数", "case_files", "cases"),
    "operator": ("运营机构", "承接机构", "社工机构", "承接单位", "operator"),
    "contact": ("联系人", "联系电话", "联系方式", "contact"),
    "host": ("设立位置", "驻点", "站点位置", "所在层级", "host"),
    "funding_yuan": ("经费", "资金", "年度经费", "经费元", "funding", "funding_yuan"),
    "station_status": ("站点状态", "运营状态", "状态", "station_status"),
    "ledger_month": ("报表月份", "月份", "填报月份", "month"),
}
#: Words of a status column and the registry status they mean.
STATUS_WORDS = {
    "planned": ("筹建", "在建", "拟建", "planned"),
    "suspended": ("暂停", "停运", "suspended"),
    "closed": ("关闭", "撤销", "停止", "已撤", "closed"),
    "open": ("运营", "正常", "开放", "运行", "在运营", "open"),
}
STAFF = ("social_workers", "certified_workers")
CASELOAD = ("households_served", "people_served", "case_files")


@dataclass(frozen=True)
class Submission:
    """A stored submission and its findings (one row per ledger row, plus the stations it no longer lists)."""

    submission_id: int
    unit_code: str
    month: str
    filename: str
    sha256: str
    rows: pd.DataFrame
    notes: list[str]

    @property
    def summary(self) -> dict[str, int]:
        """Findings per kind (a row with several kinds counts under each)."""
        counts: dict[str, int] = {}
        for kind in self.rows["kind"]:
            for part in str(kind).split("+"):
                counts[part] = counts.get(part, 0) + 1
        return counts


def _key(text: str) -> str:
    return re.sub(r"[\s()（）\[\]【】:：_\-]", "", str(text)).lower()


_ALIAS_INDEX = {_key(a): role for role, names in LEDGER_ALIASES.items() for a in names}


def ledger_columns(report: pd.DataFrame) -> dict[str, str]:
    """Ledger field -> the report's ``input: <header>`` column holding it."""
    out: dict[str, str] = {}
    for col in report.columns:
        if col.startswith("input: "):
            role = _ALIAS_INDEX.get(_key(col.removeprefix("input: ")))
            if role and role not in out:
                out[role] = col
    return out


def _number(text: Any) -> float | None:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    found = re.search(r"-?\d+(?:\.\d+)?", str(text).replace(",", ""))
    if not found:
        return None
    value = float(found.group())
    return value * 10_000 if "万" in str(text) else value


def _status(text: Any) -> str | None:
    value = str(text or "").strip().lower()
    if not value or value == "nan":
        return None
    for status, words in STATUS_WORDS.items():
        if any(w in value for w in words):
            return status
    return None


def _host(text: Any) -> str | None:
    value = str(text or "")
    if any(w in value for w in ("村", "社区", "居")):
        return "村居"
    if any(w in value for w in ("镇", "街", "乡")):
        return "镇街"
    return None


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance, metres (for the 200-m "moved" rule; errors far below a metre at that range)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def month_end(month: str) -> dt.date:
    """The last day of a ``YYYY-MM`` month."""
    first = parse_month(month)
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def due_date(month: str) -> dt.date:
    """The day a month's ledger is due (:data:`settings.LEDGER_DUE_DAY` of the next month)."""
    return month_end(month) + dt.timedelta(days=settings.LEDGER_DUE_DAY)


# --------------------------------------------------------------------------- submit
def submit(
    registry: Registry,
    data: bytes,
    filename: str,
    month: str,
    unit_code: str,
    by: str | Any,
    crs: str | None = None,
) -> Submission:
    """Store a county's (6-digit) or city's (4-digit) ledger for ``month`` (``YYYY-MM``) and its diff.

    The registry's stations do not change; see :func:`accept`.  ``by``: who submits (with accounts,
    a logged-in actor allowed to submit ledgers for ``unit_code``).
    """
    from coverage.data.stations import read_stations
    from coverage.registry.accounts import require

    month = parse_month(month).strftime("%Y-%m")
    unit = check_unit(unit_code)
    by = require(registry, by, "submit", unit, action="submit ledger", target=f"{unit} {month}")
    if len(filename) > _FILENAME_CHARS:  # keep its end (the suffix says what it is)
        filename = filename[: _FILENAME_CHARS - 60] + "..." + filename[-57:]
    province = unit_of(unit, "province")
    imported = read_stations(data, filename=filename, province=province, crs=crs)
    notes = list(imported.notes)
    end = month_end(month)
    found = _findings(registry, imported, unit, month, end, notes)
    sha = hashlib.sha256(data).hexdigest()
    with registry.engine.begin() as conn:
        same = conn.execute(
            sa.select(schema.submissions.c.submission_id).where(
                schema.submissions.c.sha256 == sha,
                schema.submissions.c.unit_code == unit,
                schema.submissions.c.month == month,
            )
        ).first()
        if same is not None:
            notes.append(f"the same file was already submitted for {unit} {month} (submission {same[0]})")
        submission_result = conn.execute(
            schema.submissions.insert().values(
                province_code=province,
                unit_code=unit,
                month=month,
                filename=filename,
                content=data,
                sha256=sha,
                submitted_by=by,
                submitted_at=(submitted_at := registry.clock()),
                report_json=json.dumps(
                    {"notes": notes, "report": imported.report.astype(str).to_dict(orient="records")},
                    ensure_ascii=False,
                ),
            )
        )
        submission_id = inserted_id(submission_result)
        for r in found:
            if r["kind"] == "new" and r["station_id"] is None:
                r["station_id"] = new_station_id(unit, month, int(submission_id), int(r["row"]))
        if found:
            conn.execute(schema.submission_rows.insert(), [dict(r, submission_id=submission_id) for r in found])
        audit.record(
            conn, submitted_at, by, by.role, "submit ledger", "ok", target=f"submission {submission_id}",
            scope=unit, after={"month": month, "filename": filename, "sha256": sha, "findings": len(found)},
        )  # fmt: skip
    return Submission(int(submission_id), unit, month, filename, sha, rows(registry, int(submission_id)), notes)


def check_unit(unit_code: str) -> str:
    """The code of a county (6 digits) or city (4 digits) of the register that submits a ledger.

    A mistyped code would otherwise have every row refused as "not in" it.
    """
    from coverage.data.register import load_register

    unit = str(unit_code).strip()
    if not unit.isdigit() or level_of(unit) not in ("city", "county"):
        msg = f"a ledger is submitted by a county (6 digits) or a city (4 digits), not {unit!r}"
        raise InputError(msg)
    code, _name, _note = load_register().unit(unit)  # a former county code gives its successor
    return code


def _findings(
    registry: Registry, imported: Any, unit: str, month: str, end: dt.date, notes: list[str]
) -> list[dict[str, Any]]:
    """One finding per report row (and per registry station the ledger no longer lists), as rows of
    ``submission_rows`` (plain values: a frame would turn the None of a missing row number or an
    absent ``before`` into NaN, which PostgreSQL stores as the text 'NaN')."""
    report = imported.report
    extra = ledger_columns(report)
    placed = {int(st["row"]): st for st in records(imported.stations.drop(columns="geometry"))}
    heads = registry.heads(unit_of(unit, "province"))
    current = registry.current(unit_of(unit, "province"), as_of=end)
    current = current[[contains(unit, str(c or "")) for c in current["township_code"]]] if len(current) else current
    live = current[current["status"] != "closed"] if len(current) else current
    by_id = {str(s): r for s, r in zip(live["station_id"], records(live), strict=True)} if len(live) else {}
    by_town: dict[str, list[dict[str, Any]]] = {}
    for r in by_id.values():
        by_town.setdefault(str(r["township_code"]), []).append(r)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    listed: dict[tuple[str, str], int] = {}  # (township, name) -> the first row listing it
    for rec in records(report):
        row = int(rec["row"])
        cells = {role: rec[col] for role, col in extra.items()}
        other_month = _other_month(cells.get("ledger_month"), month)
        if rec["status"] not in ("matched", "repaired") or row not in placed:
            out.append(
                _row(row, "rejected", None, end, None, None, other_month or f"{rec['status']}: {rec['message']}")
            )
            continue
        st = placed[row]
        code = str(st["township_code"])
        if not contains(unit, code):
            message = f"township {code} is not in {unit}; a county submits only its own stations"
            out.append(_row(row, "rejected", None, end, None, None, other_month or message))
            continue
        proposed = _proposed(st, cells)
        given_id = (
            str(st["station_id"]) if pd.notna(st["station_id"]) and not str(st["station_id"]).startswith("row-") else ""
        )
        match = by_id.get(given_id) if given_id else None
        if match is None:
            candidates = [r for r in by_town.get(code, []) if r["station_id"] not in seen]
            match = candidates[0] if len(candidates) == 1 else None
        if match is not None and match["station_id"] in seen:
            message = f"station {match['station_id']} appears twice in this ledger; keep one row"
            out.append(_row(row, "rejected", str(match["station_id"]), end, None, None, message))
            continue
        name_key = (code, _key(str(proposed.get("name") or "")))
        if match is None and name_key in listed:
            message = f"row {row} repeats row {listed[name_key]} (same township and name); keep one row"
            out.append(_row(row, "rejected", None, end, None, None, message))
            continue
        listed.setdefault(name_key, row)
        if match is not None:
            seen.add(str(match["station_id"]))  # listed, even on a refused row: not "missing"
        if other_month:
            out.append(_row(row, "rejected", match["station_id"] if match else None, end, None, None, other_month))
            continue
        if match is None:
            # a county's own id unless it is taken or a bare serial number (序号, which changes every month);
            # else an id made from the submission (see :func:`new_station_id`)
            usable = given_id and not given_id.isdigit() and given_id not in heads and len(given_id) <= _ID_CHARS
            sid = given_id if usable else None
            valid = proposed.get("opened") or end
            out.append(_row(row, "new", sid, min(valid, end), None, proposed, f"new station {proposed.get('name')}"))
            continue
        kinds, messages = _compare(match, proposed)
        valid = end
        if "closed" in kinds:  # on its closing date if the ledger gives one, else at the end of the month
            valid = min(proposed.get("closed") or end, end)
            proposed["closed"] = proposed.get("closed") or valid
        before = {k: match.get(k) for k in FIELDS} | {"version_id": heads.get(str(match["station_id"]))}
        out.append(
            _row(
                row,
                "+".join(kinds) or "unchanged",
                str(match["station_id"]),
                valid,
                before,
                proposed,
                "; ".join(messages) or "no change",
            )
        )
    for sid, r in by_id.items():
        if sid not in seen:
            before = {k: r.get(k) for k in FIELDS} | {"version_id": heads.get(sid)}
            out.append(
                _row(
                    None,
                    "missing",
                    sid,
                    end,
                    before,
                    {"status": "closed", "closed": end},
                    f"{r.get('name')} is in the registry but not in this ledger; accepting closes it on {end}",
                )
            )
    if any(f["kind"] == "missing" for f in out):
        notes.append(f"{sum(f['kind'] == 'missing' for f in out)} registry stations of {unit} are not in the ledger")
    return out


def _other_month(said: Any, month: str) -> str | None:
    """Why a row is refused when its month column names another month than the ledger's, else None."""
    if said is None or str(said).strip() in ("", "nan"):
        return None
    m = re.search(r"(\d{4})\D{0,3}(\d{1,2})", str(said))
    if m is None or f"{int(m.group(1)):04d}-{int(m.group(2)):02d}" == month:
        return None
    return f"the row is for {m.group(1)}-{int(m.group(2)):02d}, not {month}; submit it with that month"


def new_station_id(unit: str, month: str, submission_id: int, row: int) -> str:
    """The id of a new station a ledger row proposes without an id of its own: county (or city), month,
    submission and row, e.g. ``450110-202411-7-4`` (unique: no two submissions share a number)."""
    return f"{unit}-{month.replace('-', '')}-{submission_id}-{row}"


def _row(
    row: int | None,
    kind: str,
    station_id: str | None,
    valid: dt.date,
    before: dict | None,
    proposed: dict | None,
    message: str,
) -> dict[str, Any]:
    return {
        "row": row,
        "kind": kind,
        "station_id": station_id,
        "valid_from": valid,
        "before_json": fields_json(before) if before is not None else None,
        "proposed_json": fields_json(proposed) if proposed is not None else None,
        "message": message,
    }


def _proposed(st: dict[str, Any], cells: dict[str, Any]) -> dict[str, Any]:
    given = st.get("location_source", "input") == "input"
    out: dict[str, Any] = {
        "name": st["name"],
        "township_code": str(st["township_code"]),
        "county_code": str(st["county_code"]),
        "lon": float(st["lon"]) if given and pd.notna(st["lon"]) else None,
        "lat": float(st["lat"]) if given and pd.notna(st["lat"]) else None,
        "status": _status(cells.get("station_status")) or "open",
        "opened": st["opened"] if pd.notna(st["opened"]) else None,
        "closed": st["closed"] if pd.notna(st["closed"]) else None,
    }
    if out["closed"] is not None:
        out["status"] = "closed"
    for role in (*STAFF, *CASELOAD):
        value = _number(cells.get(role))
        out[role] = int(value) if value is not None and value >= 0 and value == int(value) else None
    for role in ("operator", "contact"):
        value = cells.get(role)
        out[role] = str(value).strip() if value is not None and str(value).strip() not in ("", "nan") else None
    out["host"] = _host(cells.get("host"))
    funding = _number(cells.get("funding_yuan"))
    out["funding_yuan"] = funding
    return {k: v for k, v in out.items() if v is not None or k in ("lon", "lat")}


def _compare(before: dict[str, Any], proposed: dict[str, Any]) -> tuple[list[str], list[str]]:
    kinds, messages = [], []
    if proposed.get("status") == "closed" and before.get("status") != "closed":
        kinds.append("closed")
        messages.append(f"closed{' on ' + str(proposed['closed']) if proposed.get('closed') else ''}")
    elif proposed.get("status") and proposed["status"] != before.get("status"):
        kinds.append("status")
        messages.append(f"status {before.get('status')} -> {proposed['status']}")
    if proposed.get("township_code") != before.get("township_code"):
        kinds.append("moved")
        messages.append(f"township {before.get('township_code')} -> {proposed.get('township_code')}")
    elif proposed.get("lon") is not None and before.get("lon") is not None:
        d = _distance_m(before["lon"], before["lat"], proposed["lon"], proposed["lat"])
        if d > settings.MOVE_THRESHOLD_M:
            kinds.append("moved")
            messages.append(f"moved {d:,.0f} m")
    if proposed.get("name") and str(proposed["name"]).strip() != str(before.get("name") or "").strip():
        kinds.append("renamed")
        messages.append(f"name {before.get('name')} -> {proposed['name']}")
    for group, kind in ((STAFF, "staff"), (CASELOAD, "caseload")):
        changed = [f for f in group if proposed.get(f) is not None and proposed[f] != before.get(f)]
        if changed:
            kinds.append(kind)
            messages.append(", ".join(f"{f} {before.get(f)} -> {proposed[f]}" for f in changed))
    return kinds, messages


# --------------------------------------------------------------------------- review
def rows(registry: Registry, submission_id: int) -> pd.DataFrame:
    """A submission's findings with their latest decision (``pending`` when none)."""
    r, d = schema.submission_rows, schema.decisions
    latest = (
        sa.select(d.c.submission_row_id, sa.func.max(d.c.id).label("last")).group_by(d.c.submission_row_id).subquery()
    )
    query = (
        sa.select(r, d.c.decision, d.c.decided_by, d.c.decided_at, d.c.version_id)
        .select_from(r.outerjoin(latest, latest.c.submission_row_id == r.c.id).outerjoin(d, d.c.id == latest.c.last))
        .where(r.c.submission_id == submission_id)
        .order_by(r.c.id)
    )
    with reading(registry.engine) as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if frame.empty and not _submission(registry, submission_id):
        msg = f"no submission {submission_id}; list them with `python -m coverage registry submissions --month YYYY-MM`"
        raise InputError(msg)
    frame["decision"] = frame["decision"].fillna("pending")
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _submission(registry: Registry, submission_id: int) -> dict[str, Any] | None:
    with reading(registry.engine) as conn:
        row = conn.execute(
            sa.select(schema.submissions).where(schema.submissions.c.submission_id == submission_id)
        ).first()
    return dict(row._mapping) if row is not None else None


def submission_file(registry: Registry, submission_id: int) -> tuple[str, bytes]:
    """The file as it was submitted: (filename, bytes)."""
    sub = _submission(registry, submission_id)
    if sub is None:
        msg = f"no submission {submission_id}"
        raise InputError(msg)
    return str(sub["filename"]), bytes(sub["content"])


def submission_report(registry: Registry, submission_id: int) -> dict[str, Any]:
    """The importer's report of a submission as kept: ``notes`` and ``report`` (one record per input row,
    every cell of the file as text)."""
    sub = _submission(registry, submission_id)
    if sub is None:
        msg = f"no submission {submission_id}"
        raise InputError(msg)
    return dict(json.loads(sub["report_json"]))


def accept(registry: Registry, submission_id: int, by: str | Any, row_ids: list[int] | None = None) -> pd.DataFrame:
    """Accept pending findings (all, or those whose ``id`` is in ``row_ids``): each becomes a version of its
    station with the submission as its source.  One transaction: a conflict changes nothing."""
    return _decide(registry, submission_id, by, row_ids, "accepted")


def reject(registry: Registry, submission_id: int, by: str | Any, row_ids: list[int] | None = None) -> pd.DataFrame:
    """Record that findings are rejected (the file and the rows stay; nothing changes in the registry)."""
    return _decide(registry, submission_id, by, row_ids, "rejected")


def _decide(
    registry: Registry, submission_id: int, by: str | Any, row_ids: list[int] | None, decision: str
) -> pd.DataFrame:
    from coverage.registry.accounts import require

    sub = _submission(registry, submission_id)
    if sub is None:
        msg = f"no submission {submission_id}; list them with `python -m coverage registry submissions --month YYYY-MM`"
        raise InputError(msg)
    action = "accept ledger" if decision == "accepted" else "reject ledger"
    by = require(registry, by, "review", str(sub["unit_code"]), action=action, target=f"submission {submission_id}")
    found = rows(registry, submission_id)
    todo = found[found["decision"] == "pending"]
    if row_ids is not None:
        unknown = sorted(set(row_ids) - set(found["id"]))
        if unknown:
            msg = f"submission {submission_id} has no rows {unknown}; its rows are {found['id'].tolist()}"
            raise InputError(msg)
        todo = todo[todo["id"].isin(row_ids)]
    source = f"ledger {sub['month']} {sub['unit_code']} ({sub['filename']}, submission {submission_id})"
    decided_at: dt.datetime | None = None
    with registry.engine.begin() as conn:
        for r in records(todo):
            version_id, outcome = None, decision
            if decision == "accepted" and r["kind"] == "rejected":
                if row_ids is not None:
                    msg = (
                        f"row {r['row']} of submission {submission_id} was refused ({r['message']}); "
                        "fix the file and submit again"
                    )
                    raise InputError(msg)
                outcome = "rejected"  # accepting everything leaves out what cannot be accepted
            elif decision == "accepted" and r["kind"] != "unchanged":
                version_id = _apply(registry, conn, r, str(sub["province_code"]), by, source, submission_id)
            conn.execute(
                schema.decisions.insert().values(
                    submission_row_id=int(r["id"]),
                    decision=outcome,
                    decided_by=by,
                    decided_at=(decided_at := registry.clock()),
                    version_id=version_id,
                )
            )
        audit.record(
            conn, decided_at or registry.clock(), by, by.role, action, "ok",
            target=f"submission {submission_id}",
            scope=str(sub["unit_code"]), after={"findings": [int(i) for i in todo["id"]], "decision": decision},
        )  # fmt: skip
    return rows(registry, submission_id)


def _apply(
    registry: Registry, conn: sa.Connection, r: dict[str, Any], province: str, by: str, source: str, submission_id: int
) -> int:
    proposed = json.loads(r["proposed_json"] or "{}")
    valid = r["valid_from"]
    if r["kind"] == "new":
        return registry.add(
            str(r["station_id"]), province, proposed, valid, by, source, submission_id, conn=conn
        ).version_id
    before = json.loads(r["before_json"] or "{}")
    changes = {k: v for k, v in proposed.items() if k in FIELDS and v is not None}
    if (
        "township_code" in proposed
        and proposed["township_code"] != before.get("township_code")
        and not changes.get("lon")
    ):
        changes |= {"lon": None, "lat": None}  # in another township without coordinates: not at the old point
    action = "close" if r["kind"] == "missing" or "closed" in r["kind"] else "ledger"
    try:
        return registry.change(
            str(r["station_id"]), before.get("version_id"), changes, valid, by, source, action, submission_id, conn=conn
        ).version_id
    except ConflictError as exc:
        where = f"row {r['row']}" if pd.notna(r["row"]) else f"the closing of {r['station_id']} (not in the ledger)"
        msg = f"{where} of submission {submission_id}: {exc}; submit the ledger again to compare with the newer state"
        raise ConflictError(msg) from None


# --------------------------------------------------------------------------- who has reported
def submissions(registry: Registry, province: str | None = None, month: str | None = None) -> pd.DataFrame:
    """Submissions (without their bytes) with counts of pending, accepted and rejected findings."""
    s = schema.submissions
    cols = [c for c in s.c if c.name != "content"]
    query = sa.select(*cols)
    if province:
        query = query.where(s.c.province_code == province)
    if month:
        query = query.where(s.c.month == parse_month(month).strftime("%Y-%m"))
    with reading(registry.engine) as conn:
        result = conn.execute(query.order_by(s.c.submission_id))
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys())).drop(
            columns=["report_json"], errors="ignore"
        )
    states = []
    for sid in frame["submission_id"] if len(frame) else []:
        decided = rows(registry, int(sid))["decision"].value_counts()
        states.append({k: int(decided.get(k, 0)) for k in ("pending", "accepted", "rejected")})
    for key in ("pending", "accepted", "rejected"):
        frame[key] = [s[key] for s in states] if states else pd.Series(dtype=int)
    return frame


def status_by_county(
    registry: Registry, province: str, month: str, today: dt.date | None = None, counties: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per county of ``province``: ``submitted`` (by the due date), ``late``, ``missing`` (due date passed,
    nothing submitted) or ``not due`` yet, with the latest submission and its review state.

    The due date is a day in China: a ledger counts as on time when its first submission was recorded
    before the end of :func:`due_date` (Asia/Shanghai); a corrected file sent later does not make it
    late.  ``today`` (default: today in China) decides between ``missing`` and ``not due``.  A city's
    ledger counts for each of its counties.  ``counties``: code and name (default: the register).
    """
    from zoneinfo import ZoneInfo

    from coverage.data.register import load_register

    month = parse_month(month).strftime("%Y-%m")
    today = today or dt.datetime.now(ZoneInfo(settings.LOCAL_TZ)).date()
    if counties is None:
        reg = load_register()
        counties = reg.counties[reg.counties["code"].str.startswith(str(province))][["code", "name"]]
    subs = submissions(registry, province, month)
    due = due_date(month)
    deadline = end_of_day_utc(due)
    out = []
    for code, name in zip(counties["code"], counties["name"], strict=True):
        mine = subs[[contains(str(u), str(code)) for u in subs["unit_code"]]] if len(subs) else subs
        if len(mine):
            last = mine.iloc[-1]
            state = "submitted" if pd.Timestamp(mine["submitted_at"].min()) < deadline else "late"
            review = next((k for k in ("pending", "accepted", "rejected") if last[k]), "empty")
            out.append(
                {
                    "county_code": code,
                    "county_name": name,
                    "state": state,
                    "submission_id": int(last["submission_id"]),
                    "submitted_at": last["submitted_at"],
                    "review": review,
                }
            )
        else:
            out.append(
                {
                    "county_code": code,
                    "county_name": name,
                    "state": "missing" if today > due else "not due",
                    "submission_id": None,
                    "submitted_at": None,
                    "review": None,
                }
            )
    table = pd.DataFrame(out)
    table["submission_id"] = table["submission_id"].astype("Int64")
    return table
