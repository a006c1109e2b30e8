"""``python -m coverage registry ...``: the station registry and its monthly ledgers.

``init`` creates (or upgrades) the registry and loads the embedded lists into a new one;
``import`` submits a county's monthly ledger and prints what it would change; ``accept`` and
``reject`` record a reviewer's decisions; ``history`` lists a station's versions;
``submissions`` tells who has reported for a month; ``export`` and ``restore`` copy the whole
registry to a file and back.  ``--db`` (default: the ``COVERAGE_DB`` environment variable, else
the embedded SQLite file) names the database; a password in it is never printed.  The writes
(``import``, ``accept``, ``reject``) are made as ``--by NAME`` in a registry without accounts, and
as ``--user NAME``, logged in, in one with accounts (:func:`coverage.cli.common.acting`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coverage import checks, settings
from coverage.cli.common import (
    acting,
    acting_label,
    arg_type,
    db_arg,
    existing_file,
    json_flag,
    json_records,
    output_path,
    print_json,
    province_type,
    station_crs_type,
    user_arg,
    year_month,
)
from coverage.registry.forms import default_person

if TYPE_CHECKING:
    import pandas as pd

    from coverage.registry.store import Registry


# --------------------------------------------------------------------------- argument types
def unit_code(text: str) -> str:
    """``--county``: the 6-digit county or 4-digit city code that submits the ledger."""
    from coverage.registry.ledger import check_unit

    return arg_type(check_unit, "county")(text)


def person(text: str) -> str:
    """``--by``: who submits or decides."""
    from coverage.registry.store import check_person

    return arg_type(check_person, "by")(text)


submission_id = arg_type(checks.Count("submission", at_least=1, example="3"), "submission")


def id_list(text: str) -> list[int]:
    """``--rows``: finding ids separated by commas (the ``id`` column of ``registry import``), e.g. 1,2,5."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        msg = f"--rows {text!r} names no row; give finding ids separated by commas, e.g. 1,2,5"
        raise argparse.ArgumentTypeError(msg)
    rule = checks.Count("finding id", at_least=1, example="1,2,5")
    return sorted({arg_type(rule, "rows")(p) for p in parts})


# --------------------------------------------------------------------------- helpers
def _open(args: argparse.Namespace, seed: bool = True) -> Registry:
    from coverage.registry.store import open_registry

    return open_registry(args.db, seed=seed)


def _counts(registry: Registry) -> dict[str, Any]:
    """Rows per table and stations per province."""
    import sqlalchemy as sa

    from coverage.registry import schema
    from coverage.registry.store import reading

    with reading(registry.engine) as conn:
        rows = {
            name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
            for name, table in schema.metadata.tables.items()
        }
        s = schema.stations
        per_province = conn.execute(
            sa.select(s.c.province_code, sa.func.count()).group_by(s.c.province_code).order_by(s.c.province_code)
        ).all()
    return {"rows": rows, "stations_by_province": {str(k): int(v) for k, v in per_province}}


FINDING_COLUMNS = ["id", "row", "kind", "station_id", "valid_from", "message", "decision"]


def _findings(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return json_records(rows, FINDING_COLUMNS)


def _print_findings(rows: pd.DataFrame) -> None:
    for f in _findings(rows):
        where = f"row {f['row']}" if f["row"] is not None else "not listed"
        station = f" {f['station_id']}" if f["station_id"] else ""
        print(f"  #{f['id']} {where}: {f['kind']}{station} ({f['decision']}); {f['message']}")


def _decisions(rows: pd.DataFrame) -> dict[str, int]:
    counts = rows["decision"].value_counts()
    return {k: int(counts.get(k, 0)) for k in ("pending", "accepted", "rejected")}


def review_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Findings for a reviewer: one row per finding, the registry's and the ledger's value of every field either names."""
    import pandas as pd

    from coverage.registry.store import FIELDS

    befores = [json.loads(b) if isinstance(b, str) else {} for b in rows["before_json"]]
    proposals = [json.loads(p) if isinstance(p, str) else {} for p in rows["proposed_json"]]
    named = [f for f in FIELDS if any(f in p for p in proposals)]  # what the ledgers speak of
    out = pd.DataFrame(_findings(rows), columns=FINDING_COLUMNS)
    for field in named:
        out[f"{field} (registry)"] = [b.get(field) for b in befores]
        out[f"{field} (ledger)"] = [p.get(field) for p in proposals]
    return out


# --------------------------------------------------------------------------- commands
def cmd_init(args: argparse.Namespace) -> int:
    from coverage.registry.migrate import current_revision

    registry = _open(args, seed=False)
    seeded = 0
    if not args.empty and registry.is_empty():
        from coverage.registry.seed import seed_embedded

        seeded = seed_embedded(registry)
    document = {
        "backend": registry.backend,
        "url": registry.url,
        "revision": current_revision(registry.engine),
        "seeded": seeded,
        **_counts(registry),
    }
    if args.json:
        print_json(document)
        return 0
    rows = document["rows"]
    print(f"registry: {document['backend']} at {document['url']} (schema revision {document['revision']})")
    if seeded:
        print(f"  new registry: {seeded} stations loaded from the embedded lists")
    per = ", ".join(f"{k}: {v}" for k, v in document["stations_by_province"].items()) or "none"
    print(f"  {rows['stations']} stations ({per}), {rows['versions']} versions")
    print(
        f"  {rows['submissions']} ledger submissions, {rows['submission_rows']} findings, {rows['decisions']} decisions"
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    import pandas as pd

    from coverage.data.io import write_sheets
    from coverage.registry import ledger

    registry = _open(args)
    by = acting(args, registry)
    sub = ledger.submit(
        registry, Path(args.file).read_bytes(), Path(args.file).name, args.month, args.county, by, crs=args.crs
    )
    rows = sub.rows
    if args.accept_all:
        rows = _accept_all(registry, sub.submission_id, by)
    if args.review:
        report = ledger.submission_report(registry, sub.submission_id)
        write_sheets({"findings": review_table(rows), "import report": pd.DataFrame(report["report"])}, args.review)
    document = {
        "submission_id": sub.submission_id,
        "unit": sub.unit_code,
        "month": sub.month,
        "filename": sub.filename,
        "sha256": sub.sha256,
        "summary": sub.summary,
        "decisions": _decisions(rows),
        "notes": sub.notes,
        "findings": _findings(rows),
        "review": str(args.review) if args.review else None,
    }
    if args.json:
        print_json(document)
        return 0
    print(
        f"submission {sub.submission_id}: {sub.unit_code} {sub.month}, {sub.filename} (sha256 {sub.sha256[:12]}), by {acting_label(by)}"
    )
    print("  " + ", ".join(f"{k} {v}" for k, v in sub.summary.items()))
    for note in sub.notes:
        print(f"  note: {note}")
    _print_findings(rows)
    d = _decisions(rows)
    if args.accept_all:
        print(f"accepted {d['accepted']}, rejected {d['rejected']} (rows that cannot be accepted)")
    else:
        print(
            f"nothing changed yet: `python -m coverage registry accept {sub.submission_id}` (or --rows ID,...) to accept"
        )
    if args.review:
        print(f"findings written to {args.review}")
    return 0


def _accept_all(registry: Registry, submission_id: int, by: Any) -> pd.DataFrame:
    """``import --accept-all``: accept what was just submitted; when the actor may not review, say that the
    submission is kept and who can accept it."""
    from coverage.registry import ledger
    from coverage.registry.accounts import AccessDenied

    try:
        return ledger.accept(registry, submission_id, by)
    except AccessDenied as exc:
        msg = (
            f"submission {submission_id} is stored, but {exc}; a reviewer or an admin accepts it with "
            f"`python -m coverage registry accept {submission_id} --user NAME`"
        )
        raise AccessDenied(msg) from None


def _decide(args: argparse.Namespace, decision: str) -> int:
    from coverage.registry import ledger

    registry = _open(args)
    decide = ledger.accept if decision == "accepted" else ledger.reject
    by = acting(args, registry)
    before = ledger.rows(registry, args.submission)
    rows = decide(registry, args.submission, by, args.rows)
    changed = rows[rows["decision"] != before["decision"]]
    document = {
        "submission_id": args.submission,
        "decided": _findings(changed),
        "decisions": _decisions(rows),
        "versions": [int(v) for v in changed["version_id"].dropna()],
    }
    if args.json:
        print_json(document)
        return 0
    d = document["decisions"]
    print(f"submission {args.submission}: {len(changed)} findings decided by {acting_label(by)}")
    _print_findings(changed)
    print(f"  now accepted {d['accepted']}, rejected {d['rejected']}, pending {d['pending']}")
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    return _decide(args, "accepted")


def cmd_reject(args: argparse.Namespace) -> int:
    return _decide(args, "rejected")


HISTORY_COLUMNS = [
    "version_id", "valid_from", "recorded_at", "recorded_by", "action", "source", "status", "name",
    "township_code", "lon", "lat", "opened", "closed", "social_workers", "certified_workers",
    "households_served", "people_served", "case_files",
]  # fmt: skip


def cmd_history(args: argparse.Namespace) -> int:
    from coverage.registry.store import FIELDS, VERSION_META

    registry = _open(args)
    history = registry.history(args.station_id)
    columns = [c for c in (*VERSION_META, "submission_id", *FIELDS) if c in history]
    document = {"station_id": args.station_id, "versions": json_records(history, columns)}
    if args.json:
        print_json(document)
        return 0
    print(f"station {args.station_id}: {len(history)} versions, in the order the registry recorded them")
    for v in json_records(history, HISTORY_COLUMNS):
        staff = f", {v['social_workers']} social workers" if v["social_workers"] is not None else ""
        print(
            f"  v{v['version_id']} valid from {v['valid_from']}, recorded {v['recorded_at'][:16].replace('T', ' ')} UTC by {v['recorded_by']} "
            f"({v['action']}, {v['source']}): {v['status']}, {v['name']}, {v['township_code']}{staff}"
        )
    return 0


def cmd_submissions(args: argparse.Namespace) -> int:
    from coverage.registry import ledger

    registry = _open(args)
    table = ledger.status_by_county(registry, args.province, args.month)
    columns = ["county_code", "county_name", "state", "submission_id", "submitted_at", "review"]
    counts = table["state"].value_counts()
    states = {k: int(counts.get(k, 0)) for k in ("submitted", "late", "missing", "not due")}
    document = {
        "province": args.province,
        "month": args.month,
        "due": ledger.due_date(args.month).isoformat(),
        "states": states,
        "counties": json_records(table, columns),
    }
    if args.json:
        print_json(document)
        return 0
    print(
        f"ledgers of {args.month} in province {args.province} (due {document['due']}): "
        + ", ".join(f"{k} {v}" for k, v in states.items())
    )
    for c in document["counties"]:
        sub = f" submission {c['submission_id']} ({c['review']})" if c["submission_id"] is not None else ""
        print(f"  {c['county_code']} {c['county_name']}: {c['state']}{sub}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from coverage.registry import dump

    registry = _open(args)
    dump.export(registry, args.out)
    counts = _counts(registry)
    counts["rows"] = {k: v for k, v in counts["rows"].items() if k in dump.TABLES}  # accounts stay home
    document = {"out": str(args.out), "url": registry.url, **counts}
    if args.json:
        print_json(document)
        return 0
    rows = document["rows"]
    print(f"registry {registry.url} written to {args.out}: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from coverage.registry import dump

    registry = _open(args, seed=False)
    counts = dump.restore(registry, args.file)
    document = {"file": str(args.file), "url": registry.url, "rows": counts}
    if args.json:
        print_json(document)
        return 0
    print(f"{args.file} restored into {registry.url}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


# --------------------------------------------------------------------------- parser
def _by_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--by",
        type=person,
        default=default_person(),
        help=f"who {what}, in a registry without accounts (default: your user name)",
    )
    user_arg(p)


def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    registry = sub.add_parser("registry", help="the station registry: history, monthly ledgers, review")
    r_sub = registry.add_subparsers(dest="registry_command", required=True)

    p = r_sub.add_parser("init", help="create or upgrade the registry; a new one is loaded with the embedded lists")
    db_arg(p)
    p.add_argument("--empty", action="store_true", help="do not load the embedded lists into a new registry")
    json_flag(p)
    p.set_defaults(func=cmd_init)

    p = r_sub.add_parser("import", help="submit a monthly ledger (月调度台账) and list what it would change")
    p.add_argument("file", type=existing_file, help="the ledger (.csv or .xlsx)")
    p.add_argument("--month", type=year_month, required=True, help="the ledger's month, YYYY-MM")
    p.add_argument(
        "--county", type=unit_code, required=True, help="6-digit county (or 4-digit city) code submitting it"
    )
    _by_arg(p, "submits it")
    p.add_argument(
        "--crs", type=station_crs_type, default=None, help="coordinates: wgs84 (default), cgcs2000, gcj02, bd09"
    )
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--accept-all", action="store_true", help="accept every finding that can be accepted at once")
    choice.add_argument(
        "--review", type=output_path(".xlsx"), default=None, help="write the findings to an .xlsx for a reviewer"
    )
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_import)

    for name, func, verb in (("accept", cmd_accept, "accepts"), ("reject", cmd_reject, "rejects")):
        p = r_sub.add_parser(name, help=f"{name} a submission's pending findings (all, or --rows)")
        p.add_argument("submission", type=submission_id, help="submission number (from `registry import`)")
        p.add_argument(
            "--rows", type=id_list, default=None, help="finding ids (the # of `registry import`), e.g. 1,2,5"
        )
        _by_arg(p, verb)
        db_arg(p)
        json_flag(p)
        p.set_defaults(func=func)

    p = r_sub.add_parser("history", help="every version of a station")
    p.add_argument("station_id", help="station id, e.g. GX-DEMO-0115")
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_history)

    p = r_sub.add_parser("submissions", help="which counties have submitted a month's ledger")
    p.add_argument("--month", type=year_month, required=True, help="YYYY-MM")
    p.add_argument(
        "--province", type=province_type, default=settings.DEFAULT_PROVINCE, help="code or name (default 45)"
    )
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_submissions)

    p = r_sub.add_parser("export", help="write the whole registry to a .gpkg (GIS, exact restore) or .xlsx")
    p.add_argument("--out", type=output_path(".gpkg", ".xlsx"), required=True, help="the file to write")
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_export)

    p = r_sub.add_parser("restore", help="load an export into an empty registry")
    p.add_argument("file", type=existing_file, help="a .gpkg or .xlsx written by `registry export`")
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_restore)
