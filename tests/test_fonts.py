"""Chinese renders in every picture on a fresh machine: the packaged Noto Sans CJK, registered at run time."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import warnings
import matplotlib
matplotlib.use("Agg")
warnings.simplefilter("error")  # a missing glyph is a UserWarning: fail on it
from matplotlib import font_manager, pyplot as plt
from noto_cjk_sans_otc import FONT_PATH
from coverage.present.fonts import use_cjk_font, CJK_FAMILY
use_cjk_font()
assert str(FONT_PATH) in {f.fname for f in font_manager.fontManager.ttflist if f.name == CJK_FAMILY}
fig, ax = plt.subplots()
ax.set_title("广西壮族自治区乡镇（街道）社工站覆盖率")
ax.set_xlabel("年份：2021年12月31日 目标 30%")
ax.plot([0, 1], [0, -1])
fig.savefig(OUT)
print("ok")
"""


def test_chinese_renders_with_an_empty_font_cache(tmp_path):
    """A fresh matplotlib configuration folder stands for a new machine whose font cache knows no CJK font."""
    out = tmp_path / "chart.png"
    env = {"MPLCONFIGDIR": str(tmp_path / "mpl"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("OUT", repr(str(out)))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
