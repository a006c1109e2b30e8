"""Chinese text in every picture, on any machine: Noto Sans CJK from an installed package.

The officials' report draws its map with matplotlib, and the notebooks plot with it.  A fresh
machine may have no CJK font, and matplotlib's font cache may predate one installed later, so
Chinese came out as empty boxes.  The font comes from PyPI ``noto-cjk-sans-otc`` (Noto Sans CJK
Regular, SIL Open Font License 1.1) and is registered with matplotlib here, at run time.
"""

from __future__ import annotations

import functools

#: The family every picture uses for Chinese (simplified-Chinese glyph forms).
CJK_FAMILY = "Noto Sans CJK SC"


@functools.cache
def cjk_font() -> str:
    """Register the packaged Noto Sans CJK with matplotlib (once per process); return its family name."""
    from matplotlib import font_manager
    from noto_cjk_sans_otc import FONT_PATH

    font_manager.fontManager.addfont(str(FONT_PATH))
    return CJK_FAMILY


def use_cjk_font() -> None:
    """Make Noto Sans CJK SC matplotlib's sans-serif font for the rest of the process (notebooks).

    Minus signs are drawn as hyphens, which the CJK font has.
    """
    import matplotlib

    family = cjk_font()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
