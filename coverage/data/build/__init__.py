"""Building the embedded data: the register tables and the province GeoPackages (approximate township cells)."""
