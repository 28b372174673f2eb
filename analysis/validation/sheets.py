"""What `validate sample` writes: the key (sample.csv, sample.json), the blind sheets (coding.csv, coding.xlsx,
coding.html) and the coders' instructions (CODING.md), all into one folder, all or nothing.

The blind sheets hold only what a coder needs: the unit's id, its text, the sentences around it and, for framing
hits, the term and the sense its category stands for. Never a score or any other output of a model.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import string
from bisect import bisect_left, bisect_right
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import AnalysisError
from ..framing.lexicon import Lexicon, load_lexicon
from ..io.files import check_writable, deterministic_xlsx, package_text, swap_in
from ..io.provenance import DISTRIBUTION, version_of
from ..io.tables import RunTables, check_run_lexicon, load_run
from ..schema import CATEGORY_SEPARATOR
from .page import coding_page
from .sample import CODES, DEFAULT_N, DEFAULT_SEED, Sample, draw_sample

log = logging.getLogger(__name__)

OUTPUT_FILES = {"sample.csv", "sample.json", "coding.csv", "coding.xlsx", "coding.html", "CODING.md"}
SHEET_COLUMNS = {"sentences": ["unit", "text", "context_before", "context_after", "code"],
                 "kwic": ["unit", "text", "context_before", "context_after", "term", "category_label", "code"]}
#: Other spellings `validate score` accepts, shown in CODING.md.
ALIASES = {"sentences": "`neg`/`neu`/`pos` and `-1`/`0`/`1` (0 = neutral)", "kwic": "`1` (yes) and `0` (no)"}
MARK_OPEN, MARK_CLOSE = "【", "】"


# ------------------------------------------------------------------------------------------------ the blind sheet


def _contexts(sentences: pd.DataFrame, units: pd.DataFrame) -> tuple[list[str], list[str]]:
    """For each unit, the sentence just before its text and the one just after, in the same document ('' at edges)."""
    before, after = [], []
    by_doc = {d: s.sort_values("start") for d, s in sentences.groupby("document", sort=False)}
    for r in units.itertuples():
        s = by_doc.get(r.document)
        if s is None:
            before.append("")
            after.append("")
            continue
        starts, ends = s["start"].tolist(), s["end"].tolist()
        a, b = int(r.text_start), int(r.text_start) + len(r.text)
        i = bisect_right(ends, a) - 1  # last sentence ending at or before the text starts
        j = bisect_left(starts, b)  # first sentence starting at or after the text ends
        before.append(str(s["text"].iloc[i]) if i >= 0 else "")
        after.append(str(s["text"].iloc[j]) if j < len(s) else "")
    return before, after


def _split_match(r: object) -> tuple[str, str, str]:
    a = int(r.start) - int(r.text_start)
    b = a + len(r.match)
    return r.text[:a], r.text[a:b], r.text[b:]


def category_labels(run: RunTables, lexicon: Lexicon | None) -> dict[tuple[str, str], str]:
    """For each (category, term) of the run's hits: the category's label and description and the term's gloss."""
    cats = {c["id"]: c for c in run.manifest["lexicon"].get("categories", []) if isinstance(c, dict) and "id" in c}
    out = {}
    for cat, term in run.kwic[["category", "term"]].drop_duplicates().itertuples(index=False):
        parts = []
        for one in cat.split(CATEGORY_SEPARATOR):  # an entry in several categories: each of them
            c = cats.get(one, {})
            part = " · ".join(x for x in (c.get("label_zh"), c.get("label_en")) if x) or one
            if lexicon is not None and any(x.id == one for x in lexicon.categories):
                part += ": " + lexicon.category(one).description
            parts.append(part)
        label = " + ".join(parts)
        if lexicon is not None:
            gloss = lexicon.gloss(cat, term)
            if gloss:
                label += f" — {term}: {gloss}"
        out[(cat, term)] = label
    return out


def blind_sheet(sample: Sample, run: RunTables, labels: dict[tuple[str, str], str]) -> tuple[pd.DataFrame, list]:
    """The coding sheet in its seeded random order, and the same units as records for the coding page."""
    units = sample.units.set_index("unit", drop=False).loc[sample.order]
    before, after = _contexts(run.sentences, units)
    kwic = sample.record["unit"] == "kwic"
    rows, page = [], []
    for r, b, a in zip(units.itertuples(), before, after, strict=True):
        row = {"unit": r.unit, "context_before": b, "context_after": a, "code": ""}
        item = {"unit": r.unit, "before": b, "after": a}
        if kwic:
            pre, match, post = _split_match(r)
            row.update(text=f"{pre}{MARK_OPEN}{match}{MARK_CLOSE}{post}", term=r.term,
                       category_label=labels.get((r.category, r.term), r.category))
            item.update(text=[pre, match, post], term=r.term, category=row["category_label"])
        else:
            row["text"] = r.text
            item["text"] = [r.text]
        rows.append(row)
        page.append(item)
    return pd.DataFrame(rows, columns=SHEET_COLUMNS[sample.record["unit"]]), page


# ------------------------------------------------------------------------------------------------- coding.xlsx

#: Column widths of the .xlsx sheet (characters); text columns wrap.
XLSX_WIDTHS = {"unit": 14, "text": 60, "context_before": 40, "context_after": 40, "term": 12, "category_label": 50,
               "code": 12}
XLSX_WRAPPED = {"text", "context_before", "context_after", "category_label"}


def _xlsx_text(value: object) -> str | None:
    """A cell's text with the characters XML cannot hold shown as U+FFFD; None for an empty cell."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text) or None


def coding_workbook(sheet: pd.DataFrame, codes: list[str], instructions: str) -> bytes:
    """The blind sheet as .xlsx: a drop-down of the allowed codes in `code`, wrapped text, frozen header, widths,
    and a second sheet `instructions` with CODING.md. Every cell is text (a sentence starting with = stays text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "coding"
    columns = list(sheet.columns)
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=name)
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = XLSX_WIDTHS.get(name, 20)
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    for i, row in enumerate(sheet.itertuples(index=False), start=2):
        for j, (name, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = ws.cell(row=i, column=j)
            text = _xlsx_text(value)
            if text is not None:
                cell.value = text
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = wrap if name in XLSX_WRAPPED else top
    ws.freeze_panes = "A2"
    code_col = get_column_letter(columns.index("code") + 1)
    listed = ", ".join(codes)
    dv = DataValidation(type="list", formula1='"' + ",".join(codes) + '"', allow_blank=True, showErrorMessage=True,
                        errorTitle="Not a code", error=f"Choose one of: {listed} (or leave the cell empty).",
                        promptTitle="Code", prompt=f"Choose {listed}", showInputMessage=True)
    dv.add(f"{code_col}2:{code_col}{max(len(sheet), 1) + 1}")
    ws.add_data_validation(dv)
    info = wb.create_sheet("instructions")
    info.column_dimensions["A"].width = 120
    for i, line in enumerate(instructions.splitlines(), start=1):
        cell = info.cell(row=i, column=1)
        text = _xlsx_text(line)
        if text is not None:
            cell.value = text
            cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.creator = "zh-news-framing"
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic_xlsx(buf.getvalue())


# ------------------------------------------------------------------------------------------------- CODING.md


def _categories_md(sample: Sample, run: RunTables, lexicon: Lexicon | None) -> str:
    cats = {c["id"]: c for c in run.manifest["lexicon"].get("categories", []) if isinstance(c, dict) and "id" in c}
    lines = []
    for cat, group in sample.units.groupby("category", sort=True):
        c = cats.get(cat, {})
        name = " · ".join(x for x in (c.get("label_en"), c.get("label_zh")) if x) or cat
        desc = ""
        if lexicon is not None and any(x.id == cat for x in lexicon.categories):
            desc = " " + lexicon.category(cat).description
        lines.append(f"- **{name}** (`{cat}`).{desc}")
        for term, n in group["term"].value_counts().sort_index().items():
            gloss = ""
            if lexicon is not None:
                gloss = lexicon.gloss(cat, term)
            lines.append(f"  - {term}" + (f": {gloss}" if gloss else "") + f" ({n} unit{'s' if n != 1 else ''})")
    if lexicon is None:
        lines.append("\n(The run's lexicon file was not given, so descriptions and glosses are missing; pass it "
                     "with `--lexicon` to include them.)")
    return "\n".join(lines)


def coding_md(sample: Sample, run: RunTables, lexicon: Lexicon | None, sample_id: str) -> str:
    """The coders' instructions for this sample, from the templates shipped with the package."""
    unit = sample.record["unit"]
    values = {"sample_id": sample_id, "n_units": str(len(sample.key)),
              "codes": ", ".join(f"`{c}`" for c in CODES[unit]), "aliases": ALIASES[unit]}
    common = string.Template(package_text(__package__, "instructions_common.md")).substitute(values)
    values.update(common=common.rstrip("\n"))
    if unit == "kwic":
        values["categories"] = _categories_md(sample, run, lexicon)
        return string.Template(package_text(__package__, "instructions_kwic.md")).substitute(values)
    return string.Template(package_text(__package__, "instructions_sentences.md")).substitute(values)


# ----------------------------------------------------------------------------------------------------- writing


def _csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def run_lexicon(run: RunTables, path: Path | None) -> tuple[Lexicon | None, str | None]:
    """The run's lexicon for glosses: the file given (it must be the run's), else the shipped one if it is the run's.

    Returns the lexicon (None when not available) and a note to record when it is not.
    """
    if path is not None:
        return check_run_lexicon(path, run.manifest), None
    if config.FRAMING_LEXICON.is_file():
        lexicon = load_lexicon(config.FRAMING_LEXICON)
        if lexicon.sha256 == run.manifest["lexicon"]["sha256"]:
            return lexicon, None
    return None, ("the run's lexicon file was not given with --lexicon: category_label holds the category labels "
                  "only, without descriptions and glosses")


def build_outputs(run: RunTables, sample: Sample, lexicon: Lexicon | None) -> dict[str, bytes]:
    """Every output file's bytes: the key, the record, the blind sheets and the instructions."""
    key_bytes = _csv_bytes(sample.key)
    sample_id = hashlib.sha256(key_bytes).hexdigest()[:12]
    record = dict(sample.record, sample_id=sample_id, package_version=version_of(DISTRIBUTION))
    labels = category_labels(run, lexicon) if record["unit"] == "kwic" else {}
    sheet, page_units = blind_sheet(sample, run, labels)
    instructions = coding_md(sample, run, lexicon, sample_id)
    out = {
        "sample.csv": key_bytes,
        "coding.csv": _csv_bytes(sheet),
        "CODING.md": instructions.encode("utf-8"),
        "coding.xlsx": coding_workbook(sheet, list(CODES[record["unit"]]), instructions),
        "coding.html": coding_page(page_units, record, instructions).encode("utf-8"),
        # the same JSON as output.write_json: sorted keys, UTF-8, indent 2, trailing newline
        "sample.json": (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    }
    return out


def write_sample(data: Path, out: Path, n: int = DEFAULT_N, unit: str = "sentences", seed: int = DEFAULT_SEED,
                 stratify: str | None = None, lexicon_path: Path | None = None,
                 include_uncounted: bool = False) -> Sample:
    """`validate sample`: draw the sample from the run in `data` and write every file into `out`, all or nothing."""
    if n < 1:
        raise AnalysisError(f"--n must be at least 1 (got {n})")
    check_writable(out, OUTPUT_FILES)
    run = load_run(data)
    lexicon, note = run_lexicon(run, lexicon_path) if unit == "kwic" else (None, None)
    sample = draw_sample(run, n=n, unit=unit, seed=seed, stratify=stratify, include_uncounted=include_uncounted)
    if note:
        sample.record["notes"].append(note)
        log.warning("%s", note)
    sample.record["options"]["lexicon"] = str(lexicon_path) if lexicon_path else None
    outputs = build_outputs(run, sample, lexicon)

    def write(folder: Path) -> None:
        for name, data_bytes in sorted(outputs.items()):
            (folder / name).write_bytes(data_bytes)
            (folder / name).chmod(0o644)

    swap_in(Path(out), write)
    log.info("drew %d of %d %s (asked for %d); sample %s written to %s", len(sample.key),
             sample.record["design"]["population"], "scored sentences" if unit == "sentences" else "framing hits", n,
             json.loads(outputs["sample.json"])["sample_id"], out)
    return sample


