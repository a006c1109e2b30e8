"""The committed township register: counts per kind, codes, former names."""

import pandas as pd
import pytest

from coverage._errors import InputError
from coverage.data.register import kind_of


def test_national_register_has_every_township_unit(register):
    assert len(register.townships) == 41_352
    assert register.townships["code"].str.fullmatch(r"\d{9}").all()
    assert register.townships["code"].is_unique


@pytest.mark.parametrize(
    ("province", "street", "town", "township", "other", "counted"),
    [("45", 135, 806, 312, 31, 1_253), ("44", 482, 1_117, 11, 147, 1_610)],
)
def test_kinds_per_province_match_the_2023_register(register, province, street, town, township, other, counted):
    kinds = register.in_province(province)["kind"].value_counts()
    assert kinds.to_dict() == {"street": street, "town": town, "township": township, "other": other}
    assert len(register.counted(province)) == counted


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("441226114", "town"),
        ("450305004", "street"),
        ("441823201", "township"),
        ("441581450", "other"),
        ("440117404", "other"),
    ],
)
def test_kind_follows_the_nbs_coding_rule(code, kind):
    assert kind_of(code) == kind


def test_kind_names_agree_with_codes_for_guangxi_and_guangdong(register):
    towns = pd.concat([register.in_province("45"), register.in_province("44")])
    suffix_kind = towns["name"].map(
        lambda n: (
            "street"
            if n.endswith(("街道", "街道办事处"))
            else "town"
            if n.endswith("镇")
            else "township"
            if n.endswith("乡")
            else "other"
        )
    )
    assert (suffix_kind == towns["kind"]).all()


def test_every_township_has_a_county_city_and_province(register):
    t = register.townships
    assert t["county_code"].isin(register.counties.index).all()
    assert t["city_code"].isin(register.cities.index).all()
    assert t["province_code"].isin(register.provinces.index).all()


def test_village_counts_are_reported(register):
    jiushi = register.townships.loc["441226114"]
    assert jiushi["name"] == "九市镇"
    assert (jiushi["n_villages"], jiushi["n_communities"]) == (14, 1)
    assert (register.townships[["n_villages", "n_communities"]] >= 0).all().all()


def test_former_names_point_to_current_townships(register):
    former = register.former_townships
    with_successor = former[former["new_code"] != ""]
    assert with_successor["new_code"].isin(register.townships.index).all()
    xinfu = former[former["old_name"] == "新福街道"].iloc[-1]
    assert xinfu["old_code"] == "440511011"
    assert xinfu["new_code"] == "440511018"


def test_province_lookup_by_name_and_code(register):
    assert register.province_code("广西") == "45"
    assert register.province_code("广东省") == "44"
    assert register.province_code("44") == "44"
    with pytest.raises(ValueError, match="unknown province"):
        register.province_code("火星")


def test_a_unit_is_named_and_a_former_county_code_gives_its_successor(register):
    assert register.unit("45") == ("45", "广西壮族自治区", "")
    assert register.unit("4501") == ("4501", "南宁市", "")
    code, name, note = register.unit("450127")  # 横县 until 2021
    assert (code, name) == ("450181", "横州市")
    assert "450127 横县" in note and "450181 横州市" in note
    with pytest.raises(InputError, match="no county 459999 in the register"):
        register.unit("459999")
    with pytest.raises(InputError, match="not a province"):
        register.unit("450181100")  # a township is not a unit an account or a ledger covers
