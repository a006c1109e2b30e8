"""A session of the app under Streamlit's AppTest (no browser), as every app test opens one."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def new_session(timeout: float = 300) -> AppTest:
    """A new session of the app (a browser opened anew: nothing carried over but the registry), its first
    run over without an exception; ``timeout``: seconds a run may take."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    return at


def goto(at: AppTest, page: str) -> AppTest:
    """Switch ``at`` to ``app_pages/<page>.py``; the page runs without an exception or an error."""
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at
