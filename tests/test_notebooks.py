"""Every notebook runs from top to bottom (so it never rots); executed copies go to tests/artifacts/."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = Path(__file__).parent / "artifacts"
#: plots each notebook must draw (01: trajectory, county map, gap maps; 02: the plan map)
MIN_IMAGES = {"01_coverage_for_officials.ipynb": 3, "02_rollout_plan_guangxi.ipynb": 1}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    ARTIFACTS.mkdir(exist_ok=True)
    nbformat.write(nb, ARTIFACTS / path.name)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    # Chinese labels drawn, not boxes: matplotlib warns of every missing glyph on standard error
    assert not [o for o in outputs if o.output_type == "stream" and "missing from font" in o.get("text", "")]
    images = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(images) >= MIN_IMAGES.get(path.name, 1)
