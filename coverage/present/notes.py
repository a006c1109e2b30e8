"""What a figure rests on, said where the figure appears: the app, the command line, reports, exports.

Two things can make a figure less than it looks: the station list (a synthetic demo, or a partial
list taken from news reports, or one without opening dates) and the townships (approximate cells
and estimated positions).  Coverage rates depend only on which township a station is in, so they
say the cells do not affect them; distances, gaps, siting, plans, trips and supervision say they
are indicative.  With official boundaries and an official or the user's own list every note
disappears.

``uses``: ``"stations"`` (figures built on the station list), ``"rates"`` (coverage rates),
``"places"`` (anything measured between places).

Examples
--------
>>> from coverage.data.lists import StationList
>>> demo = StationList("45_guangxi_demo.csv", "synthetic", last_updated=dt.date(2021, 11, 30))
>>> data_notes(None, demo, ["stations"], "en")
['The station list is a synthetic demo, not real stations (45_guangxi_demo.csv, as of 2021-11-30)']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from coverage.data.lists import StationList
from coverage.present.i18n import t

USES = ("stations", "rates", "places")


def _date(day: dt.date | None, lang: str) -> str:
    return day.isoformat() if day is not None else t("note.unknown_date", lang)


def station_notes(stations: StationList | None, lang: str = "zh") -> list[str]:
    """What to say of a station list (nothing for an official list or the user's own file)."""
    if stations is None:
        return []
    out = []
    if stations.nature == "synthetic":
        out.append(t("note.list_synthetic", lang, name=stations.name, date=_date(stations.last_updated, lang)))
    elif stations.nature == "reported":
        out.append(t("note.list_reported", lang, name=stations.name, date=_date(stations.last_updated, lang)))
    if not stations.opening_dates_known and not stations.trustworthy:
        out.append(t("note.dates_unknown", lang))
    return out


def data_notes(province: Any, stations: StationList | None, uses: Iterable[str], lang: str = "zh") -> list[str]:
    """The notes for figures that use ``uses`` (see the module docstring), in ``lang``.

    ``province``: a :class:`~coverage.data.provinces.Province` (None: nothing said of townships).
    """
    uses = set(uses)
    unknown = uses - set(USES)
    if unknown:
        msg = f"unknown uses {sorted(unknown)}; use some of {USES}"
        raise ValueError(msg)
    out = station_notes(stations, lang) if "stations" in uses else []
    if province is not None and province.approximate:
        if "places" in uses:
            out.append(t("note.places", lang, share=f"{province.estimated_points_share:.0%}"))
        if "rates" in uses:
            out.append(t("note.rates", lang))
    return out


def data_note_json(province: Any, stations: StationList | None, uses: Iterable[str]) -> dict[str, Any]:
    """The ``data_note`` member of the command line's JSON: the facts, and the notes in English."""
    doc: dict[str, Any] = {"notes": data_notes(province, stations, uses, "en")}
    if stations is not None:
        doc["stations"] = {
            "list": stations.name,
            "nature": stations.nature,
            "partial": stations.partial,
            "last_updated": stations.last_updated.isoformat() if stations.last_updated else None,
            "opening_dates_known": stations.opening_dates_known,
        }
    if province is not None:
        doc["townships"] = {
            "boundaries": "approximate" if province.approximate else "official",
            "estimated_points_share": round(province.estimated_points_share, 4),
        }
    return doc
