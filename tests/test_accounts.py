"""Accounts, roles and the audit trail (issue 14), on SQLite and PostgreSQL: each county edits only its
own stations, and every write and refusal is recorded."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from coverage._errors import InputError
from coverage.registry import audit, ledger, schema
from coverage.registry.accounts import (
    AccessDenied,
    LoginFailed,
    add_user,
    disable_user,
    has_accounts,
    login,
    set_password,
    users,
)
from coverage.registry.store import Registry, open_registry
from tests.registry_cases import StepClock, ledger_csv, ledger_row

HENGZHOU, BINYANG = "450181", "450126"  # 横州市 (横县 450127 until 2021), 宾阳县 (南宁市)
H_TOWN, B_TOWN = "450181100", "450126100"  # 横州镇, 宾州镇
ADMIN_PW, EDITOR_PW = "admin-secret-1", "横州-password-9"


@pytest.fixture
def clock() -> StepClock:
    return StepClock(dt.datetime(2024, 11, 1, 1, 0))


@pytest.fixture
def reg(registry_url: str, clock: StepClock) -> Registry:
    """Two stations written in single-user mode, then an admin, two county editors, a reviewer, a viewer."""
    r = open_registry(registry_url, seed=False, clock=clock)
    r.add("H1", "45", {"name": "横州镇社工站", "township_code": H_TOWN, "status": "open"}, "2021-01-01", "建站员")
    r.add("B1", "45", {"name": "宾州镇社工站", "township_code": B_TOWN, "status": "open"}, "2021-01-01", "建站员")
    admin = add_user(r, "admin", ADMIN_PW, "admin", "45", "省厅管理员")
    for name, role, scope in (
        ("hz", "editor", HENGZHOU),
        ("by", "editor", BINYANG),
        ("nn-review", "reviewer", "4501"),
        ("viewer", "viewer", "45"),
    ):
        add_user(r, name, EDITOR_PW, role, scope, by=admin)
    return r


def _head(reg: Registry, station: str) -> int:
    head = reg.head(station)
    assert head is not None
    return int(head["version_id"])


def _trail(reg: Registry, **filters: str) -> list[tuple]:
    t = audit.trail(reg, **filters)
    return list(zip(t["actor"], t["action"], t["outcome"], t["station_id"].fillna(""), strict=True))


def test_without_accounts_a_name_is_enough_and_every_write_is_recorded(registry_url: str, clock: StepClock) -> None:
    r = open_registry(registry_url, seed=False, clock=clock)
    w = r.add("S1", "45", {"name": "甲站", "township_code": H_TOWN, "status": "open"}, "2021-01-01", "张三")
    r.change("S1", w.version_id, {"social_workers": 3}, "2021-06-30", "李四")
    assert not has_accounts(r)
    assert _trail(r) == [("张三", "add station", "ok", "S1"), ("李四", "edit", "ok", "S1")]
    row = audit.trail(r).iloc[1]
    assert '"social_workers": 3' in row["after"] and '"social_workers": null' in row["before"]


def test_the_first_account_is_an_admin_and_only_admins_add_accounts(registry_url: str, clock: StepClock) -> None:
    r = open_registry(registry_url, seed=False, clock=clock)
    with pytest.raises(InputError, match="the first account of a registry must be an admin"):
        add_user(r, "hz", EDITOR_PW, "editor", HENGZHOU)
    admin = add_user(r, "admin", ADMIN_PW, "admin", "45")
    editor = add_user(r, "hz", EDITOR_PW, "editor", HENGZHOU, by=admin)
    with pytest.raises(AccessDenied, match="add user refused: a editor may not admin"):
        add_user(r, "x", EDITOR_PW, "editor", BINYANG, by=editor)
    with pytest.raises(InputError, match="an admin's scope is a province"):
        add_user(r, "a2", ADMIN_PW, "admin", "4501", by=admin)
    with pytest.raises(InputError, match="too short"):
        add_user(r, "short", "abc", "viewer", "45", by=admin)
    assert users(r)["username"].tolist() == ["admin", "hz"] and "password_hash" not in users(r)


def test_a_county_editor_edits_her_county_and_is_refused_elsewhere(reg: Registry) -> None:
    hz = login(reg, "hz", EDITOR_PW)
    reg.change("H1", _head(reg, "H1"), {"social_workers": 4}, "2024-10-31", hz)
    with pytest.raises(AccessDenied, match=f"edit refused: {B_TOWN} is outside the scope {HENGZHOU}"):
        reg.change("B1", _head(reg, "B1"), {"social_workers": 9}, "2024-10-31", hz)
    with pytest.raises(AccessDenied, match=f"{B_TOWN} is outside the scope {HENGZHOU}"):  # moving it out
        reg.change("H1", _head(reg, "H1"), {"township_code": B_TOWN}, "2024-10-31", hz)
    with pytest.raises(AccessDenied, match="add station refused"):
        reg.add("B2", "45", {"name": "新站", "township_code": B_TOWN, "status": "open"}, "2024-11-01", hz)
    assert reg.head("B2") is None and reg.head("B1")["social_workers"] is None  # nothing written
    mine = [m[1:] for m in _trail(reg, user="hz") if m[0] == "hz (hz)"]
    assert mine == [
        ("login", "ok", ""),
        ("edit", "ok", "H1"),
        ("edit", "refused", "B1"),
        ("edit", "refused", "H1"),
        ("add station", "refused", "B2"),
    ]
    assert _trail(reg, station="B1")[-1][1:] == ("edit", "refused", "B1")


def test_a_name_instead_of_a_login_and_a_viewer_cannot_write(reg: Registry) -> None:
    with pytest.raises(AccessDenied, match="the registry has accounts: log in first"):
        reg.change("H1", _head(reg, "H1"), {"social_workers": 4}, "2024-10-31", "横州市编辑")
    viewer = login(reg, "viewer", EDITOR_PW)
    with pytest.raises(AccessDenied, match="a viewer may not edit"):
        reg.close("H1", _head(reg, "H1"), "2024-10-31", viewer)


def test_ledgers_are_submitted_in_scope_and_reviewed_in_scope(reg: Registry, clock: StepClock) -> None:
    hz, by = login(reg, "hz", EDITOR_PW), login(reg, "by", EDITOR_PW)
    data = ledger_csv([ledger_row("H1", {"name": "横州镇社工站", "township_code": H_TOWN, "lon": "", "lat": ""})])
    with pytest.raises(AccessDenied, match="submit ledger refused"):
        ledger.submit(reg, data, "横州11月.csv", "2024-11", HENGZHOU, by)
    sub = ledger.submit(reg, data, "横州11月.csv", "2024-11", HENGZHOU, hz)
    with pytest.raises(AccessDenied, match="accept ledger refused: a editor may not review"):
        ledger.accept(reg, sub.submission_id, hz)
    other = add_user(reg, "gx-review", EDITOR_PW, "reviewer", "4502", by=login(reg, "admin", ADMIN_PW))
    with pytest.raises(AccessDenied, match=f"{HENGZHOU} is outside the scope 4502"):
        ledger.accept(reg, sub.submission_id, login(reg, other.username, EDITOR_PW))
    done = ledger.accept(reg, sub.submission_id, login(reg, "nn-review", EDITOR_PW))
    assert set(done["decision"]) == {"accepted"}
    actions = [(a, o) for _, a, o, _ in _trail(reg) if a.endswith("ledger")]
    assert actions == [
        ("submit ledger", "refused"),
        ("submit ledger", "ok"),
        ("accept ledger", "refused"),
        ("accept ledger", "refused"),
        ("accept ledger", "ok"),
    ]


def test_five_wrong_passwords_lock_the_account_until_the_lock_ends(reg: Registry, clock: StepClock) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed):
            login(reg, "hz", "wrong password")
    with pytest.raises(LoginFailed):  # the right password, but locked
        login(reg, "hz", EDITOR_PW)
    clock.set(clock.now + dt.timedelta(minutes=16))
    assert login(reg, "hz", EDITOR_PW).scope == HENGZHOU
    refusals = audit.trail(reg, user="hz")
    refused = refusals[refusals["outcome"] == "refused"]["detail"].tolist()
    assert refused[:4] == ["wrong password"] * 4
    assert refused[4] == "wrong password; account locked for 15 minutes"
    assert refused[5].startswith("account locked until ")


def test_disabled_accounts_and_new_passwords(reg: Registry) -> None:
    admin = login(reg, "admin", ADMIN_PW)
    set_password(reg, "hz", "a new password 2", admin)
    with pytest.raises(LoginFailed):
        login(reg, "hz", EDITOR_PW)
    hz = login(reg, "hz", "a new password 2")
    set_password(reg, "hz", "my own password 3", hz)  # anyone may change their own
    disable_user(reg, "hz", admin)
    with pytest.raises(LoginFailed):
        login(reg, "hz", "my own password 3")
    with pytest.raises(AccessDenied):  # an editor may not disable anyone
        disable_user(reg, "by", login(reg, "by", EDITOR_PW))


def test_the_password_is_hashed_and_never_logged(reg: Registry, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every statement and its parameters
    try:
        login(reg, "hz", EDITOR_PW)
        with pytest.raises(LoginFailed):
            login(reg, "hz", "a wrong one 42")
        set_password(reg, "by", "secret-for-by-7", login(reg, "admin", ADMIN_PW))
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert caplog.records  # the statements were logged ...
    text = caplog.text + audit.trail(reg).to_csv()
    for secret in (EDITOR_PW, "a wrong one 42", "secret-for-by-7", ADMIN_PW):
        assert secret not in text  # ... but no password, in the log or the trail
    with reg.engine.connect() as conn:
        hashes = dict(conn.execute(sa.select(schema.accounts.c.username, schema.accounts.c.password_hash)).all())
    assert hashes["hz"].startswith("$argon2id$") and EDITOR_PW not in hashes["hz"]


def test_the_audit_trail_cannot_be_changed(reg: Registry) -> None:
    before = audit.trail(reg)
    for statement in ("UPDATE audit SET actor = 'nobody'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DBAPIError, match="the audit trail cannot be changed"), reg.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert audit.trail(reg).equals(before)


def test_a_scope_is_a_unit_of_the_register_and_a_former_code_becomes_its_successor(reg: Registry) -> None:
    admin = login(reg, "admin", ADMIN_PW)
    former = add_user(reg, "hx", EDITOR_PW, "editor", "450127", by=admin)  # 横县, now 横州市
    assert former.scope == HENGZHOU
    with pytest.raises(InputError, match="no county 459999"):
        add_user(reg, "nobody", EDITOR_PW, "editor", "459999", by=admin)
    with pytest.raises(InputError, match="not a province"):
        add_user(reg, "town", EDITOR_PW, "editor", H_TOWN, by=admin)
    assert "nobody" not in set(users(reg)["username"])
