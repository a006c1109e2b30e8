"""Accounts, roles and scopes: who may write what in the registry.

A registry without accounts (the embedded default) runs in single-user mode: a write names who
made it, and that is all.  Once it has an account, every write needs an :class:`Actor` that has
logged in (:func:`login`), and the registry itself refuses what the actor's role and scope do not
allow - the app hides what a role cannot do, but the check is here, for the Python API and the
command line alike.  Every write and every refusal goes into the audit trail
(:mod:`coverage.registry.audit`).

Roles (:data:`coverage.registry.ROLES`):

* ``admin`` - accounts, and everything a reviewer and an editor may do, in its scope (a province);
* ``reviewer`` - accept or reject submitted ledgers in scope;
* ``editor`` - edit, add, move and close stations, and submit ledgers, in scope;
* ``viewer`` - read only.

A scope is a 2-digit province, 4-digit city or 6-digit county code: an account acts on stations and
ledgers inside it.  Passwords are hashed with Argon2id (``argon2-cffi``) and never stored or
logged in plain text; :data:`settings.LOGIN_MAX_FAILURES` failures in a row lock an account for
:data:`settings.LOGIN_LOCK_MIN` minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from coverage import settings
from coverage._errors import InputError
from coverage.codes import contains, level_of
from coverage.registry import ROLES, schema
from coverage.registry.audit import record
from coverage.registry.store import Checked, Registry, check_person, reading

#: What each role may do (an admin may do everything).
ALLOWED = {
    "admin": {"admin", "review", "edit", "submit"},
    "reviewer": {"review"},
    "editor": {"edit", "submit"},
    "viewer": set(),
}


class AccessDenied(InputError):
    """The actor's role or scope does not allow this write (it was refused and recorded)."""


class LoginFailed(InputError):
    """Wrong name or password, a disabled or a locked account (recorded)."""


@dataclass(frozen=True)
class Actor:
    """Someone who has logged in: the name kept with every row they write, their role and scope."""

    username: str
    display_name: str
    role: str
    scope: str

    def may(self, what: str, code: str = "") -> bool:
        """True when the role allows ``what`` (admin/review/edit/submit) for a place ``code`` in scope."""
        return what in ALLOWED.get(self.role, set()) and contains(self.scope, code or self.scope)

    @property
    def label(self) -> str:
        """How the registry names the actor in the rows it writes: ``display name (username)``."""
        return f"{self.display_name} ({self.username})"


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def has_accounts(registry: Registry) -> bool:
    """True once the registry has any account (then every write needs a logged-in actor)."""
    with reading(registry.engine) as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.accounts)).scalar_one() > 0


def _check_new_account(username: str, role: str, scope: str, password: str) -> None:
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        msg = f"user name {username!r}: 1 to 64 letters, digits, '.', '_' or '-'"
        raise InputError(msg)
    if role not in ROLES:
        msg = f"role {role!r} is not one of {', '.join(ROLES)}"
        raise InputError(msg)
    if role == "admin" and level_of(scope) != "province":
        msg = f"an admin's scope is a province (2 digits), not {scope!r}"
        raise InputError(msg)
    check_password(password)


def check_scope(scope: str) -> tuple[str, str]:
    """An account's scope as the register names it: ``(code, note)``; a former county code gives its
    successor (横县 450127 -> 横州市 450181) and a note saying so; an unknown code is refused."""
    from coverage.data.register import load_register

    code, _name, note = load_register().unit(str(scope).strip())
    return code, note


def check_password(password: str) -> None:
    """Refuse a password shorter than :data:`settings.PASSWORD_MIN_CHARS` characters."""
    if len(password) < settings.PASSWORD_MIN_CHARS:
        msg = f"the password is too short; give at least {settings.PASSWORD_MIN_CHARS} characters"
        raise InputError(msg)


def add_user(
    registry: Registry,
    username: str,
    password: str,
    role: str,
    scope: str,
    display_name: str = "",
    by: Actor | None = None,
) -> Actor:
    """Create an account.  The first account of a registry must be an admin and needs no ``by``;
    after that only an admin may add accounts, in its scope.  ``scope`` is checked against the
    register (:func:`check_scope`: a former county code becomes its successor's)."""
    username, (scope, _note) = str(username).strip(), check_scope(scope)
    _check_new_account(username, role, scope, password)
    display = check_person(display_name or username)
    first = not has_accounts(registry)
    if first and role != "admin":
        msg = "the first account of a registry must be an admin (it creates the others)"
        raise InputError(msg)
    if not first:
        require(registry, by, "admin", scope, action="add user", target=username)
    with registry.engine.begin() as conn:
        if conn.execute(sa.select(schema.accounts.c.username).where(schema.accounts.c.username == username)).first():
            msg = f"there is already an account {username!r}; choose another name"
            raise InputError(msg)
        conn.execute(
            schema.accounts.insert().values(
                username=username,
                display_name=display,
                role=role,
                scope=scope,
                active=True,
                password_hash=_hasher().hash(password),
                failed_logins=0,
                locked_until=None,
                created_at=registry.clock(),
            )
        )
        record(
            conn, registry.clock(), by.label if by else display, by.role if by else "admin", "add user", "ok",
            target=username, scope=scope, after={"role": role, "scope": scope, "display_name": display},
        )  # fmt: skip
    return Actor(username, display, role, scope)


def login(registry: Registry, username: str, password: str) -> Actor:
    """The actor of ``username`` when ``password`` is theirs; :class:`LoginFailed` otherwise (recorded)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    now = registry.clock()
    a = schema.accounts
    with registry.engine.begin() as conn:
        row = conn.execute(sa.select(a).where(a.c.username == str(username).strip())).first()
        problem = None
        if row is None or not row.active:
            problem = "unknown or disabled account"
        elif row.locked_until is not None and row.locked_until > now:
            problem = f"account locked until {row.locked_until:%Y-%m-%d %H:%M} UTC"
        else:
            try:
                _hasher().verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                problem = "wrong password"
        if problem is None and row is not None:
            conn.execute(a.update().where(a.c.username == row.username).values(failed_logins=0, locked_until=None))
            record(conn, now, f"{row.display_name} ({row.username})", row.role, "login", "ok", target=row.username)
            return Actor(row.username, row.display_name, row.role, row.scope)
        if row is not None and problem == "wrong password":
            failures = row.failed_logins + 1
            locked = (
                now + dt.timedelta(minutes=settings.LOGIN_LOCK_MIN) if failures >= settings.LOGIN_MAX_FAILURES else None
            )
            conn.execute(
                a.update()
                .where(a.c.username == row.username)
                .values(failed_logins=0 if locked else failures, locked_until=locked)
            )
            if locked:
                problem = f"wrong password; account locked for {settings.LOGIN_LOCK_MIN} minutes"
        record(
            conn, now, str(username)[:100] or "?", None, "login", "refused", target=str(username)[:100], detail=problem
        )
    msg = "login failed: wrong name or password, or the account is disabled or locked; try again later or ask an admin"
    raise LoginFailed(msg)


def require(
    registry: Registry,
    by: str | Actor | None,
    what: str,
    code: str,
    action: str,
    target: str = "",
    station_id: str | None = None,
) -> Checked:
    """The name a write is recorded under (with the role it writes in), after checking it may happen.

    Without accounts any name may write (single-user mode).  With accounts ``by`` must be a logged-in
    :class:`Actor` whose role allows ``what`` for the place ``code``; a refusal is recorded in the audit
    trail (in its own transaction, so it stays when the write does not happen) and raised as
    :class:`AccessDenied`.
    """
    if isinstance(by, Checked):
        return by
    if not has_accounts(registry):
        if isinstance(by, Actor):
            return Checked(by.label, by.role)
        if by is None:
            msg = "say who makes this change (a person or office)"
            raise InputError(msg)
        return Checked(check_person(by))
    if isinstance(by, Actor) and by.may(what, code):
        return Checked(by.label, by.role)
    who = by.label if isinstance(by, Actor) else str(by or "?")[:100]
    role = by.role if isinstance(by, Actor) else None
    if not isinstance(by, Actor):
        reason = "the registry has accounts: log in first"
    elif what not in ALLOWED.get(by.role, set()):
        reason = f"a {by.role} may not {what}"
    else:
        reason = f"{code} is outside the scope {by.scope}"
    with registry.engine.begin() as conn:
        record(
            conn, registry.clock(), who, role, action, "refused",
            target=target or code, station_id=station_id, scope=code, detail=reason,
        )  # fmt: skip
    msg = f"{action} refused: {reason}"
    raise AccessDenied(msg)


def users(registry: Registry) -> pd.DataFrame:
    """Every account (no password hashes): ``username``, ``display_name``, ``role``, ``scope``, ``active``,
    ``locked_until``, ``created_at``."""
    a = schema.accounts
    cols = [a.c.username, a.c.display_name, a.c.role, a.c.scope, a.c.active, a.c.locked_until, a.c.created_at]
    with reading(registry.engine) as conn:
        rows = conn.execute(sa.select(*cols).order_by(a.c.username)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in cols])


def _change_account(registry: Registry, username: str, by: Actor | None, action: str, **values: Any) -> None:
    a = schema.accounts
    with reading(registry.engine) as conn:
        row = conn.execute(sa.select(a).where(a.c.username == username)).first()
    if row is None:
        msg = f"no account {username!r}; list them with `python -m coverage users list`"
        raise InputError(msg)
    require(registry, by, "admin", row.scope, action=action, target=username)
    with registry.engine.begin() as conn:
        conn.execute(a.update().where(a.c.username == username).values(**values))
        after = {k: v for k, v in values.items() if k != "password_hash"}
        record(
            conn, registry.clock(), by.label if by else "?", by.role if by else None, action, "ok",
            target=username, scope=row.scope, before={"active": row.active} if "active" in values else None,
            after=after or None,
        )  # fmt: skip


def disable_user(registry: Registry, username: str, by: Actor) -> None:
    """Disable an account (it can no longer log in; its rows keep its name)."""
    _change_account(registry, username, by, "disable user", active=False)


def set_password(registry: Registry, username: str, password: str, by: Actor) -> None:
    """Give an account a new password (an admin for anyone in scope; anyone for themselves)."""
    check_password(password)
    values = {"password_hash": _hasher().hash(password), "failed_logins": 0, "locked_until": None}
    if by is not None and by.username == username and by.role != "admin":  # one's own password
        a = schema.accounts
        with registry.engine.begin() as conn:
            conn.execute(a.update().where(a.c.username == username).values(**values))
            record(conn, registry.clock(), by.label, by.role, "change password", "ok", target=username)
        return
    _change_account(registry, username, by, "change password", **values)
