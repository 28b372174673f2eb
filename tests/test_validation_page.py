"""coding.html in Chromium: code with the keyboard, reload, download; the page runs only its own script, offline."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.io.tables import read_table

from .conftest import ROOT, run_cli
from .test_reading_view import Tree, browser  # noqa: F401  (Debian's Chromium through Playwright, or a skip)

HOSTILE = (
    "標題<script>alert('t')</script>\n\n"
    "正文<script>window.pwned = 1; alert('body')</script>國產晶片。<img src=x onerror=alert('img')>突圍!\n"
    "\"雙引號\" & '單引號' </script></mark><b>粗體</b> &amp; &#x3c;script&#x3e; 國產。\n"
    "{{js}} 與 {{data}} 不是佔位符;行分隔\u2028符與控制\x07字元。\n"
)


def _sample(run: Path, out: Path, *args: str) -> Path:
    r = run_cli("validate", "sample", "--data", str(run), "--out", str(out), *args)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def pages(article_run, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pages")
    return {"sentences": _sample(article_run, root / "s", "--n", "12"),
            "kwic": _sample(article_run, root / "k", "--unit", "kwic", "--n", "8", "--seed", "5"),
            "other": _sample(article_run, root / "o", "--n", "12", "--seed", "6")}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "evil.txt").write_text(HOSTILE, encoding="utf-8")
    r = run_cli("run", str(root / "evil.txt"), "--out", str(root / "run"))
    assert r.returncode == 0, r.stderr
    _sample(root / "run", root / "s", "--n", "50")
    _sample(root / "run", root / "k", "--unit", "kwic", "--n", "50")
    return root


# ------------------------------------------------------------------------------------------- the page, statically


def _inline(page: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)


def test_csp_allows_exactly_the_inline_script_and_style(pages):
    page = (pages["sentences"] / "coding.html").read_text(encoding="utf-8")
    [csp] = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    [script], [style] = _inline(page, "script"), _inline(page, "style")

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives == {"default-src": "'none'", "script-src": digest(script), "style-src": digest(style),
                          "font-src": "data:", "base-uri": "'none'", "form-action": "'none'"}
    tree = Tree(page)
    scripts = [n for n in tree.root.iter() if n.tag == "script"]
    assert len(scripts) == 2 and scripts[0].attrs == {"type": "application/json", "id": "units"}
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, flags=re.I)
    assert "@font-face" in style and "data:font/woff;base64," in style


def test_the_units_block_is_the_sheet_and_holds_no_score(pages):
    for which in ("sentences", "kwic"):
        folder = pages[which]
        page = (folder / "coding.html").read_text(encoding="utf-8")
        block = re.search(r'<script type="application/json" id="units">(.*?)</script>', page, flags=re.S).group(1)
        assert "<" not in block and ">" not in block and "&" not in block
        data = json.loads(block)
        sheet = pd.read_csv(folder / "coding.csv", dtype=str, keep_default_na=False)
        assert [u["unit"] for u in data["units"]] == sheet["unit"].tolist()
        record = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
        assert data["sample_id"] == record["sample_id"] and data["codes"] == record["codes"]
        key = read_table(folder / "sample.csv")
        assert not re.search(r"sentiment|probability|weight|stratum", block)
        for v in key["sentiment"].dropna():
            assert repr(float(v)) not in page and f"{v:.3f}" not in block


def test_page_files_ship_in_the_wheel(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "analysis", src / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                        "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("coding_page.html", "coding_page.js", "coding_page.css", "instructions_sentences.md",
                 "instructions_kwic.md", "instructions_common.md", "page.py", "sample.py"):
        assert f"analysis/validation/{name}" in names, name


# --------------------------------------------------------------------------------------------------- in Chromium


def _open(context, path: Path):
    page = context.new_page()
    log = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("console", lambda m: log["errors"].append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, log


def _pressed(page) -> list[str]:
    return page.eval_on_selector_all("#codes button[aria-pressed=true]", "els => els.map(e => e.dataset.code)")


def test_in_chromium_code_five_units_reload_and_download(browser, pages, tmp_path):  # noqa: F811
    folder = pages["sentences"]
    sheet = pd.read_csv(folder / "coding.csv", dtype=str, keep_default_na=False)
    context = browser.new_context(accept_downloads=True)
    page, log = _open(context, folder / "coding.html")
    # the coder's name is asked once, first
    assert page.locator("#name-form").is_visible() and not page.locator("#coding").is_visible()
    name = 'Wang "Xiao", 小明'
    page.fill("#coder-name", name)
    page.keyboard.press("Enter")
    assert page.locator("#coding").is_visible()
    assert page.inner_text("#unit-id") == sheet["unit"][0]
    # the unit's sentence, highlighted between its neighbours, with the embedded font
    assert page.inner_text("#text mark.unit") == sheet["text"][0]
    assert page.inner_text("#before") == sheet["context_before"][0]
    assert page.inner_text("#after") == sheet["context_after"][0]
    bg = page.eval_on_selector("#text mark.unit", "e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(255, 243, 196)"  # the page's own style applies (its hash is allowed)
    assert page.evaluate("document.fonts.check('16px \"zh-news-framing CJK\"', '中國')")
    # five units with the keyboard: 1 negative, 2 neutral, 3 positive; each moves on
    keys = ["1", "2", "3", "3", "1"]
    want = dict(zip(sheet["unit"][:5], ["negative", "neutral", "positive", "positive", "negative"], strict=True))
    for k in keys:
        page.keyboard.press(k)
    assert page.inner_text("#position") == f"unit 6 of {len(sheet)}" and page.inner_text("#done") == "5 coded"
    assert page.eval_on_selector("#progress", "e => [e.value, e.max]") == [5, len(sheet)]
    # reload: the name is not asked again, the codes and the place are still there
    page.reload()
    page.wait_for_load_state("load")
    assert not page.locator("#name-form").is_visible()
    assert page.inner_text("#coder") == name and page.inner_text("#done") == "5 coded"
    assert page.inner_text("#unit-id") == sheet["unit"][5] and _pressed(page) == []
    for i in range(4, -1, -1):
        page.keyboard.press("ArrowLeft")
        assert page.inner_text("#unit-id") == sheet["unit"][i] and _pressed(page) == [want[sheet["unit"][i]]]
    page.click("#next")
    assert page.inner_text("#unit-id") == sheet["unit"][1]
    page.click("#codes button[data-code=positive]")  # a button recodes unit 2 and moves on
    want[sheet["unit"][1]] = "positive"
    assert page.inner_text("#unit-id") == sheet["unit"][2]
    # download: a CSV of unit,code,coder for every unit
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    record = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
    assert download.suggested_filename == f"codes-{record['sample_id']}-Wang_Xiao_小明.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.startswith("unit,code,coder\n") and "\r" not in text
    assert [r["unit"] for r in rows] == sheet["unit"].tolist()
    assert {r["unit"]: r["code"] for r in rows if r["code"]} == want
    assert all(r["coder"] == name for r in rows)
    codes = pd.read_csv(path, dtype=str, keep_default_na=False)  # as a coder's file is read back
    key = read_table(folder / "sample.csv")
    assert set(codes["unit"]) == set(key["unit"]) and set(codes["code"]) <= {"", *record["codes"]}
    # nothing but the page itself was requested; no script or style was blocked, no error
    assert log["requests"] and all(u.startswith(("file:", "data:")) for u in log["requests"]), log["requests"]
    assert log["errors"] == [] and log["dialogs"] == []
    # clearing a code, then the page of another sample in the same browser: its codes do not mix
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("0")
    assert page.inner_text("#done") == "4 coded"
    other, other_log = _open(context, pages["other"] / "coding.html")
    assert other.locator("#name-form").is_visible()
    other.fill("#coder-name", "B")
    other.keyboard.press("Enter")
    assert other.inner_text("#done") == "0 coded"
    other.keyboard.press("2")
    page.reload()
    assert page.inner_text("#done") == "4 coded" and other_log["errors"] == []
    context.close()


def test_in_chromium_kwic_page_marks_the_match_and_names_the_sense(browser, pages):  # noqa: F811
    folder = pages["kwic"]
    sheet = pd.read_csv(folder / "coding.csv", dtype=str, keep_default_na=False)
    key = read_table(folder / "sample.csv").set_index("unit")
    context = browser.new_context()
    page, log = _open(context, folder / "coding.html")
    page.fill("#coder-name", "K")
    page.click("#start")
    assert page.eval_on_selector_all("#codes button", "els => els.map(e => e.dataset.code)") == ["yes", "no",
                                                                                                 "unsure"]
    for i, unit in enumerate(sheet["unit"]):
        assert page.inner_text("#unit-id") == unit
        assert page.inner_text("#text mark.match") == key.loc[unit, "match"]
        assert page.inner_text("#text mark.unit") == key.loc[unit, "text"]
        assert page.inner_text("#term") == key.loc[unit, "term"]
        assert page.inner_text("#category") == sheet["category_label"][i]
        page.keyboard.press("ArrowRight")
    assert log["errors"] == [] and log["dialogs"] == []
    context.close()


def test_in_chromium_hostile_text_is_shown_as_text(browser, hostile):  # noqa: F811
    for which in ("s", "k"):
        sheet = pd.read_csv(hostile / which / "coding.csv", dtype=str, keep_default_na=False)
        context = browser.new_context()
        page, log = _open(context, hostile / which / "coding.html")
        page.fill("#coder-name", "<img src=x onerror=alert(1)>")
        page.keyboard.press("Enter")
        assert page.inner_text("#coder") == "<img src=x onerror=alert(1)>"
        shown = []
        for _ in range(len(sheet)):
            shown.append(page.inner_text("#text"))
            page.keyboard.press("ArrowRight")
        assert [s.replace("\u2028", "\n") for s in shown] == \
            [t.replace("【", "").replace("】", "").replace("\u2028", "\n") for t in sheet["text"]]
        assert any("<script>window.pwned = 1;" in s for s in shown) or which == "k"
        assert page.evaluate("typeof window.pwned") == "undefined"
        tags = page.eval_on_selector_all("#text *, #before *, #after *, #term *, #category *", "els => els.map(e => e.tagName)")
        assert set(tags) <= {"MARK"}
        assert log["dialogs"] == [] and log["errors"] == []
        assert all(u.startswith(("file:", "data:")) for u in log["requests"])
        context.close()
