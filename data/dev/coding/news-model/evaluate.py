"""How the shipped news model (`analysis/sentiment/models/news`, `--sentiment-model news`) is evaluated: on the
`evaluate` part of the development corpus (never used to train or tune it) and by cross-validation on the `revise`
part (its training data), against SnowNLP's own model and the HowNet lexicon scorer, overall, by script and by
outlet. Writes evaluation.csv and evaluation.md beside this file.

    .venv/bin/python data/dev/coding/news-model/evaluate.py

The codes are the package's authors' (see data/dev/coding/README.md), not an independent gold standard.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io.tables import read_table, write_csv
from analysis.sentiment.snowfast.model import SnowNLPFast
from analysis.sentiment.trained import load_model
from analysis.validation.train import COMPARISON_COLUMNS, compare_scores, cross_validate, read_gold

HERE = Path(__file__).resolve().parent
CODING = HERE.parent
MODELS = {"SnowNLP (stock)": "stock", "news model": "news", "HowNet lexicon": "sentiment_lexicon"}


def with_meta(gold: pd.DataFrame, sample_dir: Path) -> pd.DataFrame:
    """Gold units with their article's split, script and outlet (from the sample's key)."""
    meta = read_table(sample_dir / "sample.csv").set_index("unit")[["meta_split", "meta_script", "meta_outlet"]]
    out = gold.join(meta, on="unit")
    return out.rename(columns={"meta_split": "split", "meta_script": "script", "meta_outlet": "outlet"})


def comparisons(frame: pd.DataFrame, part: str) -> pd.DataFrame:
    """Every model overall, by script and by outlet."""
    tables = [compare_scores(frame, MODELS)]
    for by in ("script", "outlet"):
        t = compare_scores(frame, MODELS, by=by)
        tables.append(t[t["group"] != "all"])
    return pd.concat(tables, ignore_index=True).assign(part=part)[["part", *COMPARISON_COLUMNS]]


def evaluate_part(news: SnowNLPFast, stock: SnowNLPFast) -> pd.DataFrame:
    """The held-out test: the evaluate part's gold units of the 2,400-sentence sample."""
    gold = read_table(CODING / "sentiment-2400" / "validation" / "gold.csv")
    gold = with_meta(gold, CODING / "sentiment-2400" / "sample")
    gold = gold[gold["split"] == "evaluate"].reset_index(drop=True)
    texts = gold["text_scored"].tolist()
    frame = pd.DataFrame({"label": gold["code"], "stock": stock.score(texts), "news": news.score(texts),
                          "sentiment_lexicon": gold["sentiment_lexicon"], "script": gold["script"],
                          "outlet": gold["outlet"]})
    if not (frame["stock"].to_numpy() == gold["sentiment"].to_numpy()).all():
        raise SystemExit("the stock scores differ from those of the run the sample was drawn from")
    return comparisons(frame, "evaluate")


def cv_part(info: dict, stock: SnowNLPFast) -> pd.DataFrame:
    """Cross-validation on the revise part, as `validate train` ran it for the shipped model (same folds, weight)."""
    gold = read_gold(CODING / "sentiment-revise" / "validation" / "gold.csv")
    tokens = stock.token_lists(gold.frame["text"].tolist())
    from analysis.sentiment import naive_bayes as nb

    base = nb.stock_model() if info["base"] == "snownlp" else None
    cv = cross_validate(tokens, gold.frame, base, [info["weight"]], info["cv"]["folds"], info["cv"]["seed"])
    scores = cv.scores.rename(columns={f"trained_{info['weight']}": "news"})
    meta = with_meta(scores, CODING / "sentiment-revise" / "sample")
    return comparisons(meta, "cv_revise")


def markdown(table: pd.DataFrame) -> str:
    """The comparison as Markdown tables, one per part and grouping."""
    out = ["# The news model against SnowNLP's model and the lexicon scorer",
           "", "Made by `evaluate.py` (this folder). Codes by the package's authors (data/dev/coding/README.md). "
           "Binary accuracy and macro-F1: positive and negative gold sentences that get a decision, score > 0.5 = "
           "positive, < 0.5 negative (Wilson / bootstrap 95% intervals); coverage: the share of them with a decision "
           "(the lexicon scores 0.5 when it finds no sentiment word); ρ: Spearman against negative < neutral < "
           "positive, all gold sentences. Unweighted.", ""]
    for part, title in (("evaluate", "Evaluate part (held out: never used to train or tune)"),
                        ("cv_revise", "5-fold cross-validation on the revise part (each fold's model never saw it)")):
        for group in ("all", "script", "outlet"):
            t = table[(table["part"] == part) & (table["group"] == group)]
            out += [f"## {title}: {'overall' if group == 'all' else 'by ' + group}", "",
                    "| " + ("" if group == "all" else f"{group} | ") + "model | accuracy | macro-F1 | ρ | coverage "
                    "| n (pos/neg) | n (all) |", "|" + "---|" * (7 if group == "all" else 8)]
            for (level, model), g in t.groupby(["level", "model"], sort=False):
                m = g.set_index("measure")

                def cell(name: str, m: pd.DataFrame = m) -> str:
                    r = m.loc[name]
                    if pd.isna(r["value"]):
                        return "–"
                    ci = "" if pd.isna(r["ci_low"]) else f" [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
                    return f"{r['value']:.2f}{ci}"

                lead = "" if group == "all" else f"{level} | "
                out.append(f"| {lead}{model} | {cell('accuracy_binary')} | {cell('macro_f1_binary')} | "
                           f"{cell('spearman')} | {m.loc['coverage_binary', 'value']:.2f} | "
                           f"{int(m.loc['coverage_binary', 'n'])} | {int(m.loc['spearman', 'n'])} |")
            out.append("")
    return "\n".join(out)


def main() -> None:
    """Score, compare, write evaluation.csv and evaluation.md."""
    model = load_model("news")
    stock, news = SnowNLPFast(), SnowNLPFast(model=model)
    table = pd.concat([evaluate_part(news, stock), cv_part(model.info, stock)], ignore_index=True)
    write_csv(table, HERE / "evaluation.csv")
    (HERE / "evaluation.md").write_text(markdown(table) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
