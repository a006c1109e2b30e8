"""Hand-typed township names resolved to codes, never guessed."""

import pytest

from coverage.data.demo import GUANGDONG_REPORTED
from coverage.data.names import TownshipMatcher, normalise, township_core


@pytest.fixture(scope="module")
def gd():
    return TownshipMatcher("44")


@pytest.fixture(scope="module")
def gx():
    return TownshipMatcher("45")


def test_normalise_strips_station_words_spaces_and_full_width():
    assert normalise(" 肇庆市 德庆县九市镇社工站 ") == "肇庆市德庆县九市镇"
    assert normalise("九市镇社会工作服务站") == "九市镇"
    assert normalise("ＡＢ九市镇（社工站）") == "AB九市镇"


def test_core_names():
    assert township_core("九市镇") == "九市"
    assert township_core("秤架瑶族乡") == "秤架"
    assert township_core("漓东街道办事处") == "漓东"


@pytest.mark.parametrize(
    "text",
    [
        "肇庆市德庆县九市镇社工站",
        "德庆县九市镇",
        "九市",
        "九市镇",
        "广东省肇庆市德庆县九市镇社会工作服务站",
        "德庆九市",
    ],
)
def test_forms_of_one_name(gd, text):
    result = gd.match(text)
    assert (result.status, result.code) == ("matched", "441226114")


def test_reported_guangdong_stations(gd):
    results = [gd.match(name) for name in GUANGDONG_REPORTED]
    statuses = [r.status for r in results]
    assert statuses.count("matched") == 21
    assert all(r.code for r in results)
    by_name = dict(zip(GUANGDONG_REPORTED, results, strict=True))
    # 新福街道 was merged away after 2018: its communities are now in 小公园街道
    xinfu = by_name["汕头市金平区新福街道"]
    assert (xinfu.status, xinfu.code, xinfu.how) == ("repaired", "440511018", "former name")
    assert "新福街道" in xinfu.message and "小公园街道" in xinfu.message
    # 东海镇 became 东海街道
    donghai = by_name["汕尾市陆丰市东海镇"]
    assert (donghai.status, donghai.code, donghai.how) == ("repaired", "441581001", "kind changed")
    # 连山县 is short for 连山壮族瑶族自治县
    assert by_name["清远市连山县福堂镇"].code == "441825108"


def test_same_name_in_several_counties_is_ambiguous(gd):
    result = gd.match("城东街道")
    assert result.status == "ambiguous"
    assert result.code is None
    assert len(result.candidates) == 3
    assert any("441581003" in c for c in result.candidates)
    assert gd.match("陆丰市城东街道").code == "441581003"
    assert gd.match("阳江市江城区城东街道").code == "441702006"


def test_same_name_disambiguated_by_separate_county_column(gd):
    assert gd.match("大坝镇", county="和平县").code == "441624101"
    assert gd.match("大坝镇", county="普宁市").code == "445281103"
    assert gd.match("大坝镇").status == "ambiguous"


def test_old_county_names_are_understood(gx):
    # 荔浦县 became 荔浦市 (450331 -> 450381), 横县 became 横州市
    assert gx.match("荔浦县荔城镇").code == "450381100"
    assert gx.match("横县百合镇").code == "450181101"


def test_unmatched_lists_the_closest_names_of_the_county(gd):
    result = gd.match("德庆县九是镇")
    assert result.status == "unmatched"
    assert result.candidates and "441226114" in result.candidates[0]


def test_a_county_alone_is_not_a_township(gx):
    result = gx.match("桂林市秀峰区")
    assert result.status == "unmatched"
    assert "names a county" in result.message


def test_empty_text(gd):
    assert gd.match("").status == "unmatched"


def test_a_named_county_without_that_township_is_unmatched_not_ambiguous(gx):
    # 城东街道 exists in Guangxi, but not in 兴宁区: the text's county rules the others out
    result = gx.match("兴宁区城东街道")
    assert result.status == "unmatched"
    assert "兴宁区 has no township '城东街道'" in result.message
    assert all("450102" in c for c in result.candidates)
