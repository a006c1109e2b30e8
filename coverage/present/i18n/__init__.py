"""Every user-facing text and its translations, in one place.

* :data:`~coverage.present.i18n.text.TEXT`: the texts of the app, the maps and the report,
  key -> (Chinese, English); :func:`t` picks one and fills its placeholders.
* :mod:`~coverage.present.i18n.messages`: the importer's and the library's English messages
  (the record on the command line and in files) rendered in Chinese, part by part.

Examples
--------
>>> t("page_overview"), t("page_overview", "en")
('总览', 'Overview')
>>> labels("map.", "en")["covered"]
'Has a station'
"""

from __future__ import annotations

from typing import Any

from coverage.present.i18n.text import TEXT

#: Languages of the interface: code -> its own name.
LANGUAGES = {"zh": "中文", "en": "English"}
#: The default language.
DEFAULT_LANG = "zh"


def t(key: str, lang: str = DEFAULT_LANG, **values: Any) -> str:
    """The text of ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``values``.

    A key missing from :data:`TEXT` raises ``KeyError``: the tests open every page in both
    languages, so an untranslated label fails a test.
    """
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def t_known(prefix: str, value: Any, lang: str = DEFAULT_LANG) -> Any:
    """``t(prefix + value)`` where that key exists, else ``value`` unchanged (column names, status values)."""
    key = f"{prefix}{value}"
    return t(key, lang) if key in TEXT else value


def labels(prefix: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every text whose key starts with ``prefix`` (e.g. ``"map."``), keyed without it, in ``lang``."""
    return {key[len(prefix) :]: t(key, lang) for key in TEXT if key.startswith(prefix)}
