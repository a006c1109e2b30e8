"""``python -m coverage users ...`` and ``python -m coverage audit``: accounts and the audit trail.

``users add`` creates an account (the first one of a registry is an admin and needs no login; the
others are added by an admin, ``--user ADMIN``); ``users list`` shows them (never a password hash);
``users disable`` stops one from logging in; ``users passwd`` sets a new password (an admin for anyone
in scope, anyone for themselves).  ``audit`` shows or exports the trail of every write and refusal.

Passwords come from the environment (:data:`settings.PASSWORD_ENV` for the one logging in,
:data:`settings.NEW_PASSWORD_ENV` for a new one) or are typed in a terminal; they are never printed.
Who may do what is decided by the library (:mod:`coverage.registry.accounts`); a refusal is exit 2.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from coverage import settings
from coverage._errors import InputError
from coverage.cli.common import (
    acting,
    db_arg,
    iso_date,
    json_flag,
    json_records,
    json_value,
    output_path,
    print_json,
    read_password,
    user_arg,
)

if TYPE_CHECKING:
    from coverage.registry.accounts import Actor
    from coverage.registry.store import Registry

#: Columns of ``users list`` (what :func:`coverage.registry.accounts.users` returns; no hash).
USER_COLUMNS = ["username", "display_name", "role", "scope", "active", "locked_until", "created_at"]


# --------------------------------------------------------------------------- helpers
def _open(args: argparse.Namespace) -> Registry:
    """The registry of ``--db``; a new one is loaded with the embedded lists first (as ``registry``
    commands do), so its stations are in place before the first account exists."""
    from coverage.registry.store import open_registry

    return open_registry(args.db)


def _logged_in(args: argparse.Namespace, registry: Registry) -> Actor:
    """The account of ``--user`` (see :func:`coverage.cli.common.acting`); a registry without accounts has none."""
    by = acting(args, registry)
    if isinstance(by, str):
        msg = "this registry has no accounts yet; create the first admin with `python -m coverage users add NAME --role admin --scope 45`"
        raise InputError(msg)
    return by


def _new_password() -> str:
    """A new password: :data:`settings.NEW_PASSWORD_ENV`, else typed twice in a terminal; checked for length."""
    from coverage.registry.accounts import check_password

    password = read_password(settings.NEW_PASSWORD_ENV, "new password: ", twice=True)
    check_password(password)
    return password


def _scope_text(code: str) -> str:
    from coverage.data.register import load_register

    return f"{code} {load_register().unit(code)[1]}"


# --------------------------------------------------------------------------- commands
def cmd_users_add(args: argparse.Namespace) -> int:
    from coverage.registry.accounts import add_user, check_scope, has_accounts

    registry = _open(args)
    scope, note = check_scope(args.scope)  # a wrong scope is refused before any password is asked
    first = not has_accounts(registry)
    if first and args.user:
        msg = f"--user {args.user}: this registry has no accounts yet; the first admin is added without --user"
        raise InputError(msg)
    by = None if first else _logged_in(args, registry)
    actor = add_user(registry, args.name, _new_password(), args.role, scope, args.display_name or "", by=by)
    document = {
        "username": actor.username,
        "display_name": actor.display_name,
        "role": actor.role,
        "scope": actor.scope,
        "scope_name": _scope_text(actor.scope).split(" ", 1)[1],
        "note": note or None,
        "by": by.label if by else None,
    }
    if args.json:
        print_json(document)
        return 0
    made = f" by {by.label}" if by else " (the registry's first account)"
    print(
        f"account {actor.username} ({actor.display_name}) added{made}: {actor.role}, scope {_scope_text(actor.scope)}"
    )
    if note:
        print(f"  note: {note}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from coverage.registry.accounts import users

    table = users(_open(args))
    document = {"accounts": json_records(table, USER_COLUMNS)}
    if args.json:
        print_json(document)
        return 0
    if not document["accounts"]:
        print("no accounts: the registry is in single-user mode (writes name who made them with --by)")
        return 0
    print(f"{len(table)} accounts")
    for a in document["accounts"]:
        state = "active" if a["active"] else "disabled"
        if a["locked_until"]:
            state += f", locked until {a['locked_until'][:16].replace('T', ' ')} UTC"
        print(f"  {a['username']} ({a['display_name']}): {a['role']}, scope {_scope_text(a['scope'])}, {state}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from coverage.registry.accounts import disable_user

    registry = _open(args)
    by = _logged_in(args, registry)
    disable_user(registry, args.name, by)
    if args.json:
        print_json({"username": args.name, "active": False, "by": by.label})
        return 0
    print(f"account {args.name} disabled by {by.label}: it can no longer log in (its rows keep its name)")
    return 0


def cmd_users_passwd(args: argparse.Namespace) -> int:
    from coverage.registry.accounts import set_password

    registry = _open(args)
    by = _logged_in(args, registry)
    set_password(registry, args.name, _new_password(), by)
    if args.json:
        print_json({"username": args.name, "password_changed": True, "by": by.label})
        return 0
    print(f"password of {args.name} changed by {by.label}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from coverage.data.io import write_table
    from coverage.registry import audit

    table = audit.trail(_open(args), user=args.user, since=args.since, station=args.station)
    columns = list(audit.COLUMNS)
    trail = json_records(table, columns)
    document = {
        "filters": {"user": args.user, "since": json_value(args.since), "station": args.station},
        "rows": len(table),
        "trail": trail,
        "out": str(args.out) if args.out else None,
    }
    if args.out:
        write_table(table, args.out, sheet="audit")
    if args.json:
        print_json(document)
        return 0
    shown = trail if args.all else trail[-settings.AUDIT_PRINTED_ROWS :]
    print(f"audit trail: {len(table)} rows (times in UTC)")
    if len(shown) < len(trail):
        print(
            f"  … {len(trail) - len(shown)} earlier rows not shown (the newest {len(shown)} follow; --all or --out to see every row)"
        )
    for r in shown:
        role = f" [{r['role']}]" if r["role"] else ""
        what = " ".join(dict.fromkeys(str(r[k]) for k in ("target", "station_id") if r[k]))  # each once
        detail = f"; {r['detail']}" if r["detail"] else ""
        print(
            f"  #{r['id']} {r['at'][:16].replace('T', ' ')} {r['actor']}{role} {r['action']} {what}: {r['outcome']}{detail}"
        )
        for key in ("before", "after"):
            if r[key]:
                print(f"      {key} {r[key]}")
    if args.out:
        print(f"written to {args.out}")
    return 0


# --------------------------------------------------------------------------- parser
def add_parsers(sub: Any) -> None:
    """Add ``users`` and ``audit`` to the ``python -m coverage`` sub-parsers."""
    from coverage.registry import ROLES

    users = sub.add_parser("users", help="accounts of the registry: add, list, disable, new password")
    u_sub = users.add_subparsers(dest="users_command", required=True)
    new_pw = f"the new password from ${settings.NEW_PASSWORD_ENV}, else typed twice in a terminal"

    p = u_sub.add_parser("add", help=f"add an account (the first is an admin and needs no --user); {new_pw}")
    p.add_argument("name", help="user name: letters, digits, '.', '_' or '-'")
    p.add_argument("--role", choices=ROLES, required=True, help="what the account may do")
    p.add_argument("--scope", required=True, help="province (45), city (4501) or county (450181) code it acts in")
    p.add_argument("--display-name", default=None, help="name shown with its rows (default: the user name)")
    user_arg(p)
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_users_add)

    p = u_sub.add_parser("list", help="every account: role, scope, active, locked (never a password)")
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_users_list)

    p = u_sub.add_parser("disable", help="stop an account from logging in (an admin, --user)")
    p.add_argument("name", help="the account to disable")
    user_arg(p)
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_users_disable)

    p = u_sub.add_parser(
        "passwd", help=f"set a new password (an admin for anyone in scope; anyone for themselves); {new_pw}"
    )
    p.add_argument("name", help="the account whose password changes")
    user_arg(p)
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_users_passwd)

    p = sub.add_parser("audit", help="the audit trail: every write and refusal, who, when, before and after")
    p.add_argument("--user", default=None, help="only this user's rows (user name), including changes to the account")
    p.add_argument("--since", type=iso_date, default=None, help="from this day on, YYYY-MM-DD (China time)")
    p.add_argument("--station", default=None, help="only rows about this station id")
    p.add_argument("--out", type=output_path(".csv", ".xlsx"), default=None, help="also write the rows (.csv or .xlsx)")
    p.add_argument(
        "--all", action="store_true", help=f"print every row, not only the newest {settings.AUDIT_PRINTED_ROWS}"
    )
    db_arg(p)
    json_flag(p)
    p.set_defaults(func=cmd_audit)
