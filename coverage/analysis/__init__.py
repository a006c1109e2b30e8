"""Analysis: administrative coverage against targets, demand, travel, service-radius gaps, need, scenarios."""
