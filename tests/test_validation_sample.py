"""`validate sample`: the draw (seeded, stratified, exact probabilities), the key, the blind sheets, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.io.tables import read_table
from analysis.validation.design import allocate, draw

from .conftest import ARTICLE, run_cli

OUTLETS = ("甲報", "乙網", "丙台")


def _one_line_error(r) -> str:
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _sample(run: Path, out: Path, *args: str):
    return run_cli("validate", "sample", "--data", str(run), "--out", str(out), *args)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> Path:
    """A run on 10 articles of unequal length (9 cut from the demo article, one made) from three outlets, as CSV."""
    root = tmp_path_factory.mktemp("corpus")
    paras = [p.strip() for p in ARTICLE.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 20]
    sizes = [1, 2, 3, 4, 5, 6, 7, 3, 2]
    rows, i = [], 0
    for k, size in enumerate(sizes):
        rows.append({"id": f"a{k}", "outlet": OUTLETS[k % 3], "text": "\n\n".join(paras[i:i + size])})
        i += size
    # a tenth article where two terms occur often (the others are rare): the minimum per term matters
    made = [f"國產晶片第{k}次量產,產能再創新高。" for k in range(14)] + [f"他們在第{k}項技術上領先對手。" for k in range(8)]
    rows.append({"id": "a9", "outlet": OUTLETS[0], "text": "\n\n".join(made)})
    pd.DataFrame(rows).to_csv(root / "articles.csv", index=False)
    r = run_cli("run", str(root / "articles.csv"), "--out", str(root / "run"), "--second-scorer", "lexicon")
    assert r.returncode == 0, r.stderr
    return root / "run"


@pytest.fixture(scope="module")
def tables(corpus_run) -> dict[str, pd.DataFrame]:
    """The run's tables; `kwic` holds the hits that count, the units a KWIC sample draws by default."""
    out = {n: read_table(corpus_run / f"{n}.csv") for n in ("documents", "sentences", "kwic")}
    out["kwic"] = out["kwic"][out["kwic"]["status"] == "counted"].reset_index(drop=True)
    return out


@pytest.fixture(scope="module")
def default_sample(corpus_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples") / "s"
    r = _sample(corpus_run, out, "--n", "40")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def kwic_sample(corpus_run, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("samples") / "k"
    r = _sample(corpus_run, out, "--unit", "kwic", "--n", "22")
    assert r.returncode == 0, r.stderr
    return out, r.stderr


# ------------------------------------------------------------------------------------------- the design, pure


def test_allocation_by_hand():
    # proportional, exact: 10 of 50/30/20
    assert allocate({"a": 50, "b": 30, "c": 20}, 10).n == {"a": 5, "b": 3, "c": 2}
    # shares 3.5, 1, 0.5: floors 3, 1, 0; the one unit left goes to the tie (.5, .5) of the larger stratum
    assert allocate({"a": 7, "b": 2, "c": 1}, 5).n == {"a": 4, "b": 1, "c": 0}
    # minimums of 5 (at most the stratum): b and c are fixed at 3 and 5, a takes the other 12
    assert allocate({"a": 100, "b": 3, "c": 10}, 20, {"a": 5, "b": 5, "c": 5}).n == {"a": 12, "b": 3, "c": 5}
    # minimums over n: take the minimums
    al = allocate({"a": 9, "b": 9, "c": 2}, 6, {"a": 5, "b": 5, "c": 5})
    assert al.minimums_exceed_n and al.n == {"a": 5, "b": 5, "c": 2}
    # n at least the population: all
    al = allocate({"a": 3, "b": 1}, 9)
    assert al.took_all and al.n == {"a": 3, "b": 1}


@pytest.mark.parametrize("seed", range(30))
def test_allocation_is_proportional_within_one_and_sums_to_n(seed):
    rng = np.random.default_rng(seed)
    size = {f"h{i}": int(v) for i, v in enumerate(rng.integers(1, 60, rng.integers(1, 12)))}
    total = sum(size.values())
    n = int(rng.integers(1, total + 1))
    al = allocate(size, n)
    assert sum(al.n.values()) == n
    for h, v in size.items():
        assert abs(al.n[h] - n * v / total) < 1 and 0 <= al.n[h] <= v


def test_inclusion_frequencies_match_the_recorded_probabilities():
    """Monte Carlo: over many seeded draws each unit is drawn about as often as its recorded probability says."""
    strata = pd.Series(["a"] * 12 + ["b"] * 5 + ["c"] * 3)
    al = allocate({"a": 12, "b": 5, "c": 3}, 8, {"a": 2, "b": 2, "c": 2})
    reps = 4000
    counts = np.zeros(len(strata))
    for seed in range(reps):
        d = draw(strata, al, np.random.default_rng(seed))
        counts[d["position"].to_numpy()] += 1
    d = draw(strata, al, np.random.default_rng(0))
    p = {h: al.n[h] / al.size[h] for h in al.size}
    assert dict(zip(d["stratum"], d["probability"], strict=True)) == pytest.approx(p)
    expected = strata.map(p).to_numpy()
    se = np.sqrt(expected * (1 - expected) / reps)
    assert np.all(np.abs(counts / reps - expected) <= 4 * se + 1e-12)


# ----------------------------------------------------------------------------------------- the sample written


def test_the_key_has_the_interface_columns_and_stable_ids(default_sample, tables):
    key = read_table(default_sample / "sample.csv")
    metas = [c for c in tables["documents"].columns if c.startswith("meta_")]
    assert list(key.columns) == ["unit", "kind", "document", "sentence", "start", "end", "text", "text_scored",
                                 "sentiment", "sentiment_lexicon", *metas, "stratum", "probability", "weight"]
    assert key["unit"].tolist() == sorted(key["unit"]) and key["unit"].is_unique
    for r in key.itertuples():
        digest = hashlib.sha256(f"{r.document}\x1f{r.start}\x1f{r.end}".encode()).hexdigest()
        assert r.unit == "s" + digest[:10] and r.kind == "sentence"
    joined = key.merge(tables["sentences"], on=["document", "sentence"], suffixes=("", "_run"), validate="one_to_one")
    assert len(joined) == len(key)
    for col in ("start", "end", "text", "text_scored", "sentiment", "sentiment_lexicon"):
        assert joined[col].tolist() == joined[f"{col}_run"].tolist()
    assert key["sentiment"].notna().all()
    docs = tables["documents"].set_index("document")
    assert key["meta_outlet"].tolist() == docs.loc[key["document"], "meta_outlet"].tolist()
    assert (default_sample / "sample.csv").read_bytes().count(b"\r") == 0


def test_default_design_is_proportional_by_document_with_exact_weights(default_sample, tables):
    key = read_table(default_sample / "sample.csv")
    record = json.loads((default_sample / "sample.json").read_text(encoding="utf-8"))
    scored = tables["sentences"][tables["sentences"]["sentiment"].notna()]
    size = scored.groupby("document").size()  # N_h, computed here from the run's own table
    assert len(key) == 40 == record["n_drawn"] and record["stratify"] == "document"
    assert (key["stratum"] == key["document"]).all()
    for doc, group in key.groupby("document"):
        assert group["weight"].sum() == pytest.approx(size[doc])  # the weights of a stratum add up to its size
        assert group["probability"].tolist() == pytest.approx([len(group) / size[doc]] * len(group))
        assert abs(len(group) - 40 * size[doc] / size.sum()) < 1
    assert key["weight"].tolist() == pytest.approx((1 / key["probability"]).tolist())
    assert record["seed"] == 20260214 and record["codes"] == ["negative", "neutral", "positive"]
    assert record["scorers"] == ["sentiment", "sentiment_lexicon"]


def test_record_holds_the_hashes_of_the_run_and_the_options(default_sample, corpus_run):
    record = json.loads((default_sample / "sample.json").read_text(encoding="utf-8"))
    for name in ("documents.csv", "sentences.csv", "kwic.csv", "sections.csv", "manifest.json"):
        assert record["run"]["tables"][name] == hashlib.sha256((corpus_run / name).read_bytes()).hexdigest()
    assert record["options"] == {"n": 40, "unit": "sentences", "seed": 20260214, "stratify": None, "lexicon": None}
    assert record["run"]["manifest"]["second_scorer"] == "lexicon"
    assert record["sample_id"] == hashlib.sha256((default_sample / "sample.csv").read_bytes()).hexdigest()[:12]
    assert record["n_requested"] == 40


def test_strata_left_empty_by_rounding_are_named(corpus_run, tables, tmp_path):
    r = _sample(corpus_run, tmp_path / "s", "--n", "20")
    assert r.returncode == 0, r.stderr
    key = read_table(tmp_path / "s" / "sample.csv")
    record = json.loads((tmp_path / "s" / "sample.json").read_text(encoding="utf-8"))
    scored = tables["sentences"][tables["sentences"]["sentiment"].notna()]
    missing = sorted(set(scored["document"]) - set(key["document"]))
    # the one-sentence article's quota is 20 × 1 / N (N ≈ 75 scored sentences): far below the remainders of others
    assert missing, scored.groupby("document").size()
    [note] = record["notes"]
    assert note.startswith(f"{len(missing)} of {scored['document'].nunique()} strata of document got no unit")
    assert all(doc in note for doc in missing) and "no chance of selection" in note


def test_same_seed_same_bytes_other_seed_other_sample(corpus_run, default_sample, tmp_path):
    r = _sample(corpus_run, tmp_path / "again", "--n", "40")
    assert r.returncode == 0, r.stderr
    assert _files(tmp_path / "again") == _files(default_sample)
    r = _sample(corpus_run, tmp_path / "other", "--n", "40", "--seed", "7")
    assert r.returncode == 0, r.stderr
    assert read_table(tmp_path / "other" / "sample.csv")["unit"].tolist() != \
        read_table(default_sample / "sample.csv")["unit"].tolist()


def test_simple_random_sample_has_probability_n_over_N(corpus_run, tables, tmp_path):
    r = _sample(corpus_run, tmp_path / "srs", "--n", "25", "--stratify", "none")
    assert r.returncode == 0, r.stderr
    key = read_table(tmp_path / "srs" / "sample.csv")
    n_pop = int(tables["sentences"]["sentiment"].notna().sum())
    assert len(key) == 25 and (key["stratum"] == "all").all()
    assert key["probability"].tolist() == pytest.approx([25 / n_pop] * 25)
    assert key["weight"].sum() == pytest.approx(n_pop)


@pytest.mark.parametrize("column", ["outlet", "meta_outlet"])
def test_stratify_by_a_metadata_column(corpus_run, tables, tmp_path, column):
    r = _sample(corpus_run, tmp_path / "o", "--n", "30", "--stratify", column)
    assert r.returncode == 0, r.stderr
    key = read_table(tmp_path / "o" / "sample.csv")
    assert json.loads((tmp_path / "o" / "sample.json").read_text(encoding="utf-8"))["stratify"] == "meta_outlet"
    outlet = tables["documents"].set_index("document")["meta_outlet"]
    scored = tables["sentences"][tables["sentences"]["sentiment"].notna()]
    size = scored["document"].map(outlet).value_counts()
    assert set(key["stratum"]) <= set(OUTLETS) and (key["stratum"] == key["meta_outlet"]).all()
    for level, group in key.groupby("stratum"):
        assert group["weight"].sum() == pytest.approx(size[level])
        assert abs(len(group) - 30 * size[level] / size.sum()) < 1
    assert len(key) == 30


def test_stratify_by_a_sentence_column(corpus_run, tables, tmp_path):
    r = _sample(corpus_run, tmp_path / "sec", "--n", "20", "--stratify", "section")
    assert r.returncode == 0, r.stderr
    key = read_table(tmp_path / "sec" / "sample.csv")
    joined = key.merge(tables["sentences"][["document", "sentence", "section"]], on=["document", "sentence"])
    assert (joined["stratum"].astype(str) == joined["section"].astype(str)).all()


def test_fewer_units_than_asked_takes_all_and_says_so(corpus_run, tables, tmp_path):
    r = _sample(corpus_run, tmp_path / "all", "--n", "5000")
    assert r.returncode == 0, r.stderr
    key = read_table(tmp_path / "all" / "sample.csv")
    n_pop = int(tables["sentences"]["sentiment"].notna().sum())
    record = json.loads((tmp_path / "all" / "sample.json").read_text(encoding="utf-8"))
    assert len(key) == n_pop == record["n_drawn"] and (key["probability"] == 1).all()
    assert any("fewer units than asked" in n and f"took all {n_pop}" in n for n in record["notes"])
    assert "fewer units than asked" in r.stderr


def test_kwic_sample_keeps_a_minimum_per_term(kwic_sample, tables):
    out, _ = kwic_sample
    key = read_table(out / "sample.csv")
    hits = tables["kwic"]["term"].value_counts()
    per_term = key["term"].value_counts()
    assert sum(min(5, n) for n in hits) < len(key) == 22 < len(tables["kwic"])  # the minimums fit in 22
    for term, n_term in hits.items():
        assert per_term.get(term, 0) >= min(5, n_term), term
    for term, group in key.groupby("term"):
        assert group["weight"].sum() == pytest.approx(hits[term])
    for r in key.itertuples():
        parts = f"{r.document}\x1f{r.start}\x1f{r.end}\x1f{r.category}\x1f{r.term}"
        assert r.unit == "k" + hashlib.sha256(parts.encode()).hexdigest()[:10] and r.kind == "kwic"
    assert list(key.columns[:13]) == ["unit", "kind", "document", "sentence", "start", "end", "text", "text_scored",
                                      "term", "category", "match", "left", "right"]


def test_kwic_minimums_over_n_take_the_minimums_and_say_so(corpus_run, tables, tmp_path):
    r = _sample(corpus_run, tmp_path / "k", "--unit", "kwic", "--n", "3")
    assert r.returncode == 0, r.stderr
    key = read_table(tmp_path / "k" / "sample.csv")
    want = sum(min(5, n) for n in tables["kwic"]["term"].value_counts())
    record = json.loads((tmp_path / "k" / "sample.json").read_text(encoding="utf-8"))
    assert len(key) == want == record["n_drawn"] and record["n_requested"] == 3
    assert any("took the minimums" in n for n in record["notes"]) and "took the minimums" in r.stderr


# -------------------------------------------------------------------------------------------- the blind sheet


def _scores(key: pd.DataFrame) -> set[str]:
    out = set()
    for col in [c for c in key.columns if c.startswith("sentiment")]:
        for v in key[col].dropna():
            out |= {repr(float(v)), str(v)} | {f"{v:.{d}f}" for d in range(1, 7)}
    return out


def test_blind_sheet_holds_no_score(default_sample, kwic_sample):
    for folder in (default_sample, kwic_sample[0]):
        key = read_table(folder / "sample.csv")
        sheet = pd.read_csv(folder / "coding.csv", dtype=str, keep_default_na=False)
        assert not [c for c in sheet.columns if "sentiment" in c or c in ("stratum", "probability", "weight")]
        scores = _scores(key)
        assert scores
        cells = set(sheet.to_numpy().ravel()) | set(sheet.columns)
        assert not cells & scores
        assert (sheet["code"] == "").all()
        assert sorted(sheet["unit"]) == key["unit"].tolist()
        assert sheet["unit"].tolist() != key["unit"].tolist()  # a seeded random order, not the key's


def _xlsx_rows(path: Path, sheet: str = "coding") -> list[list]:
    from openpyxl import load_workbook

    return [list(r) for r in load_workbook(path)[sheet].iter_rows(values_only=True)]


def test_xlsx_sheet_is_the_csv_sheet_and_holds_no_score(default_sample, kwic_sample):
    for folder in (default_sample, kwic_sample[0]):
        rows = _xlsx_rows(folder / "coding.xlsx")
        sheet = pd.read_csv(folder / "coding.csv", dtype=str, keep_default_na=False)
        assert rows[0] == list(sheet.columns)
        assert [[c or "" for c in r] for r in rows[1:]] == sheet.to_numpy().tolist()
        cells = {str(c) for r in rows for c in r if c is not None}
        assert not cells & _scores(read_table(folder / "sample.csv"))


@pytest.mark.parametrize("which, codes", [("sentences", ["negative", "neutral", "positive"]),
                                          ("kwic", ["yes", "no", "unsure"])])
def test_xlsx_has_a_drop_down_of_the_codes_wrapped_text_and_instructions(default_sample, kwic_sample, which, codes):
    from openpyxl import load_workbook

    folder = default_sample if which == "sentences" else kwic_sample[0]
    wb = load_workbook(folder / "coding.xlsx")
    assert wb.sheetnames == ["coding", "instructions"]
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    code_col = "ABCDEFG"[header.index("code")]
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1.strip('"').split(",") == codes
    assert str(dv.sqref) == f"{code_col}2:{code_col}{ws.max_row}" and dv.allow_blank
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    text_col = "ABCDEFG"[header.index("text")]
    assert ws[f"{text_col}2"].alignment.wrap_text and ws.column_dimensions[text_col].width >= 40
    md = (folder / "CODING.md").read_text(encoding="utf-8").splitlines()
    assert [r[0] or "" for r in _xlsx_rows(folder / "coding.xlsx", "instructions")] == md


def test_xlsx_cells_are_always_text(tmp_path):
    from openpyxl import load_workbook

    from analysis.validation.sheets import coding_workbook

    sheet = pd.DataFrame({"unit": ["s1", "s2"], "text": ["=HYPERLINK(\"http://x\")", "bell\x07 & <b>"],
                          "context_before": ["", "@SUM(1)"], "context_after": ["+1", "-2"], "code": ["", ""]})
    data = coding_workbook(sheet, ["negative", "neutral", "positive"], "# title\n\n=not a formula")
    (tmp_path / "c.xlsx").write_bytes(data)
    ws = load_workbook(tmp_path / "c.xlsx")["coding"]
    assert [c.value for c in ws[2]] == ["s1", '=HYPERLINK("http://x")', None, "+1", None]
    assert [c.value for c in ws[3]] == ["s2", "bell\ufffd & <b>", "@SUM(1)", "-2", None]
    assert all(c.data_type == "s" for r in ws.iter_rows(min_row=2) for c in r if c.value is not None)
    assert coding_workbook(sheet, ["negative", "neutral", "positive"], "x") == \
        coding_workbook(sheet, ["negative", "neutral", "positive"], "x")


def test_sentence_sheet_columns_and_context(default_sample, tables):
    sheet = pd.read_csv(default_sample / "coding.csv", dtype=str, keep_default_na=False)
    assert list(sheet.columns) == ["unit", "text", "context_before", "context_after", "code"]
    key = read_table(default_sample / "sample.csv").set_index("unit")
    sen = tables["sentences"].set_index(["document", "sentence"])["text"]
    for r in sheet.itertuples():
        doc, i = key.loc[r.unit, "document"], int(key.loc[r.unit, "sentence"])
        assert r.text == key.loc[r.unit, "text"]
        assert r.context_before == (sen.get((doc, i - 1), "") or "")
        assert r.context_after == (sen.get((doc, i + 1), "") or "")


def test_kwic_sheet_marks_the_match_and_names_the_sense(kwic_sample, lexicon):
    out, _ = kwic_sample
    sheet = pd.read_csv(out / "coding.csv", dtype=str, keep_default_na=False)
    assert list(sheet.columns) == ["unit", "text", "context_before", "context_after", "term", "category_label",
                                   "code"]
    key = read_table(out / "sample.csv").set_index("unit")
    for r in sheet.itertuples():
        k = key.loc[r.unit]
        assert r.text.count("【") == 1 and r.text.replace("【", "").replace("】", "") == k["text"]
        assert r.text.split("【")[1].split("】")[0] == k["match"]
        entry = next(e for e in lexicon.entries if e.term == k["term"])
        cat = lexicon.category(entry.category)
        assert cat.label_en in r.category_label and entry.gloss in r.category_label
        assert cat.description in r.category_label


def test_coding_md_explains_codes_blindness_and_literature(default_sample, kwic_sample):
    text = (default_sample / "CODING.md").read_text(encoding="utf-8")
    for needle in ("`negative`", "`neutral`", "`positive`", "not your opinion of the event", "Do not look at",
                   "Do not confer", "Code every unit", "150 units", ".800", ".667", "Communication",
                   "Methods and Measures*, 15(2)", "Computing Krippendorff's Alpha-Reliability", "40 sentences"):
        assert needle in text, needle
    assert "$" not in text  # every placeholder filled
    text = (kwic_sample[0] / "CODING.md").read_text(encoding="utf-8")
    for needle in ("`yes`", "`no`", "`unsure`", "sense of its category", "Militarized metaphor", "Do not look at"):
        assert needle in text, needle
    assert "$" not in text


# ------------------------------------------------------------------------------------------- all or nothing


def test_a_failed_draw_leaves_the_previous_sample_untouched(corpus_run, default_sample, tmp_path):
    out = tmp_path / "s"
    assert _sample(corpus_run, out, "--n", "40").returncode == 0
    before = _files(out)
    _one_line_error(_sample(corpus_run, out, "--n", "40", "--stratify", "nonsense"))
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # no temporary folder left behind


def test_a_failure_while_writing_keeps_the_old_files(corpus_run, tmp_path, monkeypatch):
    from analysis.validation import sheets

    out = tmp_path / "s"
    sheets.write_sample(corpus_run, out, n=10)
    before = _files(out)
    real = sheets.build_outputs

    def broken(*args, **kwargs):
        files = real(*args, **kwargs)
        files["zz/unwritable"] = b"x"  # a name that cannot be written: fails after the other files
        return files

    monkeypatch.setattr(sheets, "build_outputs", broken)
    with pytest.raises(FileNotFoundError):
        sheets.write_sample(corpus_run, out, n=12, seed=3)
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_a_folder_with_other_files_is_refused(corpus_run, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    line = _one_line_error(_sample(corpus_run, tmp_path / "mine", "--n", "5"))
    assert "--out" in line and _files(tmp_path / "mine") == {"notes.txt": b"keep me"}


# ---------------------------------------------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
def empty_runs(tmp_path_factory) -> dict[str, Path]:
    """A run with no Chinese sentence (nothing scored) and one with Chinese text but no framing term."""
    root = tmp_path_factory.mktemp("empty")
    (root / "english.txt").write_text("Title\n\nOnly English here. Nothing to score.\n", encoding="utf-8")
    (root / "plain.txt").write_text("天氣\n\n今天天氣很好。我們去公園散步。\n", encoding="utf-8")
    out = {}
    for name in ("english", "plain"):
        r = run_cli("run", str(root / f"{name}.txt"), "--out", str(root / name))
        assert r.returncode == 0, r.stderr
        out[name] = root / name
    return out


def test_bad_input_is_a_one_line_error_and_writes_nothing(corpus_run, empty_runs, tmp_path):
    out = tmp_path / "out"
    cases = [
        (_sample(tmp_path, out), "not a run folder"),
        (_sample(corpus_run, out, "--stratify", "nonsense"), "unknown --stratify column 'nonsense'"),
        (_sample(corpus_run, out, "--n", "0"), "--n must be at least 1"),
        (_sample(corpus_run, out, "--seed", "-1"), "--seed must be"),
        (_sample(empty_runs["english"], out), "no scored sentence"),
        (_sample(empty_runs["plain"], out, "--unit", "kwic"), "no framing hit"),
    ]
    for r, message in cases:
        assert message in _one_line_error(r)
    assert not out.exists()


def test_unknown_stratify_column_lists_the_choices(corpus_run, tmp_path):
    line = _one_line_error(_sample(corpus_run, tmp_path / "o", "--unit", "kwic", "--stratify", "nope"))
    assert "kwic.csv" in line and "term" in line and "outlet" in line


def test_kwic_samples_draw_counted_hits_unless_asked(tmp_path):
    """Hits the lexicon's rules set aside (kwic.csv status not_word / excluded) are not drawn by default."""
    from .test_reading_view import RULES_LEXICON

    (tmp_path / "a.txt").write_text("中國產品、外國產品與國產晶片。\n\n反壟斷調查與技術壟斷。\n", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES_LEXICON, encoding="utf-8")
    r = run_cli("run", "a.txt", "--out", "run", "--lexicon", "rules.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    kwic = read_table(tmp_path / "run" / "kwic.csv")
    assert sorted(kwic["status"]) == ["counted", "counted", "excluded", "not_word", "not_word"]
    for args, statuses in (((), {"counted"}), (("--include-uncounted",), {"counted", "not_word", "excluded"})):
        out = tmp_path / f"s{len(args)}"
        r = _sample(tmp_path / "run", out, "--unit", "kwic", "--lexicon", str(tmp_path / "rules.yaml"), *args)
        assert r.returncode == 0, r.stderr
        key = read_table(out / "sample.csv")
        assert set(key["status"]) == statuses and len(key) == (kwic["status"].isin(statuses)).sum()
        assert json.loads((out / "sample.json").read_text())["options"]["include_uncounted"] == bool(args)
        assert "status" not in pd.read_csv(out / "coding.csv", dtype=str).columns  # coders stay blind to it
    line = _one_line_error(_sample(tmp_path / "run", tmp_path / "s9", "--include-uncounted"))
    assert line == "error: --include-uncounted applies to --unit kwic only"
