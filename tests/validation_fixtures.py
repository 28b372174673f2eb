"""Sample folders in the format of `validate sample` (docs: /notes validation interface), built directly for the
tests of `validate score`, with simulated gold codes and scores."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

SENTIMENT = ("negative", "neutral", "positive")
TERMS = (("military", "集團軍"), ("military", "戰區"), ("sovereignty", "算力主權"), ("sovereignty", "自主可控"))


def unit_id(document: str, start: int, end: int, category: str | None = None, term: str | None = None) -> str:
    """The interface's stable unit id."""
    if category is None:
        return "s" + hashlib.sha256(f"{document}\x1f{start}\x1f{end}".encode()).hexdigest()[:10]
    return "k" + hashlib.sha256(f"{document}\x1f{start}\x1f{end}\x1f{category}\x1f{term}".encode()).hexdigest()[:10]


def _write(folder: Path, sample: pd.DataFrame, meta: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sample = sample.sort_values("unit").reset_index(drop=True)
    sample.to_csv(folder / "sample.csv", index=False, lineterminator="\n")
    (folder / "sample.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")


def _meta(unit: str, n: int, scorers: list[str], tables: dict | None = None) -> dict:
    return {"unit": unit, "seed": 7, "n_requested": n, "n_drawn": n, "stratify": "meta_outlet",
            "options": {"n": n, "unit": unit, "seed": 7, "stratify": "meta_outlet"},
            "run": {"path": "run", "tables": tables or {"documents.csv": "0" * 64, "sentences.csv": "1" * 64},
                    "manifest": {"scorer": "snownlp", "second_scorer": "lexicon", "converter": "t2s",
                                 "lexicon": {"name": "framing", "version": "1", "sha256": "2" * 64}}},
            "scorers": scorers, "codes": list(SENTIMENT) if unit == "sentences" else ["yes", "no", "unsure"],
            "notes": [], "package_version": "0.1.0"}


def sentence_sample(folder: Path, n: int = 120, seed: int = 0, noise: float = 0.15,
                    tables: dict | None = None) -> pd.DataFrame:
    """Write sample.csv/sample.json of n sentences in two strata (probabilities 0.5 and 0.2); returns the sample with
    a `truth` column (the simulated true code, not written) and scores that follow it with some noise."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(SENTIMENT, n, p=[0.35, 0.3, 0.35])
    centre = pd.Series(truth).map({"negative": 0.25, "neutral": 0.5, "positive": 0.75}).to_numpy()
    lengths = rng.choice([8, 15, 30, 60, 120], n)
    rows = []
    for i in range(n):
        doc, start = f"doc{i % 6}", 100 * i
        outlet = "a" if i % 3 else "b"
        prob = 0.5 if outlet == "a" else 0.2
        rows.append({"unit": unit_id(doc, start, start + lengths[i]), "kind": "sentence", "document": doc,
                     "sentence": i, "start": start, "end": start + lengths[i], "text": "好" * int(lengths[i]),
                     "text_scored": "好" * int(lengths[i]),
                     "sentiment": float(np.clip(centre[i] + rng.normal(0, noise), 0.001, 0.999)),
                     "sentiment_lexicon": float(rng.uniform(0, 1)), "meta_outlet": outlet, "stratum": outlet,
                     "probability": prob, "weight": 1 / prob, "truth": truth[i]})
    sample = pd.DataFrame(rows)
    sample.loc[0, "sentiment_lexicon"] = 0.5  # one undecided sentence for the second scorer
    _write(folder, sample.drop(columns="truth"), _meta("sentences", n, ["sentiment", "sentiment_lexicon"], tables))
    return sample.sort_values("unit").reset_index(drop=True)


def kwic_sample(folder: Path, per_term: int = 6, seed: int = 0) -> pd.DataFrame:
    """Write a KWIC sample (per_term hits per term, stratified by term); returns it with a `truth` column (yes/no)
    where the first term is used in its sense only half the time and the others always."""
    rng = np.random.default_rng(seed)
    rows = []
    for t, (category, term) in enumerate(TERMS):
        for j in range(per_term):
            doc, start = f"doc{j}", 10 * j + t
            truth = ("yes" if j % 2 else "no") if t == 0 else "yes"
            rows.append({"unit": unit_id(doc, start, start + len(term), category, term), "kind": "kwic",
                         "document": doc, "sentence": j, "start": start, "end": start + len(term),
                         "text": f"這是{term}的句子。", "text_scored": f"这是{term}的句子。", "term": term,
                         "category": category, "match": term, "left": "這是", "right": "的句子。",
                         "sentiment": float(rng.uniform(0, 1)), "stratum": term, "probability": 0.5 / (t + 1),
                         "weight": 2.0 * (t + 1), "truth": truth})
    sample = pd.DataFrame(rows)
    _write(folder, sample.drop(columns="truth"), _meta("kwic", len(rows), ["sentiment"]))
    return sample.sort_values("unit").reset_index(drop=True)


def coder(truth: pd.Series, error: float, seed: int, codes: tuple[str, ...] = SENTIMENT) -> list[str]:
    """A simulated coder: the true code with probability 1 - error, else one of the other codes at random."""
    rng = np.random.default_rng(seed)
    out = []
    for t in truth:
        if rng.uniform() < error:
            out.append(str(rng.choice([c for c in codes if c != t])))
        else:
            out.append(t)
    return out


def write_codes(path: Path, units: list[str], codes: list[str | None], coder_name: str | None = None) -> Path:
    """A coder's file (CSV or XLSX by suffix) with unit, code and optionally coder."""
    df = pd.DataFrame({"unit": units, "code": [c if c is not None else "" for c in codes]})
    if coder_name is not None:
        df["coder"] = coder_name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        df.to_excel(path, index=False, engine="openpyxl")
    else:
        df.to_csv(path, index=False, lineterminator="\n")
    return path
