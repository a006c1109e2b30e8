import time, numpy as np, sys
from coverage.data.provinces import default_stations_path, load_province
from coverage.data.stations import read_stations
from coverage.data.schema import open_on
from coverage.optimise.candidates import capacity_inputs
from coverage.optimise.capacity import MergedModel, rounded_years
from coverage.optimise.budget import count_plan
from coverage.optimise.capacity import Menu
gx = load_province("45")
st = read_stations(default_stations_path("45"), province="45").stations
asof = sys.argv[1]
ci = capacity_inputs(gx.townships, st[open_on(st, asof)], 10000)
model = MergedModel.build(ci.problem)
if asof.startswith("2021"):
    needed = [377, 878]; B = [1.2e8, 2.2e8]; W = [1200, 1500]
else:
    needed = [145, 521, 1022]; B = [6e7, 1.6e8, 3e8]; W = [400, 1000, 1500]
m = model.cp.siting.n_candidates
t0 = time.perf_counter()
b, cols = model.yearly_mip(needed, B, W, [{}] * len(needed))
mip = b.build()
relaxed, duals = mip.relaxation(60, solver="ipm")
print("LP", relaxed.objective, round(time.perf_counter() - t0, 2))
cnt = count_plan(needed, Menu.default(), B, W, most=m)
opened_by = np.maximum(np.cumsum([sum(r) for r in cnt.opened]), needed).astype(int).tolist()
sets = rounded_years(model, [c.open_.values(relaxed.values) for c in cols], opened_by, [{}] * len(needed))
for gap in []:
    b2, c2 = model.yearly_mip(needed, B, W, [{}] * len(needed), fixed_open=sets)
    t1 = time.perf_counter()
    sol = b2.build().solve(120, gap)
    print("restricted gap", gap, sol.objective, sol.bound, sol.status, round(time.perf_counter() - t1, 2), "vs LP", (relaxed.objective - sol.objective) / sol.objective)
b2, c2 = model.yearly_mip(needed, B, W, [{}] * len(needed), fixed_open=sets)
mm = b2.build(); mm.options["output_flag"] = True
sol = mm.solve(120, 0.01)
