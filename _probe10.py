exec(open("_probe9.py").read().split("b2, c2 = model.yearly_mip(needed, B, W, [{}] * len(needed), fixed_open=sets)\nmm")[0])
import itertools
for opts in [{"mip_heuristic_effort": 0.3}, {"mip_heuristic_effort": 0.6}, {"mip_heuristic_effort": 0.3, "mip_lp_age_limit": 5}]:
    b2, c2 = model.yearly_mip(needed, B, W, [{}] * len(needed), fixed_open=sets)
    t1 = time.perf_counter()
    sol = b2.build().solve(120, 0.005, **opts)
    print(opts, sol.objective, sol.status, round(time.perf_counter() - t1, 2))
