"""The app's language: ``t(key, **values)`` in the session's language.

The texts themselves live in :mod:`coverage.present.i18n` with every other
user-facing text (maps, report, messages); this module only knows which
language the session speaks.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from coverage.present import i18n
from coverage.present.i18n import LANGUAGES  # noqa: F401  (re-exported for the pages)

#: Background colours of the status column (met / on track / behind).
STATUS_COLOURS = {"met": "#c8e6c9", "on track": "#fff3c4", "behind": "#ffcdd2"}


#: The language of the latest script run: used only when a widget's label
#: function is called outside a run (Streamlit's AppTest does that).
_last = {"lang": "zh"}


def lang() -> str:
    """The session's language code (``zh`` or ``en``)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return _last["lang"]
    _last["lang"] = st.session_state.get("lang", "zh")
    return _last["lang"]


def t(key: str, **values: Any) -> str:
    """The text of ``key`` in the session's language, formatted with ``values``."""
    return i18n.t(key, lang(), **values)


def t_known(prefix: str, value: Any) -> Any:
    """``t(prefix + value)`` where that key exists, else ``value`` unchanged (column names, status values)."""
    return i18n.t_known(prefix, value, lang())
