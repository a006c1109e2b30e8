"""``python -m coverage users ...``, ``audit`` and ``--user`` on registry writes (issue 14), on SQLite and
PostgreSQL: an admin and two county editors made from the command line, each county's scope enforced
by the library and every step (and refusal) in the audit trail; passwords never printed or logged.

Commands run in-process (``coverage.cli.main``); passwords come from the environment variables, as in
a script, or from a (simulated) terminal prompt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from coverage import settings
from coverage.cli import main
from coverage.cli.accounts import USER_COLUMNS
from coverage.registry import audit
from coverage.registry.store import open_registry
from tests.registry_cases import ledger_csv, ledger_row

H_TOWN, B_TOWN = "450181100", "450126100"  # 横州镇 (横州市, 横县 450127 until 2021), 宾州镇 (宾阳县)
H1 = {"name": "横州镇社工站", "township_code": H_TOWN, "status": "open", "social_workers": 2}
B1 = {"name": "宾州镇社工站", "township_code": B_TOWN, "status": "open", "social_workers": 1}
ADMIN_PW, HZ_PW, BY_PW = "admin-secret-1", "横州-password-9", "宾阳-password-8"
SECRETS = (ADMIN_PW, HZ_PW, BY_PW, "a wrong one 42", "hz-new-password-3", "typed-at-a-prompt-5")
LOGIN_FAILED = (
    "error: login failed: wrong name or password, or the account is disabled or locked; "
    "try again later or ask an admin\n"
)


class Cli:
    """Runs commands with the passwords a script would set, and keeps everything they printed."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.url, self.capsys, self.monkeypatch = url, capsys, monkeypatch
        self.printed: list[str] = []

    def __call__(self, *args: str, password: str | None = None, new: str | None = None) -> tuple[int, str, str]:
        for env, value in ((settings.PASSWORD_ENV, password), (settings.NEW_PASSWORD_ENV, new)):
            if value is None:
                self.monkeypatch.delenv(env, raising=False)
            else:
                self.monkeypatch.setenv(env, value)
        code = main([*args, "--db", self.url])
        out, err = self.capsys.readouterr()
        self.printed += [out, err]
        return code, out, err

    def json(self, *args: str, password: str | None = None, new: str | None = None) -> dict:
        code, out, err = self(*args, "--json", password=password, new=new)
        assert code == 0, err
        return json.loads(out)

    def refused(self, *args: str, password: str | None = None, new: str | None = None) -> str:
        """A command that must be refused: exit 2, nothing on standard output, the reason on standard error."""
        code, out, err = self(*args, password=password, new=new)
        assert (code, out) == (2, "")
        return err


@pytest.fixture
def cli(registry_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A registry holding 横州镇社工站 (H1) and 宾州镇社工站 (B1), written in single-user mode."""
    r = open_registry(registry_url, seed=False)
    r.add("H1", "45", H1, "2021-01-01", "建站员")
    r.add("B1", "45", B1, "2021-01-01", "建站员")
    return Cli(registry_url, capsys, monkeypatch)


@pytest.fixture
def accounts(cli: Cli) -> Cli:
    """The admin and two county editors, made as a new user would: from the command line."""
    cli.json("users", "add", "admin", "--role", "admin", "--scope", "45", "--display-name", "省厅管理员", new=ADMIN_PW)
    for name, scope, display, pw in (("hz", "450127", "横州市民政局", HZ_PW), ("by", "450126", "宾阳县民政局", BY_PW)):
        cli.json(
            "users", "add", name, "--role", "editor", "--scope", scope, "--display-name", display, "--user", "admin",
            password=ADMIN_PW, new=pw,
        )  # fmt: skip
    return cli


@pytest.fixture
def ledger_of(tmp_path: Path) -> Callable[[str, dict, int], Path]:
    """A one-row November ledger of a station with ``social_workers`` changed."""

    def write(station_id: str, fields: dict, social_workers: int) -> Path:
        path = tmp_path / f"{station_id}-11月台账.csv"
        row = ledger_row(station_id, {**fields, "lon": "", "lat": ""}, social_workers=social_workers)
        path.write_bytes(ledger_csv([row]))
        return path

    return write


def _rows(doc: dict) -> list[tuple]:
    return [(r["actor"], r["action"], r["outcome"], r["target"], r["station_id"], r["detail"]) for r in doc["trail"]]


# --------------------------------------------------------------------------- users add, list
def test_the_first_admin_and_two_county_editors(cli: Cli) -> None:
    err = cli.refused("users", "add", "hz", "--role", "editor", "--scope", "450127", new=HZ_PW)
    assert err == "error: the first account of a registry must be an admin (it creates the others)\n"
    doc = cli.json(
        "users", "add", "admin", "--role", "admin", "--scope", "45", "--display-name", "省厅管理员", new=ADMIN_PW
    )
    assert doc == {
        "username": "admin", "display_name": "省厅管理员", "role": "admin", "scope": "45",
        "scope_name": "广西壮族自治区", "note": None, "by": None,
    }  # fmt: skip
    hz = ["users", "add", "hz", "--role", "editor", "--scope", "450127", "--display-name", "横州市民政局"]
    err = cli.refused(*hz, new=HZ_PW)  # accounts exist: an admin must log in
    assert err == (
        "error: this registry has accounts: log in with --user NAME "
        "(the password from $COVERAGE_PASSWORD, or typed in a terminal)\n"
    )
    code, out, err = cli(*hz, "--user", "admin", password=ADMIN_PW, new=HZ_PW)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "account hz (横州市民政局) added by 省厅管理员 (admin): editor, scope 450181 横州市",
        "  note: 450127 横县 is a code of 2020 and earlier registers; now 450181 横州市",
    ]
    doc = cli.json(
        "users", "add", "by", "--role", "editor", "--scope", "450126", "--user", "admin", password=ADMIN_PW, new=BY_PW
    )
    assert (doc["scope"], doc["scope_name"], doc["note"], doc["by"]) == ("450126", "宾阳县", None, "省厅管理员 (admin)")
    err = cli.refused(
        "users", "add", "x", "--role", "editor", "--scope", "450126", "--user", "hz", password=HZ_PW, new=BY_PW
    )
    assert err == "error: add user refused: a editor may not admin\n"
    err = cli.refused(
        "users", "add", "y", "--role", "viewer", "--scope", "45", "--user", "admin", password=ADMIN_PW, new="short"
    )
    assert err == f"error: the password is too short; give at least {settings.PASSWORD_MIN_CHARS} characters\n"


def test_users_list_never_shows_a_password_hash(accounts: Cli) -> None:
    code, out, _ = accounts("users", "list", "--json")
    assert code == 0 and "argon2" not in out and "hash" not in out
    listed = json.loads(out)["accounts"]
    assert [list(a) for a in listed] == [USER_COLUMNS] * 3
    assert [
        (a["username"], a["display_name"], a["role"], a["scope"], a["active"], a["locked_until"]) for a in listed
    ] == [
        ("admin", "省厅管理员", "admin", "45", True, None),
        ("by", "宾阳县民政局", "editor", "450126", True, None),
        ("hz", "横州市民政局", "editor", "450181", True, None),
    ]
    code, out, _ = accounts("users", "list")
    assert out.splitlines() == [
        "3 accounts",
        "  admin (省厅管理员): admin, scope 45 广西壮族自治区, active",
        "  by (宾阳县民政局): editor, scope 450126 宾阳县, active",
        "  hz (横州市民政局): editor, scope 450181 横州市, active",
    ]


# --------------------------------------------------------------------------- scope on registry writes
def test_an_editor_imports_for_her_county_and_is_refused_for_another(accounts: Cli, ledger_of) -> None:
    mine, theirs = ledger_of("H1", H1, 5), ledger_of("B1", B1, 7)
    doc = accounts.json(
        "registry", "import", str(mine), "--month", "2024-11", "--county", "450127", "--user", "hz", password=HZ_PW
    )
    assert (doc["submission_id"], doc["unit"], doc["decisions"]) == (
        1,
        "450181",
        {"pending": 1, "accepted": 0, "rejected": 0},
    )
    err = accounts.refused(
        "registry", "import", str(theirs), "--month", "2024-11", "--county", "450126", "--user", "hz", password=HZ_PW
    )
    assert err == "error: submit ledger refused: 450126 is outside the scope 450181\n"
    err = accounts.refused("registry", "accept", "1", "--user", "hz", password=HZ_PW)
    assert err == "error: accept ledger refused: a editor may not review\n"
    again = ["registry", "import", str(mine), "--month", "2024-11", "--county", "450181", "--accept-all"]
    err = accounts.refused(*again, "--user", "hz", password=HZ_PW)
    assert err == (
        "error: submission 2 is stored, but accept ledger refused: a editor may not review; a reviewer or an admin "
        "accepts it with `python -m coverage registry accept 2 --user NAME`\n"
    )
    err = accounts.refused("registry", "accept", "1", "--by", "横州市民政局")  # a name is not a login
    assert "this registry has accounts: log in with --user NAME" in err
    code, out, err = accounts("registry", "accept", "1", "--user", "admin", password=ADMIN_PW)
    assert (code, err) == (0, "") and out.splitlines()[0] == "submission 1: 1 findings decided by 省厅管理员 (admin)"
    assert open_registry(accounts.url, seed=False).head("H1")["social_workers"] == 5
    assert open_registry(accounts.url, seed=False).head("B1")["social_workers"] == 1  # untouched

    trail = _rows(accounts.json("audit", "--user", "hz"))
    assert trail == [
        ("省厅管理员 (admin)", "add user", "ok", "hz", None, None),
        ("横州市民政局 (hz)", "login", "ok", "hz", None, None),
        ("横州市民政局 (hz)", "submit ledger", "ok", "submission 1", None, None),
        ("横州市民政局 (hz)", "login", "ok", "hz", None, None),
        ("横州市民政局 (hz)", "submit ledger", "refused", "450126 2024-11", None, "450126 is outside the scope 450181"),
        ("横州市民政局 (hz)", "login", "ok", "hz", None, None),
        ("横州市民政局 (hz)", "accept ledger", "refused", "submission 1", None, "a editor may not review"),
        ("横州市民政局 (hz)", "login", "ok", "hz", None, None),
        ("横州市民政局 (hz)", "submit ledger", "ok", "submission 2", None, None),
        ("横州市民政局 (hz)", "accept ledger", "refused", "submission 2", None, "a editor may not review"),
    ]
    station = accounts.json("audit", "--station", "H1")["trail"]
    assert [(r["actor"], r["action"], r["outcome"]) for r in station] == [
        ("建站员", "add station", "ok"),
        ("省厅管理员 (admin)", "ledger", "ok"),
    ]
    assert json.loads(station[1]["before"])["social_workers"] == 2
    assert json.loads(station[1]["after"])["social_workers"] == 5


def test_the_trail_is_exported_as_csv_and_xlsx(accounts: Cli, tmp_path: Path) -> None:
    doc = accounts.json("audit", "--user", "by", "--out", str(tmp_path / "trail.csv"))
    expected = [("省厅管理员 (admin)", "add user", "ok", "by", None, None)]
    assert _rows(doc) == expected and doc["rows"] == 1
    code, out, _ = accounts("audit", "--out", str(tmp_path / "trail.xlsx"))
    everything = audit.trail(open_registry(accounts.url, seed=False))
    assert code == 0 and out.splitlines()[0] == f"audit trail: {len(everything)} rows (times in UTC)"
    assert out.splitlines()[-1] == f"written to {tmp_path / 'trail.xlsx'}"
    csv = pd.read_csv(tmp_path / "trail.csv", encoding="utf-8-sig", dtype=str)
    xlsx = pd.read_excel(tmp_path / "trail.xlsx", sheet_name="audit", dtype=str)
    assert list(csv.columns) == list(xlsx.columns) == list(audit.COLUMNS)
    assert csv[["actor", "action", "target"]].values.tolist() == [["省厅管理员 (admin)", "add user", "by"]]
    # 2 stations, 3 accounts added, 2 admin logins
    assert len(xlsx) == len(everything) == 7
    assert xlsx["action"].tolist() == ["add station"] * 2 + ["add user", "login", "add user", "login", "add user"]
    err = accounts.refused("audit", "--out", str(tmp_path / "trail.gpkg"))
    assert "write .csv or .xlsx" in err


# --------------------------------------------------------------------------- logins
def test_five_wrong_passwords_lock_the_account(accounts: Cli, ledger_of) -> None:
    args = ["registry", "import", str(ledger_of("H1", H1, 5)), "--month", "2024-11", "--county", "450181"]
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert accounts.refused(*args, "--user", "hz", password="a wrong one 42") == LOGIN_FAILED
    assert accounts.refused(*args, "--user", "hz", password=HZ_PW) == LOGIN_FAILED  # the right one: locked
    listed = {a["username"]: a for a in accounts.json("users", "list")["accounts"]}
    assert listed["hz"]["locked_until"] is not None and listed["by"]["locked_until"] is None
    details = [r[5] for r in _rows(accounts.json("audit", "--user", "hz")) if r[2] == "refused"]
    assert details[:5] == ["wrong password"] * 4 + [
        f"wrong password; account locked for {settings.LOGIN_LOCK_MIN} minutes"
    ]
    assert len(details) == 6 and details[5].startswith("account locked until ")
    assert accounts.json("registry", "history", "H1")["versions"][-1]["social_workers"] == 2  # nothing submitted
    # an admin's new password ends the lock
    accounts.json("users", "passwd", "hz", "--user", "admin", password=ADMIN_PW, new="hz-new-password-3")
    doc = accounts.json(*args, "--user", "hz", password="hz-new-password-3")
    assert doc["submission_id"] == 1


def test_passwords_come_from_the_environment_or_a_terminal(accounts: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    err = accounts.refused("users", "disable", "by", "--user", "admin")  # no variable, no terminal (a pipe)
    assert err == (
        "error: no password: set the environment variable COVERAGE_PASSWORD, or run the command in a terminal to type it\n"
    )
    prompts: list[str] = []
    typed = iter([ADMIN_PW, "typed-at-a-prompt-5", "typed-at-a-prompt-6"])

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", getpass)
    err = accounts.refused("users", "add", "v", "--role", "viewer", "--scope", "45", "--user", "admin")
    assert err == "error: the two passwords differ; run the command again and type the same password twice\n"
    assert prompts == ["password of admin: ", "new password: ", "the same again: "]
    typed = iter([ADMIN_PW, "typed-at-a-prompt-5", "typed-at-a-prompt-5"])
    doc = accounts.json("users", "add", "v", "--role", "viewer", "--scope", "45", "--user", "admin")
    assert (doc["username"], doc["role"]) == ("v", "viewer")
    typed = iter(["typed-at-a-prompt-5"])  # the viewer logs in with what she typed, and may not disable anyone
    err = accounts.refused("users", "disable", "by", "--user", "v")
    assert err == "error: disable user refused: a viewer may not admin\n"
    assert prompts[-1] == "password of v: "


def test_own_password_disable_and_refusals(accounts: Cli, ledger_of) -> None:
    accounts.json("users", "passwd", "hz", "--user", "hz", password=HZ_PW, new="hz-new-password-3")  # her own
    err = accounts.refused("users", "passwd", "hz", "--user", "by", password=BY_PW, new="a wrong one 42")
    assert err == "error: change password refused: a editor may not admin\n"
    err = accounts.refused("users", "disable", "hz", "--user", "by", password=BY_PW)
    assert err == "error: disable user refused: a editor may not admin\n"
    doc = accounts.json("users", "disable", "hz", "--user", "admin", password=ADMIN_PW)
    assert doc == {"username": "hz", "active": False, "by": "省厅管理员 (admin)"}
    args = ["registry", "import", str(ledger_of("H1", H1, 5)), "--month", "2024-11", "--county", "450181"]
    assert accounts.refused(*args, "--user", "hz", password="hz-new-password-3") == LOGIN_FAILED
    listed = {a["username"]: a["active"] for a in accounts.json("users", "list")["accounts"]}
    assert listed == {"admin": True, "by": True, "hz": False}


def test_single_user_mode_keeps_working_with_a_name(cli: Cli, ledger_of) -> None:
    args = ["registry", "import", str(ledger_of("H1", H1, 5)), "--month", "2024-11", "--county", "450181"]
    err = cli.refused(*args, "--user", "hz", password=HZ_PW)
    assert err.startswith("error: --user hz: this registry has no accounts (single-user mode); leave --user out")
    code, out, err = cli(*args, "--by", "横州市民政局", "--accept-all")
    assert code == 0 and out.splitlines()[0].endswith("by 横州市民政局")
    assert open_registry(cli.url, seed=False).head("H1")["social_workers"] == 5
    assert cli.json("users", "list") == {"accounts": []}
    assert _rows(cli.json("audit", "--user", "横州市民政局")) == [
        ("横州市民政局", "submit ledger", "ok", "submission 1", None, None),
        ("横州市民政局", "ledger", "ok", "H1", "H1", None),
        ("横州市民政局", "accept ledger", "ok", "submission 1", None, None),
    ]


def test_no_password_is_printed_or_logged(accounts: Cli, ledger_of, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every statement and its parameters
    try:
        path = str(ledger_of("H1", H1, 5))
        accounts.json(
            "registry", "import", path, "--month", "2024-11", "--county", "450181", "--user", "hz", password=HZ_PW
        )
        accounts.refused("registry", "accept", "1", "--user", "hz", password="a wrong one 42")
        accounts.json("users", "passwd", "hz", "--user", "admin", password=ADMIN_PW, new="hz-new-password-3")
        accounts.json("registry", "accept", "1", "--user", "admin", password=ADMIN_PW)
        accounts.json("audit")
        accounts("users", "list")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert caplog.records  # the statements were logged ...
    text = caplog.text + "".join(accounts.printed)  # ... and every command printed, the fixture's too
    assert "accept ledger" in text and "change password" in text
    for secret in SECRETS:
        assert secret not in text
