"""The Trips page's days (issue 16): they follow the stations, with Streamlit's AppTest (no browser)."""

import pytest

from app_pages.common import NOTE_ICON
from tests.app_session import goto, new_session


@pytest.fixture
def trips():
    return goto(new_session(timeout=600), "trips")


def warnings(at):
    """The page's warnings other than its data notes."""
    return [w.value for w in at.warning if w.icon != NOTE_ICON]


def test_the_first_plan_of_the_default_sample_visits_every_station(trips):
    """Guangxi, 2 stations per city (28), 2 visits a day: the days start at the visit cap's 14 (no
    warning), the first plan is made in the fewest working days that visit all 28 (21: five tours,
    home at the weekends) and the days input then shows them; nothing is left out, nothing warns."""
    at = trips
    assert at.caption[0].value == "已选 28 个社工站。"
    assert at.number_input(key="trip_days").value == 14 and not warnings(at)
    at.button(key="trip_run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not warnings(at)
    assert [s.value for s in at.success][0].startswith("全部 28 个站最少需要 21 个工作日（5 趟，至 ")
    days = next(df.value for df in at.dataframe if "住宿" in df.value.columns)
    assert len(days) == 21 and days["走访"].map(lambda v: len(v.split("、")) if v else 0).sum() == 28
    assert at.number_input(key="trip_days").value == 21
    # changed by the user, the days are the user's: 14 plans 14 days and says what is left out
    at.number_input(key="trip_days").set_value(14).run()
    assert at.number_input(key="trip_days").value == 14
