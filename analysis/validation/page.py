"""coding.html: the blind coding sheet as one self-contained offline page (HTML, style, script and units inline).

The page's markup, style and script are package data files (coding_page.html/.css/.js); this module fills them in.
Its Content-Security-Policy allows nothing but its own style and script, named by their sha256 hashes: no request of
any kind, no other script. The units travel as a JSON data block (never executed) with `<`, `>` and `&` escaped, and
the script sets every text with textContent, so a unit's text can hold any characters.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import unicodedata

from ..io.files import package_text
from ..present.fonts import FONT_NAME, font_face

#: The embedded font's family name, first in the page's font stack (coding_page.css).
PAGE_FONT = "zh-news-framing CJK"
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")
QUESTIONS = {
    "sentences": ("Code the tone of each sentence", "What tone does the highlighted sentence take, as written "
                  "(not your opinion of the event)? 1 negative · 2 neutral · 3 positive."),
    "kwic": ("Is the term used in the sense of its category?", "Is the marked term used here in the sense of the "
             "category shown above the sentence? 1 yes · 2 no · 3 unsure."),
}


def csp_hash(text: str) -> str:
    """The CSP source expression `'sha256-…'` that allows exactly this inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def json_block(obj: object) -> str:
    """JSON safe inside a <script type="application/json"> element: no `<`, `>` or `&`, no line separators."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def render_page(units: list[dict], record: dict, instructions: str, font_css: str = "") -> str:
    """The page for these units (in sheet order) of the sample described by `record` (sample.json's content), with
    `font_css` (an @font-face rule) before the style when given."""
    css, js = font_css + package_text(__package__, "coding_page.css"), package_text(__package__, "coding_page.js")
    csp = (f"default-src 'none'; script-src {csp_hash(js)}; style-src {csp_hash(css)}; "
           f"{'font-src data:; ' if font_css else ''}base-uri 'none'; form-action 'none'")
    heading, question = QUESTIONS[record["unit"]]
    payload = {"sample_id": record["sample_id"], "unit": record["unit"], "codes": record["codes"], "units": units}
    values = {
        "csp": csp,  # hashes are base64: no character to escape in the attribute
        "title": html.escape(f"{heading} · sample {record['sample_id']}"),
        "heading": html.escape(heading),
        "question": html.escape(question),
        "sample_id": html.escape(record["sample_id"]),
        "instructions": html.escape(instructions),
        "css": css,
        "js": js,
        "data": json_block(payload),
    }
    # one pass, so that a value holding "{{...}}" is never filled in again
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], package_text(__package__, "coding_page.html"))


def coding_page(units: list[dict], record: dict, instructions: str) -> str:
    """The complete page: rendered once to learn its characters, then with a subset of Noto Sans CJK holding just
    those embedded (as the reading view does), so that Chinese shows where no CJK font is installed."""
    draft = render_page(units, record, instructions)
    font = font_face(draft + unicodedata.normalize("NFC", draft))
    return render_page(units, record, instructions, font.replace(f'"{FONT_NAME}"', f'"{PAGE_FONT}"'))
