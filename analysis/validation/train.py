"""`validate train`: turn coded sentences into a SnowNLP sentiment model for the user's domain, and show by k-fold
cross-validation, on sentences each fold's model never saw, whether it beats SnowNLP's own model.

Training is SnowNLP's (`sentiment.naive_bayes.train`, counts as `Sentiment().train(neg_docs, pos_docs)` makes them,
on the words of SnowNLP's segmenter after its stopword filter, here from the compiled segmenter); neutral sentences
are left out of training. Cross-validation: stratified k folds (seeded) over all labelled sentences; for each fold
a model is trained on the other folds' positive and negative sentences and scores the fold's sentences, as SnowNLP's
own model does; accuracy and macro-F1 on the fold's positive and negative sentences (0.5 cut), Spearman's ρ on all
of them against negative < neutral < positive, per fold and over the pooled out-of-fold scores, with intervals.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import AnalysisError
from ..io.files import check_writable, sha256_file, swap_in, write_json
from ..io.provenance import package_versions
from ..io.tables import read_sheet, write_csv
from ..sentiment import naive_bayes as nb
from ..sentiment.snowfast.model import SnowNLPFast
from ..sentiment.trained import CV_FILE, MODEL_FILES, MODEL_FORMAT, MODEL_JSON, snownlp_version
from ..stats.agreement import spearman
from ..stats.bootstrap import derive_seed, resampled_interval_rows
from ..text.script import check_converter, convert
from .codes import normalise_code
from .performance import BINARY, LABELS, UNDECIDED, binary_prediction, macro_f1, weighted_proportion

log = logging.getLogger(__name__)

BASES = ("snownlp", "none")
DEFAULT_FOLDS = 5
DEFAULT_SEED = 20260215
#: Fewer labelled sentences per class than this are refused: k-fold cross-validation needs several per fold.
MIN_PER_CLASS = 20
#: Columns that may hold the text (the first present is used) and the label.
TEXT_COLUMNS = ("text_scored", "text")
LABEL_COLUMNS = ("label", "code")
#: What cv.csv reports, per model and fold.
CV_MEASURES = ("coverage_binary", "accuracy_binary", "macro_f1_binary", "spearman")
CV_COLUMNS = ["model", "weight", "fold", "measure", "value", "ci_low", "ci_high", "n"]
#: What the weight is chosen by when several are given (`choose_weight`): pooled cross-validated macro-F1.
WEIGHT_CRITERION = "macro_f1_binary"


@dataclass
class Gold:
    """The labelled sentences of a --gold file, as the scorer sees them."""

    file: Path
    text_column: str
    label_column: str
    converter: str | None  # applied to `text` (None: text_scored was used as it is)
    frame: pd.DataFrame  # columns text, label (negative / neutral / positive), and any score columns
    n_unlabelled: int = 0

    def count(self, label: str) -> int:
        """Sentences with this label."""
        return int((self.frame["label"] == label).sum())


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise AnalysisError(f"--gold {path} not found; give a CSV or XLSX file with a text and a label column")
    return read_sheet(path, "--gold")


def read_gold(path: Path, converter: str = config.DEFAULT_CONVERTER) -> Gold:
    """The labelled sentences of a CSV or XLSX file; AnalysisError (one line, naming the row) when it misfits.

    Text: `text_scored` (the Simplified text the scorer sees) as it is, else `text` converted with `converter`.
    Label: `label`, else `code`: negative / neutral / positive (also neg / neu / pos, -1 / 0 / 1); a blank label
    leaves the row out (counted). `sentiment_NAME` columns (other scorers' scores, as in `validate score`'s
    gold.csv) are kept for comparison on the same folds.
    """
    df = _read_table(path)
    text_col = next((c for c in TEXT_COLUMNS if c in df.columns), None)
    label_col = next((c for c in LABEL_COLUMNS if c in df.columns), None)
    if text_col is None or label_col is None:
        missing = [" or ".join(cols) for col, cols in ((text_col, TEXT_COLUMNS), (label_col, LABEL_COLUMNS))
                   if col is None]
        raise AnalysisError(f"--gold {path} has no {' and no '.join(missing)} column; it needs a text column "
                            "(text_scored or text) and a label column (label or code)")
    labels = []
    for i, value in enumerate(df[label_col]):
        try:
            labels.append(normalise_code(value, "sentences"))
        except ValueError:
            raise AnalysisError(f"--gold {path}, row {i + 2}: label {value!r} is not one of negative/neutral/positive "
                                "(also neg/neu/pos or -1/0/1)") from None
    labelled = pd.Series([lab is not None for lab in labels], index=df.index)
    texts = df[text_col].str.strip()
    empty = labelled & (texts == "")
    if empty.any():
        raise AnalysisError(f"--gold {path}, row {int(empty.idxmax()) + 2}: a label but no text in {text_col}")
    if text_col == "text":
        converter = check_converter(converter)
        scored = [convert(t, converter) for t in df.loc[labelled, "text"]]
    else:
        converter = None
        scored = list(df.loc[labelled, "text_scored"])
    frame = pd.DataFrame({"unit": df.loc[labelled, "unit"] if "unit" in df.columns else df.index[labelled] + 2,
                          "text": scored, "label": [lab for lab in labels if lab is not None]})
    for col in sorted(c for c in df.columns if c.startswith("sentiment_")):
        frame[col] = pd.to_numeric(df.loc[labelled, col], errors="coerce").to_numpy()
    return Gold(path, text_col, label_col, converter, frame.reset_index(drop=True), int((~labelled).sum()))


def check_gold(gold: Gold, folds: int) -> None:
    """Refuse a gold file that cannot train a model or be cross-validated."""
    n = {c: gold.count(c) for c in ("negative", "positive")}
    empty = [c for c, k in n.items() if k == 0]
    if empty:
        raise AnalysisError(f"--gold {gold.file} has no {empty[0]} sentence; training needs both negative and "
                            "positive sentences")
    few = {c: k for c, k in n.items() if k < max(MIN_PER_CLASS, folds)}
    if few:
        counts = ", ".join(f"{k} {c}" for c, k in few.items())
        raise AnalysisError(f"--gold {gold.file} has only {counts} sentence(s); {folds}-fold cross-validation needs "
                            f"at least {max(MIN_PER_CLASS, folds)} labelled sentences per class: code more sentences")


def parse_weights(text: str | int | Sequence[int]) -> list[int]:
    """--weight: one whole number ≥ 1, or several separated by commas (chosen by cross-validation)."""
    if isinstance(text, int):
        items: list[object] = [text]
    elif isinstance(text, str):
        items = [t.strip() for t in text.split(",")]
    else:
        items = list(text)
    try:
        weights = [int(t) for t in items]
        if any(str(t).strip() != str(w) for t, w in zip(items, weights, strict=True)):
            raise ValueError
    except (TypeError, ValueError):
        raise AnalysisError(f"--weight must be a whole number (or several separated by commas), not {text!r}") from None
    if not weights or any(w < 1 for w in weights):
        raise AnalysisError(f"--weight must be at least 1, not {text!r}")
    return sorted(set(weights))


@dataclass
class CrossValidation:
    """Out-of-fold scores: one row per labelled sentence with its fold, label, the stock model's score and each
    trained weight's (columns `trained_W`), plus any other scorer's column from the gold."""

    scores: pd.DataFrame
    folds: int
    weights: list[int]
    others: list[str] = field(default_factory=list)

    def model_columns(self) -> list[tuple[str, int | None, str]]:
        """(model name, weight, column) of every model compared."""
        return ([("stock", None, "stock")] + [("trained", w, f"trained_{w}") for w in self.weights]
                + [(c, None, c) for c in self.others])


def fold_ids(labels: pd.Series, folds: int, seed: int) -> np.ndarray:
    """Each sentence's fold (1..k): stratified by label, shuffled with `seed`."""
    from sklearn.model_selection import StratifiedKFold  # (sklearn loads in 0.2 s: only when needed)

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed % 2**32)
    ids = np.zeros(len(labels), dtype=int)
    with warnings.catch_warnings():  # a class with fewer members than folds (few neutral sentences) is allowed
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        for k, (_, test) in enumerate(splitter.split(np.zeros(len(labels)), labels.to_numpy(object)), start=1):
            ids[test] = k
    return ids


def _fit(tokens: Sequence[list[str]], labels: Sequence[str], base: nb.NaiveBayes | None, weight: int) -> nb.NaiveBayes:
    neg = [t for t, lab in zip(tokens, labels, strict=True) if lab == "negative"]
    pos = [t for t, lab in zip(tokens, labels, strict=True) if lab == "positive"]
    return nb.train(neg, pos, base, weight)


def cross_validate(tokens: Sequence[list[str]], frame: pd.DataFrame, base: nb.NaiveBayes | None,
                   weights: Sequence[int], folds: int, seed: int) -> CrossValidation:
    """k-fold cross-validation of SnowNLP's model and of a model trained (per weight) on the other folds."""
    labels = frame["label"]
    fold = fold_ids(labels, folds, seed)
    stock = nb.Classifier(nb.stock_model())
    out = pd.DataFrame({"unit": frame["unit"].to_numpy(), "fold": fold, "label": labels.to_numpy(object),
                        "stock": [stock(t) for t in tokens]})
    for w in weights:
        out[f"trained_{w}"] = math.nan
    for k in range(1, folds + 1):
        train_idx, test_idx = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        train_tokens = [tokens[i] for i in train_idx]
        train_labels = labels.iloc[train_idx].tolist()
        for w in weights:
            model = nb.Classifier(_fit(train_tokens, train_labels, base, w))  # never sees fold k
            out.loc[test_idx, f"trained_{w}"] = [model(tokens[i]) for i in test_idx]
    others = [c for c in frame.columns if c.startswith("sentiment_")]
    for c in others:
        out[c] = frame[c].to_numpy(float)
    return CrossValidation(out, folds, list(weights), others)


def _macro_f1_rows(gold: np.ndarray, pred: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Binary macro-F1 of each row of a matrix of resampled indices (as `performance.macro_f1`, unit weights)."""
    g_pos, p_pos = gold == "positive", pred == "positive"

    def stat(idx: np.ndarray) -> np.ndarray:
        g, p = g_pos[idx], p_pos[idx]
        f1 = []
        for gc, pc in ((~g, ~p), (g, p)):  # negative, positive
            tp = (gc & pc).sum(axis=1)
            wrong = (gc != pc).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                f1.append(np.where(2 * tp + wrong > 0, 2 * tp / (2 * tp + wrong), np.nan))
        return np.mean(f1, axis=0)

    return stat


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Spearman's ρ of each row of a matrix of resampled indices (as `stats.agreement.spearman`: the Pearson
    correlation of average ranks, ties sharing their mean rank), without sorting: a value's rank is the number of
    draws below it plus its mean position among its ties, from how often each value is drawn; the cross-product
    sums the ranks of x over the draws of each level of y (few: the codes)."""
    ux, kx = np.unique(x, return_inverse=True)
    uy, ky = np.unique(y, return_inverse=True)
    nx, ny = len(ux), len(uy)

    def ranks(counts: np.ndarray, n: int) -> np.ndarray:  # centred mean ranks of each value, per row
        return np.cumsum(counts, axis=1) - counts + (counts + 1) / 2.0 - (n + 1) / 2.0

    def stat(idx: np.ndarray) -> np.ndarray:
        rows, n = idx.shape
        keys = (kx[idx] + nx * np.arange(rows)[:, None]).ravel()
        levels = ky[idx]
        cx = np.bincount(keys, minlength=rows * nx).reshape(rows, nx).astype(float)
        cy = np.stack([(levels == v).sum(axis=1) for v in range(ny)], axis=1).astype(float)
        rx, ry = ranks(cx, n), ranks(cy, n)
        sxy = np.zeros(rows)
        for v in range(1, ny):  # the centred ranks of x sum to 0, so level 0 adds ry[0] · (−the others' sums)
            drawn = np.bincount(keys, weights=(levels == v).ravel(), minlength=rows * nx).reshape(rows, nx)
            sxy += (drawn * rx).sum(axis=1) * (ry[:, v] - ry[:, 0])
        sxx, syy = (cx * rx * rx).sum(axis=1), (cy * ry * ry).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((sxx > 0) & (syy > 0), sxy / np.sqrt(sxx * syy), np.nan)

    return stat


def _measures(part: pd.DataFrame, column: str, seed_key: tuple, resamples: int) -> dict[str, dict]:
    """Coverage and accuracy (Wilson), macro-F1 and Spearman's ρ (percentile bootstrap over sentences) of one model
    on some sentences: the measures of `validate score` (performance.py), unweighted, their bootstrap vectorised.
    Coverage: the share of positive and negative sentences that get a decision (a score other than exactly 0.5)."""
    code, score = part["label"].to_numpy(object), part[column].to_numpy(float)
    polar = np.isin(code, BINARY)
    pred = binary_prediction(score[polar])
    decided = pred != UNDECIDED
    g, p = code[polar][decided], pred[decided]
    out = {"coverage_binary": weighted_proportion(decided, np.ones(len(decided))),
           "accuracy_binary": weighted_proportion(g == p, np.ones(len(g)))}
    ci = resampled_interval_rows(_macro_f1_rows(g, p), len(g), derive_seed("train-f1", *seed_key), resamples)
    f1 = macro_f1(g, p, np.ones(len(g))) if len(g) else math.nan
    out["macro_f1_binary"] = {"value": f1, "ci_low": ci[0], "ci_high": ci[1], "n": int(len(g))}
    scored = ~np.isnan(score)
    x = score[scored]
    y = np.array([LABELS.index(c) for c in code[scored]], dtype=float)
    ci = resampled_interval_rows(_spearman_rows(x, y), len(x), derive_seed("train-spearman", *seed_key), resamples)
    out["spearman"] = {"value": spearman(x, y) if len(x) else math.nan, "ci_low": ci[0], "ci_high": ci[1],
                       "n": int(len(x))}
    return out


def cv_table(cv: CrossValidation, resamples: int = config.BOOTSTRAP_RESAMPLES) -> pd.DataFrame:
    """cv.csv: every model's accuracy, macro-F1 and Spearman's ρ per held-out fold and over all folds (pooled
    out-of-fold scores), with 95% intervals (Wilson for accuracy, bootstrap over sentences for the others)."""
    rows = []
    for model, weight, column in cv.model_columns():
        for fold in [*range(1, cv.folds + 1), "all"]:
            part = cv.scores if fold == "all" else cv.scores[cv.scores["fold"] == fold]
            for measure, est in _measures(part, column, (model, weight, fold), resamples).items():
                rows.append({"model": model, "weight": weight, "fold": str(fold), "measure": measure,
                             "value": est["value"], "ci_low": est["ci_low"], "ci_high": est["ci_high"],
                             "n": est["n"]})
    return pd.DataFrame(rows, columns=CV_COLUMNS).astype({"weight": "Int64"})


def overall(table: pd.DataFrame, model: str, measure: str, weight: int | None = None) -> pd.Series:
    """The pooled ("all") row of cv.csv for one model and measure."""
    sel = (table["model"] == model) & (table["fold"] == "all") & (table["measure"] == measure)
    if weight is not None:
        sel &= table["weight"] == weight
    return table[sel].iloc[0]


def choose_weight(table: pd.DataFrame, weights: Sequence[int]) -> tuple[int, dict]:
    """The weight to train with, by the one-standard-error rule on the pooled cross-validated WEIGHT_CRITERION: the
    smallest weight whose value is within one standard error of the best weight's (SE: the standard deviation of
    the best weight's per-fold values / √k). The smallest such weight stays closest to SnowNLP's plain training,
    and differences smaller than the folds' spread are noise. Returns the weight and what the choice rested on."""
    values = {w: float(overall(table, "trained", WEIGHT_CRITERION, w)["value"]) for w in weights}
    defined = {w: v for w, v in values.items() if not math.isnan(v)}
    if len(weights) == 1 or not defined:
        return min(weights), {}
    best = min(defined, key=lambda w: (-defined[w], w))
    sel = ((table["model"] == "trained") & (table["weight"] == best) & (table["measure"] == WEIGHT_CRITERION)
           & (table["fold"] != "all"))
    per_fold = table.loc[sel, "value"].to_numpy(float)
    se = float(np.std(per_fold, ddof=1) / math.sqrt(len(per_fold))) if len(per_fold) > 1 else 0.0
    chosen = min(w for w, v in defined.items() if v >= defined[best] - se)
    return chosen, {"criterion": WEIGHT_CRITERION, "rule": "smallest weight within one standard error of the best",
                    "pooled": [{"weight": w, "value": v} for w, v in values.items()], "best": best,
                    "standard_error": se}


def describe(n_trained: int, base: str, domain: str | None) -> str:
    """The model's description, e.g. "SnowNLP, retrained on 412 coded news sentences"."""
    what = f"coded {domain.strip()} sentences" if domain and domain.strip() else "coded sentences"
    if base == "none":
        return f"SnowNLP's naive Bayes trained only on {n_trained:,} {what}"
    return f"SnowNLP, retrained on {n_trained:,} {what}"


@dataclass
class Trained:
    """What `validate train` made: the model, its description (model.json) and its cross-validation (cv.csv)."""

    model: nb.NaiveBayes
    data: bytes  # the model's uncompressed data
    info: dict
    cv: pd.DataFrame
    cross_validation: CrossValidation

    def summary(self) -> str:
        """One paragraph: the chosen model against SnowNLP's on the same held-out folds."""
        w = self.info["weight"]
        acc_t, acc_s = (overall(self.cv, m, "accuracy_binary", w if m == "trained" else None)
                        for m in ("trained", "stock"))
        rho_t, rho_s = (overall(self.cv, m, "spearman", w if m == "trained" else None) for m in ("trained", "stock"))

        def fmt(r: pd.Series) -> str:
            return f"{r['value']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"

        n = self.info["n"]
        chosen = (f", chosen from {', '.join(map(str, self.info['weights']))} by cross-validated macro-F1 (the "
                  "smallest within one standard error of the best)" if len(self.info["weights"]) > 1 else "")
        return (f"{self.info['description']} (base {self.info['base']}, weight {w}{chosen}). Binary accuracy on "
                f"held-out folds: trained {fmt(acc_t)} vs stock {fmt(acc_s)} on {self.info['cv']['folds']}-fold CV, "
                f"n = {int(acc_t['n'])} positive/negative sentences; Spearman ρ with the codes: trained {fmt(rho_t)} "
                f"vs stock {fmt(rho_s)}, n = {int(rho_t['n'])} (neutral included). "
                f"{n['neutral_left_out']} neutral sentence(s) left out of training. Model sha256 "
                f"{self.info['sha256'][:12]}…; cv.csv has every fold.")


def train_from_gold(gold: Gold, base: str = "snownlp", weights: Sequence[int] = (1,), folds: int = DEFAULT_FOLDS,
                    seed: int = DEFAULT_SEED, domain: str | None = None,
                    resamples: int = config.BOOTSTRAP_RESAMPLES) -> Trained:
    """Cross-validate and train on a read gold file (nothing written)."""
    if base not in BASES:
        raise AnalysisError(f"--base must be one of {', '.join(BASES)}, not {base!r}")
    if folds < 2:
        raise AnalysisError("--folds must be at least 2")
    if seed < 0:
        raise AnalysisError("--seed must be 0 or more")
    weights = parse_weights(weights)
    check_gold(gold, folds)
    tokens = SnowNLPFast().token_lists(list(gold.frame["text"]))
    base_model = nb.stock_model() if base == "snownlp" else None
    cv = cross_validate(tokens, gold.frame, base_model, weights, folds, seed)
    table = cv_table(cv, resamples)
    weight, choice = choose_weight(table, weights)
    model = _fit(tokens, gold.frame["label"].tolist(), base_model, weight)
    data = nb.model_data(model)
    n_neg, n_pos = gold.count("negative"), gold.count("positive")
    info = {
        "format": MODEL_FORMAT, "model_file": nb.MODEL_FILE, "sha256": nb.digest(data),
        "description": describe(n_neg + n_pos, base, domain), "domain": domain or None,
        "base": base, "base_sha256": nb.stock_digest() if base == "snownlp" else None,
        "weight": weight, "weights": weights, "weight_choice": choice or None,
        "n": {"negative": n_neg, "positive": n_pos, "neutral_left_out": gold.count("neutral"),
              "unlabelled_left_out": gold.n_unlabelled},
        "words": model.n_words(),
        "source": {"file": gold.file.name, "sha256": sha256_file(gold.file), "text_column": gold.text_column,
                   "label_column": gold.label_column, "converter": gold.converter},
        "cv": {"folds": folds, "seed": seed, "stratified_by": "label", "resamples": resamples,
               "measures": list(CV_MEASURES), "compared": list(dict.fromkeys(m for m, _, _ in cv.model_columns()))},
        "versions": {**package_versions(), "snownlp": snownlp_version()},
    }
    return Trained(model, data, info, table, cv)


def write_model(trained: Trained, folder: Path) -> None:
    """Write the model file, model.json and cv.csv into folder."""
    (folder / nb.MODEL_FILE).write_bytes(nb.gzip_model(trained.data))
    write_json(trained.info, folder / MODEL_JSON)
    write_csv(trained.cv, folder / CV_FILE)


def validate_train(gold_path: str | os.PathLike, out: str | os.PathLike, base: str = "snownlp",
                   weights: str | Sequence[int] = (1,), folds: int = DEFAULT_FOLDS, seed: int = DEFAULT_SEED,
                   converter: str = config.DEFAULT_CONVERTER, domain: str | None = None,
                   resamples: int = config.BOOTSTRAP_RESAMPLES) -> Trained:
    """`python -m analysis validate train`: read, check, cross-validate, train, and write MODEL/ all or nothing."""
    out = Path(out)
    check_writable(out, set(MODEL_FILES))
    trained = train_from_gold(read_gold(Path(gold_path), converter), base, parse_weights(weights), folds, seed,
                              domain, resamples)
    swap_in(out, lambda folder: write_model(trained, folder))
    return trained


COMPARISON_COLUMNS = ["group", "level", "model", "measure", "value", "ci_low", "ci_high", "n"]


def compare_scores(frame: pd.DataFrame, models: dict[str, str], by: str | None = None,
                   resamples: int = config.BOOTSTRAP_RESAMPLES) -> pd.DataFrame:
    """Several models' accuracy, macro-F1 and Spearman's ρ on the same labelled sentences, as cv.csv measures them,
    over all of them and (with `by`, a column of `frame`) per level of a grouping column (script, outlet, …).

    `frame`: a `label` column (negative / neutral / positive) and one score column per model; `models`: model name →
    its column. Unweighted; intervals as in cv.csv (seeds from the group, level, model and measure).
    """
    parts = [("all", "all", frame)]
    if by is not None:
        parts += [(by, str(level), part) for level, part in frame.groupby(by, sort=True)]
    rows = []
    for group, level, part in parts:
        for model, column in models.items():
            for measure, est in _measures(part, column, (group, level, model), resamples).items():
                rows.append({"group": group, "level": level, "model": model, "measure": measure, **est})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
