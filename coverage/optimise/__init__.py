"""Optimisation: the one HiGHS adapter, siting models, siting problems from layers, yearly rollout plans."""
