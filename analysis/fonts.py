"""The CJK font: Noto Sans CJK (pip `noto-cjk[sans]`), registered with matplotlib at run time, no system font."""

from __future__ import annotations

from functools import lru_cache

from matplotlib import font_manager

from .errors import AnalysisError

#: The Traditional-Chinese face of the Noto Sans CJK collection; it covers Simplified characters too.
CJK_FAMILY = "Noto Sans CJK TC"


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    """Path of the installed Noto Sans CJK collection file."""
    try:
        import noto_cjk

        return str(noto_cjk.otc_path("sans"))
    except Exception as exc:  # the catalog raises its own FontNotInstalled
        raise AnalysisError(f"the CJK font is not installed ({exc}); run: pip install 'noto-cjk[sans]'") from None


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Register the font file with matplotlib (adds a font; changes no settings) and return its family name."""
    font_manager.fontManager.addfont(cjk_font_path())
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FAMILY not in names:
        raise AnalysisError(f"matplotlib does not list {CJK_FAMILY!r} after registering {cjk_font_path()}")
    return CJK_FAMILY
