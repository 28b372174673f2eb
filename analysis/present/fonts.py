"""The CJK font: Noto Sans CJK (pip `noto-cjk[sans]`), registered with matplotlib at run time (no system font), and
subsets of it embedded in the pages the package writes (reading view, coding page)."""

from __future__ import annotations

import base64
from functools import lru_cache

from matplotlib import font_manager

from ..errors import AnalysisError

#: The Traditional-Chinese face of the Noto Sans CJK collection; it covers Simplified characters too.
CJK_FAMILY = "Noto Sans CJK TC"
#: The family name pages give the embedded subset.
FONT_NAME = "zh-news-framing CJK"


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


@lru_cache(maxsize=1)
def cjk_face_number(family: str = CJK_FAMILY) -> int:
    """Index of the face named `family` inside the Noto Sans CJK collection file (.ttc)."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(cjk_font_path(), lazy=True)
    try:
        for i, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == family:
                return i
    finally:
        collection.close()
    raise AnalysisError(f"{cjk_font_path()} has no face named {family!r}; reinstall 'noto-cjk[sans]'")


def cjk_subset_woff(chars: str) -> bytes:
    """WOFF font holding only the glyphs of `chars` from Noto Sans CJK TC; same characters give the same bytes.

    Hints and the OpenType layout features other than composition, kerning and mark placement are dropped, and
    charstrings are desubroutinised (smaller after compression); the head table's timestamp is kept as shipped, so
    the bytes do not depend on the clock. Characters the face lacks are left out (browsers fall back to another
    font for them).
    """
    import io
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = ["ccmp", "kern", "mark", "mkmk"]  # composition, kerning, mark placement
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence and its URL
    options.name_languages = [0x409]
    # bounding boxes as shipped (fontTools.subset does the same by default), timestamp as shipped
    font = TTFont(cjk_font_path(), fontNumber=cjk_face_number(), recalcBBoxes=False, recalcTimestamp=False, lazy=True)
    # fontTools reports each subsetting step at INFO; silence that for this call only, then restore the level.
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted({ord(c) for c in chars}))
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.flavor = "woff"
        font.save(buffer, reorderTables=False)
    finally:
        logger.setLevel(level)
        font.close()
    return buffer.getvalue()


def font_face(chars: str) -> str:
    """@font-face rule embedding the CJK font subset for `chars` as a WOFF data: URL."""
    data = base64.b64encode(cjk_subset_woff(chars)).decode("ascii")
    return (f'@font-face{{font-family:"{FONT_NAME}";font-style:normal;font-weight:400;font-display:block;'
            f'src:url(data:font/woff;base64,{data}) format("woff")}}\n')
