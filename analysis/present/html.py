"""The reading view: one self-contained HTML page per document, built from the tables of a run (never re-scoring).

The page is the article itself, rebuilt from the tables: the title and headings from sections.csv, the paragraphs
and sentences from sentences.csv, the framing hits from kwic.csv; all their offsets point into the same normalised
text, so a hit is placed inside its sentence or heading by offset. Each scored sentence is shaded by its score on a
blue–orange scale, each hit is underlined in its category's colour and line style, and hovering or focusing either
shows the evidence. Everything is escaped and nothing is fetched: CSS is inline, there is no script at all (the
page's Content-Security-Policy forbids scripts and every network request), and a subset of Noto Sans CJK TC holding
just the page's characters is embedded as a data: URL, so Chinese renders where no CJK font is installed.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import AnalysisError
from ..framing.lexicon import Entry, Lexicon
from ..framing.match import COUNTED, EXCLUDED, matcher_for
from ..io.files import package_text, staged
from ..io.inputs import unsafe_as_path
from ..io.tables import RunTables, load_run, run_lexicon
from ..schema import CATEGORY_SEPARATOR
from ..text.script import to_simplified_aligned
from .fonts import CJK_FAMILY, FONT_NAME, font_face
from .layout import heading_starts, overlapping
from .palette import BLUE, CATEGORY_COLOURS, ORANGE, TEXT_COLOUR
from .report import number

#: Sentence shading: bins of the score, blue below 0.5 and orange above (palette), as in the figures.
N_BINS = 10
#: Each framing category's underline: a colour (palette.CATEGORY_COLOURS) and a second, non-colour cue, its style.
CATEGORY_LINES = ("solid", "double", "dashed", "wavy")
SECOND_SCORE_COLUMN = "sentiment_lexicon"

# C0/C1 controls (tab and line feed excepted), surrogates and non-characters are shown as U+FFFD.
_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def esc(text: str) -> str:
    """Text as HTML text or attribute value: markup characters escaped, control characters shown as U+FFFD."""
    return html.escape(_UNSAFE_RE.sub("\ufffd", text), quote=True)


# --------------------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class KwicHit:
    """A row of kwic.csv as the page places it: offsets into the normalised text, the entry, the text as found,
    whether it counts and whose words it is in."""

    start: int
    end: int
    category: str
    term: str
    match: str
    status: str = COUNTED
    voice: str = "own"

    @property
    def counts(self) -> bool:
        """Whether the hit is in the counts (not set aside by a rule of the lexicon)."""
        return self.status == COUNTED


def page_relpath(document: str) -> str:
    """The page's path below the output folder: `<document>.html`, ids with '/' giving nested folders."""
    if unsafe_as_path(document):
        raise AnalysisError(f"document id {document!r} cannot name a file below --out (empty, '.' or '..' part, "
                            "or a backslash); give the document another id")
    return document + ".html"


def mark_up(text: str, base: int, hits: list[KwicHit], render: Callable[[KwicHit, str], str], where: str) -> str:
    """Escaped `text` (which starts at offset `base`) with each overlapping hit rendered by `render(hit, inner)`.

    Hits are sorted and do not overlap; a hit that runs past either end of the text is clipped to it.
    """
    out, pos, end = [], 0, base + len(text)
    for h in hits:
        a, b = max(h.start, base) - base, min(h.end, end) - base
        if a >= b:
            continue
        if h.start >= base and h.end <= end and text[a:b] != h.match:
            raise AnalysisError(f"kwic.csv says {h.match!r} is at {h.start}–{h.end} but {where} has {text[a:b]!r} "
                                "there; the tables are from different runs: regenerate them")
        out.append(esc(text[pos:a]))
        out.append(render(h, esc(text[a:b])))
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


# ------------------------------------------------------------------------------------------------------ styling


def _mix(colour: str, amount: float) -> str:
    """`colour` mixed with white: amount 0 is white, 1 the colour."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (c - 255) * amount):02x}" for c in rgb)


def bin_colours(n_bins: int = N_BINS) -> list[str]:
    """Background of each score bin [k/n, (k+1)/n): blue below 0.5, orange above, paler towards 0.5."""
    out = []
    for k in range(n_bins):
        centre = (k + 0.5) / n_bins
        out.append(_mix(BLUE if centre < 0.5 else ORANGE, 0.12 + 0.5 * abs(centre - 0.5) * 2))
    return out


def score_bin(score: float, n_bins: int = N_BINS) -> int:
    """The bin of a score in [0, 1] (1.0 falls in the top bin)."""
    return min(max(int(score * n_bins), 0), n_bins - 1)


def category_style(i: int) -> tuple[str, str]:
    """Colour and underline style of the i-th lexicon category."""
    return CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)], CATEGORY_LINES[i % len(CATEGORY_LINES)]


def _css(categories: list[str]) -> str:
    bins = "".join(f".b{k}{{background:{c}}}" for k, c in enumerate(bin_colours()))
    cats = "".join(
        f".c{i}{{text-decoration:underline 3px {c} {line}}}" for i, (c, line) in enumerate(map(category_style,
                                                                                          range(len(categories))))
    )
    # a hit that does not count: struck through in its category's colour, no underline
    cats += "".join(f".c{i}.x{{text-decoration:line-through 2px {c}}}"
                    for i, (c, _) in enumerate(map(category_style, range(len(categories)))))
    css = package_text(__package__, "reading_view.css")
    return (css.replace("/*BINS*/", bins).replace("/*CATEGORIES*/", cats).replace("TEXT_COLOUR", TEXT_COLOUR)
            .replace("FONT_NAME", FONT_NAME))




# ----------------------------------------------------------------------------------------------------- the page


def _scorer_phrase(manifest: dict) -> tuple[str, str]:
    """Short label of the main score and a sentence saying what the shading is."""
    params = manifest.get("parameters", {})
    scorer = str(params.get("scorer", "snownlp"))
    converter = str(params.get("converter", "t2s"))
    seen = "as written" if converter == "none" else f"after OpenCC {converter} conversion"
    model = params.get("sentiment_model")
    if scorer.startswith("snownlp") and isinstance(model, dict) and model.get("description"):
        return (f"P(positive), SnowNLP retrained (model {str(model.get('sha256', ''))[:8]}…)",
                f"Shading is the probability that the sentence ({seen}) is “positive” under "
                f"{model['description']}: SnowNLP's naive Bayes model with counts from sentences its user coded"
                + (" added to those of its product and hotel reviews" if model.get("base") == "snownlp" else "")
                + ". It is a model's output, not a measure of truth, accuracy or the author's intent; it is only as "
                "good as the coding it was trained on (see the model's cv.csv).")
    if scorer.startswith("snownlp"):
        return ("SnowNLP P(positive)",
                f"Shading is SnowNLP's probability that the sentence ({seen}) is “positive”, from a naive Bayes "
                "model trained on product and hotel reviews. It is a model's output, not a measure of truth, "
                "accuracy or the author's intent; on news it leans positive, so compare sentences with each other "
                "rather than with 0.5.")
    return (f"{scorer} score",
            f"Shading is the {scorer} scorer's score of the sentence ({seen}), from 0 (negative) to 1 (positive). "
            "It is a model's output, not a measure of truth, accuracy or the author's intent.")


def _model_note(params: dict) -> str:
    """", model …" for a run scored with a trained sentiment model (nothing for SnowNLP's own)."""
    model = params.get("sentiment_model")
    return f", sentiment model {model['path']} {str(model['sha256'])[:12]}…" if isinstance(model, dict) else ""


def _hits(kwic: pd.DataFrame) -> list[KwicHit]:
    rows = kwic.sort_values("start", kind="stable")
    return [KwicHit(int(r.start), int(r.end), str(r.category), str(r.term), str(r.match), str(r.status),
                    str(r.voice)) for r in rows.itertuples()]


def uncounted_rules(lexicon: Lexicon, text: str, base: int, hits: list[KwicHit]) -> dict[KwicHit, str]:
    """Why each hit set aside in `text` (a sentence or heading starting at offset `base`) does not count: the rule
    found by matching the text again with the run's lexicon (kwic.csv keeps the status, not the rule)."""
    aside = [h for h in hits if not h.counts]
    if not aside:
        return {}
    found = {(base + h.start, h.entry.term): h for h in
             matcher_for(lexicon).find(text, to_simplified_aligned(text), 0, len(text))}
    out = {}
    for h in aside:
        again = found.get((h.start, h.term))
        out[h] = again.rule if again is not None and again.status == h.status else (
            "excluded by a rule of the lexicon" if h.status == EXCLUDED else "not a word here")
    return out


def _hit_counts(hits: list[KwicHit]) -> str:
    """'42 framing hits (38 in the outlet's own voice, 4 quoted)', plus the candidates set aside, if any."""
    counted = [h for h in hits if h.counts]
    own = sum(h.voice == "own" for h in counted)
    text = f"{len(counted)} framing hits ({own} in the outlet's own voice, {len(counted) - own} quoted)"
    aside = len(hits) - len(counted)
    if aside:
        excluded = sum(h.status == EXCLUDED for h in hits)
        text += (f"; {aside} not counted, struck through ({aside - excluded} not a word there, {excluded} excluded by "
                 "the lexicon's rules)")
    return text


def _summary_html(doc: pd.Series, sections: pd.DataFrame, sentences: pd.DataFrame, hits: list[KwicHit],
                  score_label: str) -> str:
    """The summary panel: the document's sentences, mean and interval, and a table of its sections."""

    def stats(row: object) -> str:
        ci = ("–" if math.isnan(row.sentiment_ci_low)
              else f"{number(row.sentiment_ci_low)}–{number(row.sentiment_ci_high)}")
        return (f'<td class="n">{int(row.n_scored)}/{int(row.n_sentences)}</td><td class="n">'
                f'{number(row.sentiment_mean)}</td><td class="n">{ci}</td>')

    second = SECOND_SCORE_COLUMN + "_mean" in sections.columns
    rows = []
    for sec in sections.itertuples():
        heading = sec.heading if isinstance(sec.heading, str) and sec.heading else "(no title)"
        link = f'<a href="#section-{int(sec.section)}">' if sec.section else '<a href="#top">'
        extra = f'<td class="n">{number(getattr(sec, SECOND_SCORE_COLUMN + "_mean"))}</td>' if second else ""
        rows.append(f'<tr><td class="n">{int(sec.section)}</td><td>{link}<bdi>{esc(heading)}</bdi></a></td>'
                    f'{stats(sec)}{extra}<td class="n">{int(sec.framing_hits)}</td></tr>')
    line = f"<p>{len(sentences)} body sentences, {int(sentences['sentiment'].notna().sum())} scored"
    if {"sentiment_mean", "sentiment_ci_low", "sentiment_ci_high"} <= set(doc.index):
        line += (f"; mean {esc(score_label)} {number(doc['sentiment_mean'])} (95% bootstrap CI "
                 f"{number(doc['sentiment_ci_low'])}–{number(doc['sentiment_ci_high'])})")
    line += f"; {esc(_hit_counts(hits))}.</p>"
    extra_head = '<th class="n">lexicon mean</th>' if second else ""
    return (
        '<section class="panel" id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
        f"{line}"
        '<div class="scroll"><table><thead><tr><th class="n">§</th><th>section</th><th class="n">scored</th>'
        f'<th class="n">mean</th><th class="n">95% CI</th>{extra_head}<th class="n">hits</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="note">mean: of the sentence scores; CI: 95% percentile bootstrap interval of that mean over the '
        "section's sentences (– when fewer than 2 are scored); hits: framing hits that count, heading included."
        "</p></section>"
    )


def _legend_html(hits: list[KwicHit], lexicon: Lexicon, score_label: str, shading_text: str) -> str:
    """The legend panel: the shading scale, and each framing category's underline with its hits."""
    edges = [f"{k / N_BINS:.1f}–{(k + 1) / N_BINS:.1f}" for k in range(N_BINS)]
    swatches = "".join(f'<span class="b{k}">{e}</span>' for k, e in enumerate(edges))
    cat_index = {c.id: i for i, c in enumerate(lexicon.categories)}
    by_cat: dict[str, dict[str, int]] = {c: {} for c in cat_index}
    for h in (h for h in hits if h.counts):
        terms = by_cat.setdefault(h.category, {})
        terms[h.term] = terms.get(h.term, 0) + 1
    items = []
    for cid, terms in by_cat.items():
        cat = lexicon.category(cid) if cid in cat_index else None
        name = f"{cat.label_zh} · {cat.label_en}" if cat else cid
        cls = f"t c{cat_index[cid]}" if cid in cat_index else "t"
        listed = " · ".join(f"<bdi>{esc(t)}</bdi>×{n}" for t, n in sorted(terms.items(), key=lambda kv: -kv[1]))
        items.append(f'<li><span class="{cls}" data-legend="{esc(cid)}">{esc(name)}</span>: '
                     f'<b>{sum(terms.values())}</b> <span class="terms">{listed}</span></li>')
    return (
        '<section class="panel" id="legend" aria-labelledby="legend-h"><h2 id="legend-h">How to read this page</h2>'
        f'<h3>Sentence shading: {esc(score_label)}</h3><div class="scale" role="img" aria-label="'
        f'{esc(score_label)}: blue below 0.5, orange above, paler near 0.5; no shading: not scored">{swatches}'
        f'<span class="na">not scored</span></div><p class="note">{esc(shading_text)} Blue: below 0.5; orange: '
        "0.5 and above; the darker, the further from 0.5. Hover over or tab to a sentence for its score.</p>"
        f'<h3>Framing terms (underlined), hits by category</h3><ul class="cats">{"".join(items)}</ul>'
        f'<p class="note">Lexicon {esc(lexicon.name)} {esc(lexicon.version)}. Hover over or tab to a term for its '
        "category, gloss and the reason it is in the lexicon, and whose words it is in (the outlet's own or quoted "
        "speech). A term counts where it is used, not what it asserts. A struck-through term was found but does not "
        "count: it is not a word there, or a rule of the lexicon excludes it (hover for the rule).</p></section>"
    )


def _hit_tip(h: KwicHit, cat: object, entry: Entry | None, rule: str) -> list[str]:
    """The tooltip lines of a framing hit: category, term and gloss, rationale, voice; why it is not counted."""
    tip = [f"{cat.label_en} · {cat.label_zh}" if cat else h.category,
           h.term + (f" (found as {h.match})" if h.match != h.term else "") + (f": {entry.gloss}" if entry else ""),
           entry.rationale if entry else "(not in the lexicon)",
           "voice: quoted speech" if h.voice == "quoted" else "voice: the outlet's own"]
    if not h.counts:
        tip.insert(0, f"NOT COUNTED ({h.status}): {rule}")
        if entry is not None and entry.literal_note:
            tip.append(f"literal use: {entry.literal_note}")
    return tip


def _paragraph_html(para: pd.DataFrame, sentence_html: Callable[[object], str]) -> str:
    """One paragraph: its sentences in order, a space where the text had white space between two of them."""
    parts, last_end = [], None
    for r in para.itertuples():
        if last_end is not None and int(r.start) > last_end:
            parts.append(" ")  # white space between two sentences of a paragraph
        parts.append(sentence_html(r))
        last_end = int(r.end)
    return "<p>" + "".join(parts) + "</p>"


def _article_html(document: str, sections: pd.DataFrame, sentences: pd.DataFrame, hits: list[KwicHit],
                  lexicon: Lexicon, score_label: str) -> tuple[str, str]:
    """The title (section 0's heading) and the article body: headings and paragraphs of marked-up sentences."""
    has_second = SECOND_SCORE_COLUMN in sentences.columns
    cat_index = {c.id: i for i, c in enumerate(lexicon.categories)}
    # kwic.csv's category of an entry in several categories is its categories joined (schema.CATEGORY_SEPARATOR)
    entries: dict[tuple[str, str], Entry] = {(CATEGORY_SEPARATOR.join(e.categories), e.term): e
                                             for e in lexicon.entries}
    placed: set[KwicHit] = set()
    starts, ends = [h.start for h in hits], [h.end for h in hits]

    rules: dict[KwicHit, str] = {}

    def render_hit(h: KwicHit, inner: str) -> str:
        placed.add(h)
        first = h.category.split(CATEGORY_SEPARATOR)[0]  # an entry in several categories: coloured as its first
        cat = lexicon.category(first) if first in cat_index else None
        tip = _hit_tip(h, cat, entries.get((h.category, h.term)), rules.get(h, h.status))
        cls = f"t c{cat_index[first]}" if first in cat_index else "t"
        cls += "" if h.counts else " x"
        return (f'<span class="{cls}" tabindex="0" data-category="{esc(h.category)}" data-status="{esc(h.status)}" '
                f'data-tip="{esc(chr(10).join(tip))}">{inner}</span>')

    def marked(text: str, base: int, where: str) -> str:
        here = overlapping(hits, starts, ends, base, base + len(text))
        rules.update(uncounted_rules(lexicon, text, base, here))
        return mark_up(text, base, here, render_hit, where)

    def sentence_html(r: object) -> str:
        score = float(r.sentiment)
        tip = f"sentence #{r.sentence} · "
        tip += f"{score_label} = {score:.3f}" if not math.isnan(score) else "not scored (no Chinese character)"
        if getattr(r, "voice", "own") == "quoted":
            tip += "\nquoted speech (not the outlet's own voice)"
        if has_second:
            second = float(getattr(r, SECOND_SCORE_COLUMN))
            tip += "\nlexicon scorer = " + (f"{second:.3f}" if not math.isnan(second) else "not scored")
        cls, data = ("s na", "") if math.isnan(score) else (f"s b{score_bin(score)}", f' data-score="{score:.2f}"')
        body = marked(str(r.text), int(r.start), f"sentence #{r.sentence}")
        return f'<span class="{cls}" tabindex="0" data-i="{int(r.sentence)}"{data} data-tip="{esc(tip)}">{body}</span>'

    heads = heading_starts(sections, sentences)
    title, body = "", []
    for sec in sections.itertuples():
        heading = sec.heading if isinstance(sec.heading, str) else ""
        if heading:
            inner = marked(heading, heads[int(sec.section)], f"the heading of section {sec.section}")
            if sec.section == 0:
                title = inner
            else:
                body.append(f'<h2 id="section-{int(sec.section)}">{inner}</h2>')
        for _, para in sentences[sentences["section"] == sec.section].groupby("paragraph", sort=True):
            body.append(_paragraph_html(para, sentence_html))
    missed = [h for h in hits if h not in placed]
    if missed:
        h = missed[0]
        raise AnalysisError(f"kwic.csv has a hit {h.match!r} at {h.start}–{h.end} of {document!r} that lies in no "
                            "heading or sentence; the tables are from different runs: regenerate them")
    return title, "\n".join(body)


def render_page(run: RunTables, document: str, lexicon: Lexicon, font_css: str = "") -> str:
    """The page of one document as HTML text; `font_css` is the @font-face rule to embed (none when empty)."""
    doc_row = run.documents[run.documents["document"] == document]
    if doc_row.empty:
        raise AnalysisError(f"document {document!r} is not in documents.csv")
    doc = doc_row.iloc[0]
    sections = run.sections[run.sections["document"] == document].sort_values("section")
    sentences = run.sentences[run.sentences["document"] == document].sort_values("sentence")
    hits = _hits(run.kwic[run.kwic["document"] == document])
    score_label, shading_text = _scorer_phrase(run.manifest)
    title_html, article = _article_html(document, sections, sentences, hits, lexicon, score_label)

    title = doc["title"] if isinstance(doc["title"], str) and doc["title"] else ""
    meta = doc["metadata"] if isinstance(doc["metadata"], str) else ""
    versions, params = run.manifest.get("versions", {}), run.manifest.get("parameters", {})
    lex = run.manifest["lexicon"]
    header = (
        f'<header id="top"><p class="kicker">Reading view · document <bdi>{esc(document)}</bdi></p>'
        f'<h1 lang="zh">{title_html or esc(title or document)}</h1>'
        + (f'<p class="meta">Byline and credits (not analysed): <bdi lang="zh">{esc(meta)}</bdi></p>' if meta else "")
        + "</header>"
    )
    footer = (
        f'<footer><p>Made by zh-news-framing {esc(str(versions.get("zh-news-framing", "")))} from the tables of a '
        f'run (scorer {esc(str(params.get("scorer", "")))}{esc(_model_note(params))}, '
        f'converter {esc(str(params.get("converter", "")))}, '
        f'lexicon sha256 {esc(str(lex["sha256"])[:12])}…). Font: {CJK_FAMILY}, a subset of the characters of '
        "this page, SIL Open Font License 1.1.</p></footer>"
    )
    csp = ("default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title or document)} · reading view</title>\n"
        f"<style>{font_css}{_css([c.id for c in lexicon.categories])}</style>\n</head>\n<body>\n<main>\n"
        f"{header}\n{_summary_html(doc, sections, sentences, hits, score_label)}\n"
        f"{_legend_html(hits, lexicon, score_label, shading_text)}\n"
        f'<article lang="zh" aria-label="article">\n{article}\n</article>\n'
        f"{footer}\n</main>\n</body>\n</html>\n"
    )


def build_page(run: RunTables, document: str, lexicon: Lexicon) -> str:
    """The complete self-contained page: rendered once to learn its characters, then with their font embedded."""
    draft = render_page(run, document, lexicon)
    # with the composed forms too, so that the browser can draw "e" + U+0301 as the font's "é"
    return render_page(run, document, lexicon, font_face(draft + unicodedata.normalize("NFC", draft)))


def write_pages(data_dir: Path, out_dir: Path, lexicon_path: Path | None = None,
                documents: list[str] | None = None) -> list[Path]:
    """Write `<out_dir>/<document>.html` for every document of a run (or the `documents` named); the lexicon is
    `lexicon_path`, else the one manifest.json records (io.tables.run_lexicon). All inputs are checked before
    writing, and the pages replace earlier ones only once all are written (a full disk leaves the earlier ones)."""
    run = load_run(data_dir)
    lexicon = run_lexicon(run.manifest, lexicon_path)
    known = list(run.documents["document"].astype(str))
    if documents is not None:
        missing = [d for d in documents if d not in set(known)]
        if missing:
            raise AnalysisError(f"no document {missing[0]!r} in {data_dir}/documents.csv"
                                + (f" (nor {len(missing) - 1} more)" if len(missing) > 1 else "")
                                + "; give ids from its document column")
    documents = known if documents is None else list(dict.fromkeys(documents))
    out_dir = Path(out_dir)
    relpaths = {doc: page_relpath(doc) for doc in documents}
    for doc in documents:  # fail on inconsistent tables before anything is written
        render_page(run, doc, lexicon)
    with staged(out_dir) as tmp:
        for doc in documents:
            path = tmp / relpaths[doc]
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(build_page(run, doc, lexicon))
    return [out_dir / relpaths[doc] for doc in documents]
