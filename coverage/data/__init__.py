"""Loading data: the township register, names, provinces' layers, files, and station lists.

``build/`` holds what builds the embedded data (``python -m coverage data build``);
nothing here imports it at run time.
"""
