"""How tables, reports and figures name a run's scores (no drawing here, so the run command can use it too)."""

from __future__ import annotations

#: Axis labels of the known score columns.
SCORE_LABELS = {
    "sentiment": "SnowNLP P(positive)",
    "sentiment_lexicon": "HowNet lexicon score (P+1)/(P+N+2)",
}


def score_label(parameters: dict) -> str:
    """How figures and reports name a run's main score (`sentiment`), from manifest.json's parameters: SnowNLP's,
    with the trained model that scored when there is one, or another scorer's."""
    scorer = str(parameters.get("scorer", "snownlp"))
    model = parameters.get("sentiment_model")
    if scorer.startswith("snownlp"):
        if isinstance(model, dict) and model.get("description"):
            return f"P(positive) of {model['description']}"
        return SCORE_LABELS["sentiment"]
    return SCORE_LABELS.get(f"sentiment_{scorer.replace('-', '_')}", f"{scorer} score")
