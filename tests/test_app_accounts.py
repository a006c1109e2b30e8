"""The app on a registry with accounts (issue 14): login first, controls by role and scope, idle sessions
expire, the audit page.  Each test has a fresh SQLite registry whose accounts are made through
:mod:`coverage.registry.accounts`, as the command line makes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage import settings
from coverage.registry import accounts
from coverage.registry.store import Registry, open_registry
from tests.app_session import goto, new_session
from tests.registry_cases import ledger_csv

PASSWORD = "correct-horse-1"
#: The embedded stations of 横州市 (450181), the scope the editor's 450127 (横县, its former code) becomes.
HENGZHOU = [
    "GX-DEMO-0119",
    "GX-DEMO-0170",
    "GX-DEMO-0253",
    "GX-DEMO-0292",
    "GX-DEMO-0309",
    "GX-DEMO-0311",
    "GX-DEMO-0318",
]


@pytest.fixture
def reg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Registry:
    """A fresh registry with an admin (Guangxi), an editor of 横州市, a reviewer of 南宁市 and a viewer."""
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    monkeypatch.setenv(settings.REGISTRY_URL_ENV, url)
    registry = open_registry(url)
    admin = accounts.add_user(registry, "admin", PASSWORD, "admin", "45", display_name="自治区民政厅")
    accounts.add_user(registry, "hz", PASSWORD, "editor", "450127", display_name="横州市民政局", by=admin)
    accounts.add_user(registry, "nn", PASSWORD, "reviewer", "4501", display_name="南宁市民政局", by=admin)
    accounts.add_user(registry, "leader", PASSWORD, "viewer", "45", display_name="王领导", by=admin)
    return registry


def log_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="login_user").set_value(username)
    at.text_input(key="login_password").set_value(password)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    return at


def logged_in(username: str) -> AppTest:
    at = log_in(new_session(), username)
    assert not at.error, [e.value for e in at.error]
    assert "login_password" not in at.session_state  # the password is not kept in the session
    return at


def sidebar_texts(at: AppTest) -> list[str]:
    return [m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption]


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with this column."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}")


def keys(at: AppTest, kind: str) -> set[str]:
    return {str(w.key) for w in at.get(kind)}


def test_the_login_page_comes_first_and_is_the_only_page(reg: Registry) -> None:
    at = new_session()
    assert [x.value for x in at.title] == ["登录"]
    assert keys(at, "text_input") == {"login_user", "login_password"}
    assert at.radio(key="lang").value == "zh"  # the language switch is there before logging in
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/data.py")  # no other page is reachable
    at.radio(key="lang").set_value("en").run()
    assert [x.value for x in at.title] == ["Log in"]


def test_wrong_password_locked_and_disabled_accounts_are_told_apart(reg: Registry) -> None:
    at = log_in(new_session(), "hz", "not-the-password")
    assert [e.value for e in at.error] == ["用户名或密码错误，请重试；连续输错 5 次将锁定 15 分钟。"]
    log_in(at, "nobody", PASSWORD)  # an unknown name is not told apart from a wrong password
    assert [e.value for e in at.error] == ["用户名或密码错误，请重试；连续输错 5 次将锁定 15 分钟。"]
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        log_in(at, "hz", "not-the-password")
    (locked,) = accounts.users(reg).set_index("username").loc[["hz"], "locked_until"]
    until = (locked + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # China time is UTC+8
    message = f"因连续输错密码，该账户已锁定至 {until}（北京时间）；请届时再试，或请管理员重设密码。"
    assert [e.value for e in at.error] == [message]
    log_in(at, "hz", PASSWORD)  # the right password, but locked
    assert [e.value for e in at.error] == [message] and [x.value for x in at.title] == ["登录"]

    admin = accounts.login(reg, "admin", PASSWORD)
    accounts.disable_user(reg, "leader", by=admin)
    log_in(at, "leader", PASSWORD)
    assert [e.value for e in at.error] == ["该账户已停用，无法登录；如需使用请联系管理员。"]


def test_single_user_mode_says_so_until_the_first_account(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    monkeypatch.setenv(settings.REGISTRY_URL_ENV, url)
    at = new_session()
    assert at.title[0].value != "登录" and "by" in keys(at, "text_input")
    assert "本地单用户模式（登记库未设账户）" in sidebar_texts(at)
    assert "logout" not in keys(at, "button")
    goto(at, "audit")  # the one user of single-user mode reads the trail
    assert at.title[0].value == "审计记录"
    accounts.add_user(open_registry(url), "admin", PASSWORD, "admin", "45")  # meanwhile, from the command line
    at.run()
    assert [x.value for x in at.title] == ["登录"]


def test_a_viewer_sees_no_edit_controls(reg: Registry) -> None:
    at = logged_in("leader")
    assert "当前用户：**王领导**（leader）" in sidebar_texts(at)
    assert "角色：只读 · 范围：广西壮族自治区（45）" in sidebar_texts(at)
    assert "by" not in keys(at, "text_input")  # the account, not a typed name, makes changes
    goto(at, "data")
    assert len(at.selectbox(key="edit_station").options) == 1 + 375  # any station, to read its history
    at.selectbox(key="edit_station").set_value("GX-DEMO-0119").run()
    assert list(frame(at, "操作")["操作"]) == ["新增"]
    assert at.info[0].value == "你的角色是只读（范围：广西壮族自治区（45）），只能查看，不能修改站点。"
    assert "station_action" not in keys(at, "radio")
    assert not {"edit_save", "close_save", "add_save", "move_save", "edit_reload"} & keys(at, "button")
    assert not [n for n in at.number_input if str(n.key).startswith("ef-")]
    at.radio(key="data_section").set_value("ledger").run()
    assert not at.exception
    assert not {"ledger_submit", "accept_all", "reject_all"} & keys(at, "button")
    assert "ledger_file" not in {str(u.key) for u in at.get("file_uploader")}
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/audit.py")  # the audit page is a reviewer's or an admin's


def test_the_hengzhou_editor_edits_her_stations_only(reg: Registry) -> None:
    at = logged_in("hz")
    assert "角色：编辑 · 范围：横州市（450181）" in sidebar_texts(at)  # 450127 (横县) became 横州市
    goto(at, "data")
    options = at.selectbox(key="edit_station").options[1:]
    assert [o.rsplit("(", 1)[1].rstrip(")") for o in options] == HENGZHOU
    assert options[0] == "横州市横州镇社工站 · 横州市横州镇 (GX-DEMO-0119)"
    at.selectbox(key="edit_station").set_value("GX-DEMO-0119").run()
    form = next(n.key for n in at.number_input if n.key.endswith("-social_workers")).removesuffix("-social_workers")
    at.number_input(key=f"{form}-social_workers").set_value(3)
    at.button(key="edit_save").click().run()
    assert not at.error, [e.value for e in at.error]
    head = reg.head("GX-DEMO-0119")
    assert (head["social_workers"], head["recorded_by"]) == (3, "横州市民政局 (hz)")
    assert at.success[0].value == f"已保存 横州市横州镇社工站：社工人数（第 {head['version_id']} 版）。"

    # a click on the map outside 横州市 (林圩镇, 马山县) prefills no add form
    at.radio(key="station_action").set_value("add").run()
    at.session_state["map_pick"] = {"lon": 108.32752, "lat": 23.78940}
    at.run()
    assert [w.value for w in at.warning if "不在你的范围" in w.value] == [
        "所点位置在 马山县林圩镇，不在你的范围（横州市（450181））内；请在本辖区内点选。"
    ]
    assert "add_save" not in keys(at, "button")

    # her November ledger: 横州市 is the only county she may choose; a reviewer of 南宁市 accepts it
    at.radio(key="data_section").set_value("ledger").run()
    assert at.selectbox(key="ledger_unit").options == ["横州市 (450181)"]
    row = ["GX-DEMO-0119", "横州市横州镇社工站", "450181100", 109.25713, 22.68314, 4, 2, 100, 250, 8, "运营"]
    at.file_uploader(key="ledger_file").upload("横州市2024年11月台账.csv", ledger_csv([row]), "text/csv").run()
    at.text_input(key="ledger_month_in").set_value("2024-11")
    at.button(key="ledger_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("已收到横州市 2024-11 的台账（提交编号 1")
    assert len(frame(at, "审核")) == 7  # her findings: one changed station, six not in the ledger
    assert not {"accept_all", "reject_all", "accept_rows", "reject_rows"} & keys(at, "button")  # reviewers decide

    reviewer = logged_in("nn")
    goto(reviewer, "data").radio(key="data_section").set_value("ledger").run()
    assert "ledger_submit" not in keys(reviewer, "button")  # a reviewer submits nothing
    reviewer.text_input(key="review_month").set_value("2024-11").run()
    reviewer.button(key="accept_all").click().run()
    assert reviewer.success[0].value == "已采纳 7 条，退回 0 条。"
    assert reg.head("GX-DEMO-0119")["recorded_by"] == "南宁市民政局 (nn)"


def test_an_idle_session_is_logged_out(reg: Registry) -> None:
    from app_pages import common

    at = logged_in("hz")
    at.session_state["last_active"] = common.now() - dt.timedelta(minutes=settings.SESSION_IDLE_MIN - 1)
    at.run()
    assert at.button(key="logout") and [x.value for x in at.title] != ["登录"]  # still within the limit
    at.session_state["last_active"] = common.now() - dt.timedelta(minutes=settings.SESSION_IDLE_MIN + 1)
    at.run()
    assert [x.value for x in at.title] == ["登录"]
    assert [i.value for i in at.info] == ["已超过 30 分钟未操作，已自动退出登录；请重新登录。"]
    assert "actor" not in at.session_state


def test_an_account_disabled_meanwhile_is_logged_out(reg: Registry) -> None:
    at = goto(logged_in("leader"), "data")
    accounts.disable_user(reg, "leader", by=accounts.login(reg, "admin", PASSWORD))
    at.run()
    assert [x.value for x in at.title] == ["登录"]
    assert [i.value for i in at.info] == ["该账户已停用，无法登录；如需使用请联系管理员。"]


def test_log_out_goes_back_to_the_login_page(reg: Registry) -> None:
    at = goto(logged_in("hz"), "data")
    at.button(key="logout").click().run()
    assert [x.value for x in at.title] == ["登录"] and [i.value for i in at.info] == ["已退出登录。"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/data.py")


def test_the_audit_page_lists_the_edit_with_who(reg: Registry) -> None:
    editor = accounts.login(reg, "hz", PASSWORD)
    version = reg.head("GX-DEMO-0119")["version_id"]
    reg.change("GX-DEMO-0119", version, {"social_workers": 3}, dt.date(2024, 11, 30), editor)
    with pytest.raises(accounts.AccessDenied):  # 武鸣区 is not hers: refused and recorded
        reg.change("GX-DEMO-0115", reg.head("GX-DEMO-0115")["version_id"], {"social_workers": 3}, "2024-11-30", editor)

    at = goto(logged_in("admin"), "audit")
    assert at.title[0].value == "审计记录"
    # Guangxi's 375 seeded stations, 4 accounts, 2 logins, the edit and the refusal (not Guangdong's rows)
    assert "共 383 条记录" in [c.value for c in at.caption]
    at.selectbox(key="audit_user").set_value("横州市民政局 (hz)").run()
    rows = frame(at, "结果")  # the newest first
    assert list(rows["操作"]) == ["编辑站点", "编辑站点", "登录"]
    assert list(rows["结果"]) == ["拒绝", "成功", "成功"]
    assert list(rows["站点编号"]) == ["GX-DEMO-0115", "GX-DEMO-0119", ""]
    assert set(rows["操作人"]) == {"横州市民政局 (hz)"} and set(rows["角色"]) == {"编辑"}
    assert rows["修改后"][1].startswith('{"social_workers": 3')
    at.text_input(key="audit_station").set_value("GX-DEMO-0119").run()
    assert list(frame(at, "结果")["操作"]) == ["编辑站点"]
    assert {b.proto.label for b in at.get("download_button")} == {"CSV", "XLSX"}
    assert not keys(at, "button") - {"logout"}  # read-only: no button but the log-out

    reviewer = goto(logged_in("nn"), "audit")  # 南宁市's reviewer sees the rows of places in 南宁市
    shown = frame(reviewer, "结果")
    assert "GX-DEMO-0119" in set(shown["站点编号"]) and "GX-DEMO-0115" in set(shown["站点编号"])
    assert all(code.startswith("4501") for code in shown["区划代码"])
    assert "add user" not in set(shown["操作"]) or "王领导" not in " ".join(shown["对象"])


def test_a_station_file_over_the_limit_is_refused_in_chinese(monkeypatch: pytest.MonkeyPatch, reg: Registry) -> None:
    monkeypatch.setattr(settings, "MAX_STATION_FILE_MB", 1)
    at = goto(logged_in("leader"), "data")  # a what-if file changes no registry: a viewer may try one too
    at.radio(key="data_section").set_value("whatif").run()
    big = b"station_id,name,township_code\n" + b"x" * (3 * 2**19)  # 1.5 MB
    at.file_uploader(key="station_file").upload("名单.csv", big, "text/csv").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "文件 名单.csv 有 1.5 MB，超过 1 MB 的上限；请拆分后分别上传（例如按市或按县）。"
    ]
    assert "use_stations" not in keys(at, "button")


def _write_refused_by_the_registry() -> None:
    from app_pages import common
    from coverage.registry.accounts import AccessDenied

    with common.friendly_errors():
        raise AccessDenied("edit refused: 450110 is outside the scope 450181")


def test_a_refusal_of_the_registry_is_a_chinese_message_not_a_traceback() -> None:
    at = AppTest.from_function(_write_refused_by_the_registry, default_timeout=60)
    at.session_state["actor"] = accounts.Actor("hz", "横州市民政局", "editor", "450181")
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "无权进行此操作：你的角色是编辑，范围为横州市（450181）。此次尝试已记入审计记录。"
    ]
    assert not at.expander  # no details folded away: nothing unexpected happened
