"""The reading view: the page rebuilds the article from the tables, marks every hit, escapes everything, is stable."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis import config
from analysis.io.tables import read_table
from analysis.present.html import bin_colours
from analysis.present.palette import TEXT_COLOUR

from .conftest import ARTICLE, ROOT, lexicon_yaml, run_cli


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class Tree(HTMLParser):
    """A minimal DOM built by the standard library's HTML tokenizer (the same escaping rules as a browser)."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "source", "wbr"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#root", [], None)
        self.tags: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        n = Node(tag, attrs, self.node)
        self.node.children.append(n)
        if tag not in self.VOID:
            self.node = n

    def handle_endtag(self, tag):
        n = self.node
        while n is not self.root and n.tag != tag:
            n = n.parent
        assert n is not self.root, f"stray </{tag}>"
        self.node = n.parent

    def handle_data(self, data):
        self.node.children.append(data)

    def find(self, tag, cls=None):
        return [n for n in self.root.iter() if n.tag == tag and (cls is None or cls in n.classes())]


def _html(out: Path, document: str) -> str:
    return (out / f"{document}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_page(article_run, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("html")
    r = run_cli("html", "--data", str(article_run), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out, _html(out, ARTICLE.stem)


def _squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_paragraph_column_follows_the_line_breaks_of_the_article(article_run, article_text):
    sen = read_table(article_run / "sentences.csv")
    for a, b in zip(sen.itertuples(), sen.iloc[1:].itertuples(), strict=False):
        same_line = "\n" not in article_text[a.end:b.start]
        assert (b.paragraph == a.paragraph) == same_line
        assert b.paragraph - a.paragraph in (0, 1)
    # paragraphs per section as measured by hand on the article: lead 12, then 24, 21, 6
    assert sen.groupby("section")["paragraph"].nunique().tolist() == [12, 24, 21, 6]


def test_page_rebuilds_the_article_text_in_order(demo_page, article_text):
    _, page = demo_page
    tree = Tree(page)
    shown = tree.find("h1")[0].text() + "".join(n.text() for n in tree.find("article"))
    # the article without its closing credit, which the page shows separately as metadata
    expected = article_text.strip().removesuffix("(觀察者網)")
    assert _squeeze(shown) == _squeeze(expected)
    headings = [n.text() for n in tree.find("h2") if n.attrs.get("id", "").startswith("section-")]
    assert headings == ["接管最高航道:中國AI同時定義“感官”與“生產力”", "打通全鏈路底座:中國AI重奪“定價權”與“算力主權”",
                        "中國AI正在重寫全球規則"]
    paragraphs = tree.find("p")
    body = [p for p in paragraphs if any("s" in c.classes() for c in p.iter())]
    lines = [ln.strip() for ln in article_text.splitlines() if ln.strip()]
    assert len(body) == len(lines) - 4  # every line but the title and the three headings is a paragraph


def test_every_sentence_is_shown_with_its_score_and_the_legends_bin(demo_page, article_run):
    _, page = demo_page
    tree = Tree(page)
    sen = read_table(article_run / "sentences.csv")
    spans = tree.find("span", "s")
    assert [s.text() for s in spans] == sen["text"].tolist()
    legend = {}
    for sw in tree.find("div", "scale")[0].iter():
        m = re.fullmatch(r"([\d.]+)–([\d.]+)", sw.text())
        if m:
            legend[sw.attrs["class"]] = (float(m.group(1)), float(m.group(2)))
    assert len(legend) == 10
    for span, row in zip(spans, sen.itertuples(), strict=True):
        assert span.attrs["tabindex"] == "0"
        assert f"{row.sentiment:.3f}" in span.attrs["data-tip"]
        lo, hi = legend[[c for c in span.classes() if c != "s"][0]]
        assert lo <= row.sentiment < hi or row.sentiment == hi == 1.0


def test_every_framing_hit_is_marked_once_with_its_category(demo_page, article_run, lexicon, article_text):
    _, page = demo_page
    tree = Tree(page)
    kwic = read_table(article_run / "kwic.csv")
    marks = [n for top in tree.find("h1") + tree.find("article") for n in top.iter() if "t" in n.classes()]
    assert [m.text() for m in marks] == kwic["match"].tolist() == [article_text[a:b] for a, b in
                                                                     zip(kwic["start"], kwic["end"], strict=True)]
    assert [m.attrs["data-category"] for m in marks] == kwic["category"].tolist()
    # counted by hand in the article (title and headings included): 兩彈一星 3, 國產 6
    assert sum(m.text() == "兩彈一星" for m in marks) == 3 and sum(m.text() == "國產" for m in marks) == 6
    entries = {e.term: e for e in lexicon.entries}
    for m in marks:
        e = entries[m.text()]
        tip = m.attrs["data-tip"]
        assert lexicon.category(e.category).label_en in tip and e.gloss in tip and e.rationale in tip


def test_shading_colours_diverge_and_keep_text_readable():
    def luminance(hex_colour):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    colours = bin_colours()
    text = luminance(TEXT_COLOUR)
    for c in colours:  # WCAG AAA contrast for body text on every shade
        assert (luminance(c) + 0.05) / (text + 0.05) >= 7
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours]
    assert all(b > r for r, _, b in rgb[:5]) and all(r > b for r, _, b in rgb[5:])  # blue below 0.5, orange above
    lum = [luminance(c) for c in colours]
    assert lum[:5] == sorted(lum[:5]) and lum[5:] == sorted(lum[5:], reverse=True)  # paler towards 0.5


def test_page_embeds_a_small_font_with_every_character_and_fetches_nothing(demo_page, article_run):
    from fontTools.ttLib import TTFont

    _, page = demo_page
    m = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page)
    font = TTFont(io.BytesIO(base64.b64decode(m.group(1))))
    cmap = font.getBestCmap()
    sen = read_table(article_run / "sentences.csv")
    sec = read_table(article_run / "sections.csv")
    needed = set("".join(sen["text"]) + "".join(sec["heading"])) - set(" \t\n\u3000")
    assert not {c for c in needed if ord(c) not in cmap}
    assert font["maxp"].numGlyphs < 2 * len(set(page))  # a subset, not the 65,535-glyph face
    assert len(page.encode()) < 400_000
    # no URL other than in-page fragments and the font's data: URL
    for n in Tree(page).root.iter():
        assert not {"src", "action", "srcset", "poster", "data"} & set(n.attrs)
        assert n.attrs.get("href", "#").startswith("#")
    assert re.findall(r"url\(([^,)]*)", page) == ["data:font/woff;base64"]
    assert "<script" not in page.lower()


def test_pages_are_byte_identical_across_processes(demo_page, article_run, tmp_path):
    out, page = demo_page
    r = run_cli("html", "--data", str(article_run), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert _html(tmp_path, ARTICLE.stem) == page


EVIL_LEXICON = """\
name: evil
version: "1"
references: ["<script>alert('ref')</script>"]
categories:
  "x\\"><b id=cat>": {label_zh: "<i>類</i>", label_en: "\\"><script>alert('label')</script>", description: d}
entries:
  - {term: 國產, category: "x\\"><b id=cat>", gloss: "<img src=x onerror=alert('gloss')>", rationale: "' onmouseover='alert(1)"}
  - {term: 突圍, category: "x\\"><b id=cat>", gloss: "&amp; &lt;", rationale: "</style><script>alert(2)</script>"}
"""
EVIL_ARTICLE = (
    "# 標題 <script>alert('title')</script> 國產\n\n"
    "正文<script>window.pwned = 1; alert('body')</script>國產晶片。<img src=x onerror=alert('img')>突圍！\n"
    "\"quoted\" & 'single' </p></span></article><b>bold</b> &amp; &#x3c;script&#x3e; 國產。\n\n"
    "## 二、<style>body{display:none}</style>突圍\n\n"
    "方向\u202eesrever\u202c與零寬\u200b字元、emoji 😀、組合 e\u0301、控制\x07字元。"
    "   間隔後的句子。\n"
)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    """A run on two small articles: hostile text and lexicon, a markdown heading, a nested document id."""
    root = tmp_path_factory.mktemp("small")
    (root / "in" / "outlet_a").mkdir(parents=True)
    (root / "in" / "outlet_a" / "evil.md").write_text(EVIL_ARTICLE, encoding="utf-8")
    (root / "in" / "plain.txt").write_text("國產\n\n沒有中文的句子?\nOnly ASCII here.\n", encoding="utf-8")
    (root / "evil.yaml").write_text(EVIL_LEXICON, encoding="utf-8")
    r = run_cli("run", "in", "--out", "tables", "--lexicon", "evil.yaml", cwd=root)
    assert r.returncode == 0, r.stderr
    r = run_cli("html", "--data", "tables", "--out", "pages", "--lexicon", "evil.yaml", cwd=root)
    assert r.returncode == 0, r.stderr
    return root


def test_hostile_text_and_lexicon_render_as_text(small_run):
    page = _html(small_run / "pages", "outlet_a/evil")
    tree = Tree(page)
    allowed = {"html", "head", "meta", "title", "style", "body", "main", "header", "p", "h1", "h2", "h3", "section",
               "div", "table", "thead", "tbody", "tr", "th", "td", "a", "bdi", "span", "ul", "li", "b", "article",
               "footer"}
    assert set(tree.tags) <= allowed
    assert tree.tags.count("style") == 1 and tree.tags.count("b") == 1  # ours: the legend's one category count
    for n in tree.root.iter():
        assert not any(k.startswith("on") for k in n.attrs), n.attrs
        assert n.attrs.get("id") != "cat"
    sen = read_table(small_run / "tables" / "sentences.csv")
    sen = sen[sen["document"] == "outlet_a/evil"]
    shown = [s.text() for s in tree.find("span", "s")]
    assert shown == [t.replace("\x07", "\ufffd") for t in sen["text"]]
    assert _squeeze("<script>window.pwned = 1; alert('body')</script>") in _squeeze("".join(shown))
    assert "&amp;&#x3c;script&#x3e;" in "".join(shown)  # entities in the article stay literal text
    marks = [n for n in tree.root.iter() if "t" in n.classes() and "data-tip" in n.attrs]
    assert [m.text() for m in marks] == ["國產", "國產", "突圍", "國產", "突圍"]
    assert "<img src=x onerror=alert('gloss')>" in marks[0].attrs["data-tip"]
    assert marks[0].attrs["data-category"] == 'x"><b id=cat>'
    assert "\u202e" in page and "unicode-bidi:isolate" in page  # kept, but isolated to its own sentence


def test_markdown_heading_hits_and_gaps_are_placed_exactly(small_run):
    tree = Tree(_html(small_run / "pages", "outlet_a/evil"))
    h1 = tree.find("h1")[0]
    assert h1.text() == "標題 <script>alert('title')</script> 國產"
    assert [n.text() for n in h1.iter() if "t" in n.classes()] == ["國產"]
    h2 = [n for n in tree.find("h2") if n.attrs.get("id", "").startswith("section-")]
    assert [n.text() for n in h2] == ["二、<style>body{display:none}</style>突圍"]
    # the three spaces between the last two sentences become one; sentences that touch stay touching
    assert "字元。</span> <span" in _html(small_run / "pages", "outlet_a/evil")
    assert "晶片。</span><span" in _html(small_run / "pages", "outlet_a/evil")


def test_nested_ids_unscored_sentences_and_one_page_per_document(small_run):
    pages = sorted(p.relative_to(small_run / "pages").as_posix() for p in (small_run / "pages").rglob("*.html"))
    assert pages == ["outlet_a/evil.html", "plain.html"]
    tree = Tree(_html(small_run / "pages", "plain"))
    spans = tree.find("span", "s")
    assert [s.text() for s in spans] == ["沒有中文的句子?", "Only ASCII here."]
    assert "na" not in spans[0].classes() and spans[1].classes() == ["s", "na"]
    assert "not scored" in spans[1].attrs["data-tip"] and "data-score" not in spans[1].attrs


def test_a_different_lexicon_is_a_one_line_error_and_writes_nothing(article_run, tmp_path):
    lex = tmp_path / "framing.yaml"
    shutil.copy(config.FRAMING_LEXICON, lex)
    with open(lex, "a", encoding="utf-8") as f:
        f.write("# edited\n")
    r = run_cli("html", "--data", str(article_run), "--out", str(tmp_path / "pages"), "--lexicon", str(lex))
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "--lexicon" in r.stderr and not (tmp_path / "pages").exists()


def test_an_output_that_is_a_file_is_a_one_line_error(article_run, tmp_path):
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    r = run_cli("html", "--data", str(article_run), "--out", str(tmp_path / "taken"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "--out" in r.stderr and (tmp_path / "taken").read_text(encoding="utf-8") == "not a folder"


def test_ids_that_would_leave_the_output_folder_are_refused():
    from analysis.errors import AnalysisError
    from analysis.present.html import page_relpath

    assert page_relpath("outlet_a/2026-02-11") == "outlet_a/2026-02-11.html"
    for bad in ("../x", "a/../../x", "/abs", "a//b", "a\\b", "."):
        with pytest.raises(AnalysisError, match="document id"):
            page_relpath(bad)


def test_a_second_scorer_column_is_shown_beside_the_first(article_run, lexicon):
    from analysis.io.tables import load_run
    from analysis.present.html import render_page

    run = load_run(article_run)
    run.sentences["sentiment_lexicon"] = 1 - run.sentences["sentiment"]  # any other score will do
    run.sentences.loc[3, "sentiment_lexicon"] = float("nan")
    run.sections["sentiment_lexicon_mean"] = 0.25
    tree = Tree(render_page(run, ARTICLE.stem, lexicon))
    spans = tree.find("span", "s")
    for i in (0, 5):
        tip = spans[i].attrs["data-tip"]
        assert f"{run.sentences['sentiment'][i]:.3f}" in tip and f"{1 - run.sentences['sentiment'][i]:.3f}" in tip
    assert "lexicon scorer = not scored" in spans[3].attrs["data-tip"]
    assert "lexicon mean" in [th.text() for th in tree.find("th")]
    assert sum(td.text() == "0.25" for td in tree.find("td")) == len(run.sections)


def test_missing_tables_are_a_one_line_error(tmp_path):
    r = run_cli("html", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "pages"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "python -m analysis run" in r.stderr and not (tmp_path / "pages").exists()


# ------------------------------------------------------------------------------------------------ in a browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = ROOT / "docs" / "reading-view.png"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no browser download); skipped where it is not installed."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("no Chromium on this machine: `apt-get install chromium` (Debian) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: `make install` installs the locked version")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, path: Path, **kw):
    page = browser.new_page(**kw)
    log = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, log


def _after(page, locator) -> str:
    return locator.evaluate("el => getComputedStyle(el, '::after').content")


def test_in_chromium_sentences_legend_hover_font_and_no_network(browser, demo_page, article_run, article_text, lexicon,
                                                                 tmp_path):
    out, _ = demo_page
    page, log = _open(browser, out / f"{ARTICLE.stem}.html", viewport={"width": 900, "height": 1300})
    # Chinese is drawn with the embedded face, which the browser loaded from the page itself
    fonts = page.evaluate("[...document.fonts].map(f => [f.family.replaceAll('\"', ''), f.status])")
    assert ["zh-news-framing CJK", "loaded"] in fonts
    assert page.evaluate("document.fonts.check('16px \"zh-news-framing CJK\"', '兩彈一星時刻')")
    # every body sentence, in order, visible, top to bottom
    sen = read_table(article_run / "sentences.csv")
    boxes = page.eval_on_selector_all(
        "article .s", "els => els.map(e => [e.textContent, e.getBoundingClientRect().top + window.scrollY,"
                      " e.getBoundingClientRect().height])")
    assert [b[0] for b in boxes] == sen["text"].tolist()
    assert all(b[2] > 0 for b in boxes) and [b[1] for b in boxes] == sorted(b[1] for b in boxes)
    body = article_text.strip().split("\n", 1)[1].removesuffix("(觀察者網)")  # all but the title and the credit
    assert _squeeze(page.inner_text("article")) == _squeeze(body)
    # the legend is on screen and says what the shading is not
    assert page.locator("#legend").is_visible() and page.locator("#legend .scale").is_visible()
    assert "not a measure of truth" in page.inner_text("#legend")
    # focusing a sentence shows its score; hovering a term shows its category, gloss and rationale
    first = page.locator("article .s").first
    assert _after(page, first) == "none"
    first.focus()
    assert f"{sen['sentiment'].iloc[0]:.3f}" in _after(page, first)
    first.blur()
    term = page.locator("article .t").first
    assert _after(page, term) == "none"
    term.hover()
    entry = next(e for e in lexicon.entries if e.term == term.text_content())
    shown = _after(page, term)
    assert lexicon.category(entry.category).label_en in shown and entry.gloss in shown
    page.screenshot(path=tmp_path / "reading-view.png")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(tmp_path / "reading-view.png", SCREENSHOT)
    # nothing but the page itself (file:) and its embedded font (data:) was requested; nothing was blocked
    assert log["requests"] and all(u.startswith(("file:", "data:")) for u in log["requests"]), log["requests"]
    assert log["errors"] == [] and log["dialogs"] == []
    page.close()


def test_in_chromium_hostile_page_runs_nothing(browser, small_run):
    page, log = _open(browser, small_run / "pages" / "outlet_a" / "evil.html")
    for term in page.locator(".t[data-tip]").all():
        term.hover()
    assert log["dialogs"] == [] and page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("#cat").count() == 0 and page.locator("article img, article b, article script").count() == 0
    assert page.locator("article").is_visible()  # the article's <style>body{display:none}</style> is text
    assert "<script>window.pwned = 1;" in page.inner_text("article")
    assert all(u.startswith(("file:", "data:")) for u in log["requests"])
    page.close()


def test_in_chromium_fits_a_phone_and_prints_the_scores(browser, demo_page):
    out, _ = demo_page
    page, _ = _open(browser, out / f"{ARTICLE.stem}.html", viewport={"width": 360, "height": 740},
                    is_mobile=True, has_touch=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('article')).fontSize)") >= 16
    page.emulate_media(media="print")
    first = page.locator("article .s").first
    assert re.fullmatch(r'" \d\.\d\d"', _after(page, first))
    page.close()


RULES_LEXICON = lexicon_yaml("""\
  - {term: 國產, category: c, gloss: domestic, rationale: r}
  - term: 壟斷
    category: c
    gloss: monopoly
    rationale: r
    exclude: [反壟斷]
    literal_note: domestic antitrust is not a rivalry between nations
""", name="rules")


def test_hits_that_do_not_count_are_struck_through_with_their_rule(tmp_path):
    (tmp_path / "a.txt").write_text("中國產品與國產晶片。\n\n反壟斷調查與技術壟斷。\n", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES_LEXICON, encoding="utf-8")
    r = run_cli("run", "a.txt", "--out", "t", "--lexicon", "rules.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run_cli("html", "--data", "t", "--out", "p", "--lexicon", "rules.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    page = _html(tmp_path / "p", "a")
    marks = [n for n in Tree(page).root.iter() if "t" in n.classes() and "data-tip" in n.attrs]
    assert [(m.text(), "x" in m.classes(), m.attrs["data-status"]) for m in marks] == [
        ("國產", True, "not_word"), ("國產", False, "counted"), ("壟斷", True, "excluded"), ("壟斷", False, "counted")]
    tips = [m.attrs["data-tip"] for m in marks]
    assert tips[0].startswith("NOT COUNTED (not_word): boundary: word (中国/产品")
    assert tips[2].startswith("NOT COUNTED (excluded): exclude: 反壟斷")
    assert "literal use: domestic antitrust" in tips[2]
    assert not tips[1].startswith("NOT COUNTED")
    assert ".c0.x{text-decoration:line-through" in page
    # the counts on the page are the counted hits only, and say how many were set aside
    summary, legend = (s.text() for s in Tree(page).find("section")[:2])
    assert "2 framing hits (2 in the outlet's own voice, 0 quoted); 2 not counted, struck through (1 not a word " \
           "there, 1 excluded by the lexicon's rules)" in summary
    assert "國產×1" in legend and "壟斷×1" in legend
