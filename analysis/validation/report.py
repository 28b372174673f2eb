"""validation.md: the tables rounded, a plain-language verdict per scorer, who coded, and what may be concluded."""

from __future__ import annotations

import math

import pandas as pd

from ..present.report import number
from .performance import CV_FOLDS, MIN_CODED, PRECISION_FLOOR

#: Names of the known scorers for readers.
SCORER_NAMES = {"sentiment": "SnowNLP", "sentiment_lexicon": "The HowNet lexicon scorer"}
#: Krippendorff (2004, 241): rely on data with α ≥ .800; tentative conclusions only from .667 ≤ α < .800.
ALPHA_FIRM, ALPHA_TENTATIVE = 0.8, 0.667


def scorer_name(scorer: str) -> str:
    """A reader's name for a score column."""
    return SCORER_NAMES.get(scorer, scorer)


def _num(value: object, digits: int = 3) -> str:
    return number(value, digits) if value is None or isinstance(value, float) else str(value)


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


def markdown_table(df: pd.DataFrame, digits: int = 3) -> str:
    """A DataFrame as a Markdown table, floats rounded to `digits` decimals, missing values as –."""
    if df.empty:
        return "(none)\n"
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "| " + " | ".join("---" for _ in df.columns) + " |"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_num(v, digits).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


def alpha_verdict(alpha: float, low: float, high: float) -> str:
    """Krippendorff's reading of an α and its interval, in one sentence."""
    if math.isnan(alpha):
        return "α cannot be computed (fewer than two coded units in common, or every code the same)"
    text = f"α between coders {alpha:.2f} [{low:.2f}, {high:.2f}]: "
    if alpha >= ALPHA_FIRM:
        text += f"reliable enough for firm conclusions (Krippendorff: ≥ {ALPHA_FIRM})"
        if low < ALPHA_FIRM:
            text += f", though the interval reaches below {ALPHA_FIRM}"
    elif alpha >= ALPHA_TENTATIVE:
        text += (f"acceptable for tentative conclusions (Krippendorff: ≥ {ALPHA_TENTATIVE}), not for firm ones "
                 f"(≥ {ALPHA_FIRM})")
    else:
        text += (f"below Krippendorff's minimum of {ALPHA_TENTATIVE}: the coders do not agree well enough for their "
                 "codes to serve as a gold standard; sharpen the instructions and code again before judging scorers")
    return text


def scorer_verdict(perf: pd.DataFrame, scorer: str) -> list[str]:
    """Plain-language sentences on one scorer's binary accuracy, three-class accuracy and rank correlation."""
    m = perf[perf["scorer"] == scorer].set_index("measure")
    name = scorer_name(scorer)
    acc, cov = m.loc["accuracy_binary"], m.loc["coverage_binary"]
    if m.loc["majority_class_share", "n"] == 0:
        return [f"{name}: no gold sentence with a score, so nothing can be said about it."]
    out = [f"{name} agrees with the gold on {_pct(acc['value'])} [{_pct(acc['ci_low'])}, {_pct(acc['ci_high'])}] "
           f"of positive/negative sentences (n = {int(acc['n'])}; it took no side on "
           f"{_pct(1 - cov['value']) if not math.isnan(cov['value']) else '–'} of them)."]
    if math.isnan(acc["value"]):
        out.append("No positive or negative sentence in the gold received a decision: nothing can be said.")
    elif acc["ci_low"] >= 0.8:
        out.append("That is in the range of trained human coders (accuracy .82–.88 in van Atteveldt, van der Velden "
                   "& Boukes 2021): usable for sentence-level measurement on texts like these.")
    elif acc["value"] >= 0.7:
        out.append("Usable for aggregate comparisons (shares or means over many sentences) only if its errors do not "
                   "differ between the groups compared; not for the tone of single sentences.")
    else:
        out.append("Too weak to stand in for human coding on these texts: do not report its labels as the tone of "
                   "sentences, and report any aggregate built on it together with this validation.")
    if acc["ci_low"] <= 0.5:
        out.append("Its interval includes 50%: it cannot be told apart from a coin toss on this sample.")
    three, base, rho = m.loc["accuracy_3way_cv"], m.loc["majority_class_share"], m.loc["spearman"]
    out.append(f"With a neutral band tuned by cross-validation it puts {_pct(three['value'])} "
               f"[{_pct(three['ci_low'])}, {_pct(three['ci_high'])}] of all gold sentences in the gold's class "
               f"(negative/neutral/positive); always answering the commonest class would score "
               f"{_pct(base['value'])}. Spearman ρ between score and code: {_num(rho['value'], 2)} "
               f"[{_num(rho['ci_low'], 2)}, {_num(rho['ci_high'], 2)}].")
    return out


def precision_verdict(precision: pd.DataFrame) -> list[str]:
    """Plain-language sentences on the precision of the framing terms."""
    overall = precision[precision["level"] == "all"].iloc[0]
    terms = precision[precision["level"] == "term"]
    flagged = terms[terms["flag"].notna() & (terms["flag"] != "")]
    out = [f"Of the framing hits coded yes or no, {_pct(overall['precision'])} [{_pct(overall['ci_low'])}, "
           f"{_pct(overall['ci_high'])}] use the term in its category's sense (weighted to the run's hits; "
           f"n = {int(overall['n_coded'])}, {int(overall['n_unsure'])} coded unsure and left out)."]
    if len(flagged):
        listed = ", ".join(f"{t} ({f})" for t, f in zip(flagged["term"], flagged["flag"], strict=True))
        out.append(f"{len(flagged)} of {len(terms)} terms are flagged (precision below {PRECISION_FLOOR} or fewer "
                   f"than {MIN_CODED} hits coded): {listed}. Their counts mix other senses in; revise or drop them, or "
                   "code more hits before relying on them.")
    else:
        out.append(f"No term is flagged: every term has at least {MIN_CODED} coded hits and precision ≥ "
                   f"{PRECISION_FLOOR}.")
    return out


def agreement_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The verdict on agreement between coders: one sentence per level of α (all coders, else the pair)."""
    agreement = tables.get("agreement")
    if agreement is None:
        return ["Only one coder: agreement between coders cannot be measured, so nothing shows that the codes are "
                "reproducible. The scorers are compared with that one coder's codes."]
    scope = "all" if (agreement["scope"] == "all").any() else "pair"
    return [f"{r.level.capitalize()} {alpha_verdict(r.alpha, r.ci_low, r.ci_high)} ({r.coders}, n = {r.n_units} "
            "units)." for r in agreement[agreement["scope"] == scope].itertuples()]


def verdicts(tables: dict[str, pd.DataFrame], kind: str) -> list[str]:
    """The plain-language verdicts of validation.md, one paragraph each: agreement, then each scorer (sentences) or
    the terms' precision (KWIC)."""
    lines = agreement_lines(tables)
    if kind == "kwic":
        lines += precision_verdict(tables["precision"])
    else:
        perf = tables.get("performance", pd.DataFrame())
        for scorer in perf["scorer"].unique() if len(perf) else []:
            lines.append(" ".join(scorer_verdict(perf, scorer)))
    return lines


def conclusions(kind: str, coded_by: str, single: bool) -> list[str]:
    """What may and may not be concluded, as Markdown list items (validation.md)."""
    may = ("how often each scorer matched the gold on the sentences of this run (weighted to the run), with the "
           "intervals above, and compare the scorers on the same gold" if kind == "sentences" else
           "how often each framing term's hits in this run are used in its category's sense (weighted to the run), "
           "with the intervals above, and which terms to revise")
    lines = [
        f"- **May:** say {may}.",
        "- **May not:** carry these figures over to other outlets, genres, periods or scripts than the run's "
        "documents; a different corpus needs its own sample and coding.",
        f"- **Who coded matters:** {coded_by}. Unless the coders were independent of the authors and trained, do not "
        "call the gold an independent or human-validated standard.",
    ]
    if single:
        lines.append("- **One coder only:** without a second coder, the gold's reliability is unknown.")
    if kind == "sentences":
        lines.append("- The three-class accuracy is cross-validated: the neutral band in thresholds.csv was chosen on "
                     "all gold units, so applying it to this same sample would overstate accuracy.")
    return lines


def _method(provenance: dict, kind: str) -> list[str]:
    p = provenance["parameters"]
    lines = [
        "- Overall figures weight each unit by 1 / its probability of selection (`weight` in sample.csv): a share is "
        "Σ w·hit / Σ w, and its Wilson 95% interval uses the Kish effective sample size (Σ w)² / Σ w² in place of "
        "n (`n_effective`). Figures within one sampling stratum have equal weights, so they are the unweighted ones.",
        f"- α: Krippendorff's alpha (`krippendorff` package, value domain given; ordinal ranks negative < neutral < "
        f"positive); 95% interval: percentile bootstrap over units, {p['bootstrap_resamples']} resamples, seeded.",
    ]
    if kind == "sentences":
        lines += [
            "- Binary: gold positive/negative only; score > 0.5 = positive, < 0.5 = negative, exactly 0.5 (or no "
            "score) = no decision, left out and reported as `coverage_binary`. Wilson intervals for proportions; "
            f"macro-F1 and Spearman ρ (unweighted) with a percentile bootstrap ({p['bootstrap_resamples']} "
            "resamples, seeded).",
            f"- Three classes: the neutral band [low, high] is tuned on {CV_FOLDS}-fold stratified cross-validation "
            "folds (seeded); each unit is predicted by a band chosen without it; the accuracy reported is the "
            "cross-validated one.",
            "- Length bands (characters of the sentence as written): "
            + ", ".join(label for _lo, _hi, label in p["length_bands"]) + ".",
        ]
    else:
        lines.append(f"- Precision = yes / (yes + no), weighted; unsure counted apart; flagged below "
                     f"{p['precision_floor']} or with fewer than {p['min_coded']} hits coded yes or no.")
    return lines


def _table_sections(tables: dict[str, pd.DataFrame], kind: str) -> list[str]:
    out = ["## Coders", "", markdown_table(tables["coders"], 0)]
    if "agreement" in tables:
        cols = ["coders", "level", "alpha", "ci_low", "ci_high", "percent_agreement", "n_units"]
        out += ["## Agreement between coders", "", markdown_table(tables["agreement"][cols])]
    if kind == "kwic":
        cols = ["level", "category", "term", "n_coded", "n_unsure", "precision", "ci_low", "ci_high", "flag"]
        return out + ["## Precision of the framing terms", "", markdown_table(tables["precision"][cols])]
    perf = tables["performance"]
    cols = ["scorer", "measure", "value", "ci_low", "ci_high", "n"]
    out += ["## Performance against the gold", "", markdown_table(perf[cols]) if len(perf) else "(no scorer)\n"]
    if len(tables["thresholds"]):
        out += ["## Neutral band chosen on all gold units (for use on new data)", "",
                markdown_table(tables["thresholds"][["scorer", "model", "low", "high", "n_units", "folds"]])]
    length = tables["length"]
    if len(length):
        cols = ["scorer", "band", "measure", "value", "ci_low", "ci_high", "n"]
        out += ["## Accuracy by sentence length (characters)", "", markdown_table(length[cols])]
    return out


def validation_report(tables: dict[str, pd.DataFrame], kind: str, coded_by: str, notes: list[str],
                      provenance: dict, figures: list[str]) -> str:
    """The whole validation.md."""
    gold = tables["gold"]
    resolution = gold["resolution"].value_counts()
    counts = ", ".join(f"{resolution[r]} {r}" for r in ("unanimous", "majority", "single", "adjudicated")
                       if r in resolution.index)
    sample = provenance["sample"]
    head = [
        "# Validation against human coding", "",
        f"**Who coded:** {coded_by}.", "",
        f"Sample: {kind} (seed {sample.get('seed')}, stratified by {sample.get('stratify')}); coders: "
        f"{', '.join(tables['coders']['coder'])}; gold: {len(gold)} units ({counts or 'none'}), "
        f"{len(tables['unresolved'])} without a strict majority among the coders.", "",
        "## Verdict", "", *(f"- {line}" for line in verdicts(tables, kind)), "",
        "## What may and may not be concluded", "", *conclusions(kind, coded_by, "agreement" not in tables), "",
    ]
    body = _table_sections(tables, kind)
    tail = ["## How the figures were computed", "", *_method(provenance, kind), ""]
    if notes:
        tail += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    if figures:
        tail += ["## Figures", "", *(f"![{f}]({f})" for f in figures), ""]
    return "\n".join([*head, *body, *tail]).rstrip("\n") + "\n"
