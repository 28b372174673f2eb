"""`run --sentiment-model` and `--neutral-band` (issue 15): the scores are SnowNLP's with the model, in every mode
(here, --jobs, Dask: the model's bytes travel with the options); the outputs say which model scored; polarity
follows the band; bad models and bad coded files are one-line errors with nothing written."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from snownlp.sentiment import Sentiment

from analysis import config
from analysis.cli import main
from analysis.io.synthetic import synthetic_articles
from analysis.io.tables import read_table
from analysis.sentiment import naive_bayes as nb
from analysis.sentiment.snowfast.model import snownlp_dir
from analysis.sentiment.trained import load_model
from analysis.text.decode import read_text

from .conftest import ARTICLE, run_cli


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (snownlp_dir() / "sentiment" / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """A coded file of SnowNLP's reviews (30 negative, 30 positive, 10 neutral) and the model trained on it."""
    root = tmp_path_factory.mktemp("coded")
    neg, pos = _lines("neg.txt")[100:130], _lines("pos.txt")[100:130]
    pd.DataFrame({"text_scored": neg + pos + _lines("pos.txt")[200:210],
                  "code": ["negative"] * 30 + ["positive"] * 30 + ["neutral"] * 10}).to_csv(root / "coded.csv",
                                                                                            index=False)
    r = run_cli("validate", "train", "--gold", str(root / "coded.csv"), "--out", str(root / "model"),
                "--weight", "5", "--resamples", "100")
    assert r.returncode == 0, r.stderr
    assert "vs stock" in r.stderr and "n = 60" in r.stderr  # the one-paragraph summary
    by_hand = Sentiment()
    by_hand.load()
    by_hand.train(neg * 5, pos * 5)
    return {"root": root, "model": root / "model", "by_hand": by_hand}


@pytest.fixture(scope="module")
def model_run(tmp_path_factory, coded):
    out = tmp_path_factory.mktemp("run") / "out"
    r = run_cli("run", str(ARTICLE), "--out", str(out), "--sentiment-model", str(coded["model"]),
                "--neutral-band", "0.2,0.8")
    assert r.returncode == 0, r.stderr
    return out


def test_a_run_scores_with_the_model_as_snownlp_loaded_with_it(model_run, coded, article_run):
    sentences = read_table(model_run / "sentences.csv")
    scored = sentences[sentences["sentiment"].notna()]
    assert scored["sentiment"].tolist() == [coded["by_hand"].classify(t) for t in scored["text_scored"]]
    stock = read_table(article_run / "sentences.csv")
    assert (stock["sentiment"] != sentences["sentiment"]).sum() > 50  # the model made a difference


def test_the_manifest_and_the_reports_name_the_model(model_run, coded, article_run):
    model = load_model(coded["model"])
    params = json.loads((model_run / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    rec = params["sentiment_model"]
    assert rec["sha256"] == model.sha256 and rec["base"] == "snownlp" and rec["weight"] == 5
    assert rec["path"] == str(coded["model"]) and rec["n_negative"] == rec["n_positive"] == 30
    assert params["neutral_band"] == {"low": 0.2, "high": 0.8, "source": "--neutral-band 0.2,0.8"}
    for name in ("sections.md", "sections.tex"):
        text = (model_run / name).read_text(encoding="utf-8")
        assert "retrained on 60 coded sentences" in text and f"model {model.sha256[:8]}" in text
    docs = read_table(model_run / "documents.csv")
    assert docs["sentiment_model"].tolist() == [model.description]
    cols = list(docs.columns)
    assert cols.index("sentiment_model") == cols.index("metadata") + 1  # the standard columns' last; meta_… follow
    assert "sentiment_model" not in read_table(article_run / "documents.csv").columns
    stock_params = json.loads((article_run / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert "sentiment_model" not in stock_params and "neutral_band" not in stock_params
    assert "retrained" not in (article_run / "sections.md").read_text(encoding="utf-8")


def test_figures_and_the_reading_view_name_the_model(model_run, coded, tmp_path):
    from analysis.io.tables import load_run
    from analysis.present.render import document_figures

    short = load_model(coded["model"]).sha256[:8]
    run = load_run(model_run)
    figs = document_figures(run, run.documents["document"].iloc[0])
    assert short in figs["sentiment_by_section"].axes[0].get_xlabel()
    assert short in figs["sentiment_arc"].axes[0].get_ylabel().replace("\n", " ")
    assert main(["html", "--data", str(model_run), "--out", str(tmp_path / "pages")]) == 0
    page = next((tmp_path / "pages").glob("*.html")).read_text(encoding="utf-8")
    assert f"model {short}" in page and "retrained on 60 coded sentences" in page


def test_polarity_follows_the_band_and_the_shares_add_up(model_run):
    sentences = read_table(model_run / "sentences.csv")
    s = sentences["sentiment"]
    expected = np.where(s.isna(), None, np.where(s < 0.2, "negative", np.where(s > 0.8, "positive", "neutral")))
    assert sentences["polarity"].where(sentences["polarity"].notna(), None).tolist() == expected.tolist()
    assert list(sentences.columns).index("polarity") == list(sentences.columns).index("sentiment") + 1
    sections = read_table(model_run / "sections.csv")
    for row in sections.itertuples():
        part = sentences[(sentences["section"] == row.section) & sentences["sentiment"].notna()]
        for c in ("negative", "neutral", "positive"):
            assert math.isclose(getattr(row, f"share_polarity_{c}"), (part["polarity"] == c).mean())
    doc = read_table(model_run / "documents.csv").iloc[0]
    assert math.isclose(doc[["share_polarity_negative", "share_polarity_neutral", "share_polarity_positive"]].sum(), 1)
    assert math.isclose(doc["share_polarity_positive"], (sentences["polarity"] == "positive").mean())


def _thresholds(path, rows):
    pd.DataFrame(rows, columns=["scorer", "model", "model_sha256", "converter", "low", "high", "n_units", "folds",
                                "package_version"]).to_csv(path, index=False)


def test_the_band_is_taken_from_thresholds_csv_by_scorer_and_model_hash(coded, tmp_path):
    from analysis.validation.score import band_from_thresholds

    model = load_model(coded["model"])
    path = tmp_path / "thresholds.csv"
    _thresholds(path, [["sentiment", "snownlp", "", "t2s", 0.1, 0.9, 50, 5, "0.1.0"],
                       ["sentiment", "snownlp", model.sha256, "t2s", 0.3, 0.6, 50, 5, "0.1.0"],
                       ["sentiment_lexicon", "lexicon", "", "t2s", 0.4, 0.7, 50, 5, "0.1.0"]])
    assert (band_from_thresholds(path, "snownlp", model).low, band_from_thresholds(path, "snownlp", model).high) \
        == (0.3, 0.6)
    assert band_from_thresholds(path, "snownlp", None).low == 0.1
    assert band_from_thresholds(path, "snownlp-reference", model).high == 0.6  # the same scores, the same band
    assert band_from_thresholds(path, "lexicon", None).low == 0.4
    out = tmp_path / "out"
    r = run_cli("run", str(ARTICLE), "--out", str(out), "--sentiment-model", str(coded["model"]),
                "--neutral-band", str(path))
    assert r.returncode == 0, r.stderr
    params = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert params["neutral_band"]["low"] == 0.3 and "thresholds.csv" in params["neutral_band"]["source"]
    _thresholds(path, [["sentiment", "snownlp", "", "t2s", 0.1, 0.9, 50, 5, "0.1.0"]])
    r = run_cli("run", str(ARTICLE), "--out", str(tmp_path / "none"), "--sentiment-model", str(coded["model"]),
                "--neutral-band", str(path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "no band for the snownlp scorer with the sentiment model" in r.stderr
    assert not (tmp_path / "none").exists()


def test_an_older_thresholds_csv_without_model_hashes_serves_snownlp_s_own_model(tmp_path):
    from analysis.validation.score import band_from_thresholds

    shipped = config.PROJ_ROOT / "data" / "dev" / "coding" / "sentiment-2400" / "validation" / "thresholds.csv"
    path = tmp_path / "thresholds.csv"
    shutil.copy(shipped, path)
    band = band_from_thresholds(path, "snownlp", None)
    want = pd.read_csv(path).iloc[0]
    assert (band.low, band.high) == (want["low"], want["high"])


def test_validate_score_records_the_model_hash_in_thresholds_csv(model_run, coded, tmp_path):
    assert main(["validate", "sample", "--data", str(model_run), "--out", str(tmp_path / "sample"), "--n", "40"]) == 0
    units = read_table(tmp_path / "sample" / "sample.csv")["unit"]
    codes = ["negative", "neutral", "positive"] * 14
    for coder in ("a", "b"):
        pd.DataFrame({"unit": units, "code": codes[:len(units)]}).to_csv(tmp_path / f"{coder}.csv", index=False)
    assert main(["validate", "score", "--sample", str(tmp_path / "sample"), "--codes", str(tmp_path / "a.csv"),
                 str(tmp_path / "b.csv"), "--out", str(tmp_path / "val"), "--resamples", "100"]) == 0
    thresholds = pd.read_csv(tmp_path / "val" / "thresholds.csv")
    assert thresholds["model_sha256"].tolist() == [load_model(coded["model"]).sha256]
    r = run_cli("run", str(ARTICLE), "--out", str(tmp_path / "again"), "--sentiment-model", str(coded["model"]),
                "--neutral-band", str(tmp_path / "val" / "thresholds.csv"))
    assert r.returncode == 0, r.stderr


def test_the_reference_scorer_honours_the_model(model_run, coded, tmp_path):
    out = tmp_path / "ref"
    r = run_cli("run", str(ARTICLE), "--out", str(out), "--sentiment-model", str(coded["model"]),
                "--neutral-band", "0.2,0.8", "--scorer", "snownlp-reference")
    assert r.returncode == 0, r.stderr
    for name in ("documents.csv", "sections.csv", "sentences.csv", "sections.md"):
        assert (out / name).read_bytes() == (model_run / name).read_bytes(), name


# --- every mode: the model's bytes travel with the options --------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    for a in synthetic_articles(read_text(config.DEMO_ARTICLE), 4, seed=3, sentences=(3, 6)):
        (root / "in").mkdir(exist_ok=True)
        (root / "in" / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
    return root


def test_jobs_and_dask_give_the_same_bytes_with_a_model(corpus, coded, monkeypatch):
    model = str(coded["model"])
    outs = {}
    for name, extra in (("one", []), ("two", ["--jobs", "2"])):
        r = run_cli("run", "in", "--out", name, "--sentiment-model", model, "--quiet", *extra, cwd=corpus)
        assert r.returncode == 0, r.stderr
        outs[name] = {p.name: p.read_bytes() for p in sorted((corpus / name).iterdir())}
    assert outs["one"] == outs["two"]
    distributed = pytest.importorskip("distributed")

    def no_folder(*args, **kwargs):
        raise AssertionError("a Dask worker read the model folder")

    monkeypatch.setattr("analysis.sentiment.trained.load_model", no_folder)  # the worker runs in this process
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        r = run_cli("run", "in", "--out", "dask", "--sentiment-model", model, "--quiet", "--scheduler",
                    cluster.scheduler_address, cwd=corpus)
    assert r.returncode == 0, r.stderr
    assert {p.name: p.read_bytes() for p in sorted((corpus / "dask").iterdir())} == outs["one"]
    scored = read_table(corpus / "one" / "sentences.csv")
    assert scored["sentiment"].tolist() == [coded["by_hand"].classify(t) for t in scored["text_scored"]]


def test_the_api_scores_with_a_model_and_a_band(coded):
    from analysis import api

    tables = api.analyse_file(sentiment_model=coded["model"], neutral_band=(0.2, 0.8))
    s = tables.sentences
    assert s["sentiment"].tolist() == [coded["by_hand"].classify(t) for t in s["text_scored"]]
    assert set(s["polarity"]) <= {"negative", "neutral", "positive"}
    news = api.analyse_file(sentiment_model="news").sentences
    assert news["sentiment"].tolist() != s["sentiment"].tolist()


# --- bad input ----------------------------------------------------------------------------------------------------


def _refused(capsys, argv: list[str], out) -> str:
    status = main(argv)
    err = capsys.readouterr().err.strip()
    assert status == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "Traceback" not in err
    assert not out.exists()
    return err


def _train(tmp_path, frame: pd.DataFrame, name: str = "g.csv") -> list[str]:
    frame.to_csv(tmp_path / name, index=False)
    return ["validate", "train", "--gold", str(tmp_path / name), "--out", str(tmp_path / "m"), "--resamples", "100"]


def test_bad_coded_files_are_one_line_errors_and_nothing_is_written(tmp_path, capsys):
    neg, pos = _lines("neg.txt")[:25], _lines("pos.txt")[:25]
    good = pd.DataFrame({"text": neg + pos, "label": ["neg"] * 25 + ["pos"] * 25})
    err = _refused(capsys, _train(tmp_path, good.rename(columns={"text": "sentence"})), tmp_path / "m")
    assert "no text_scored or text column" in err
    err = _refused(capsys, _train(tmp_path, good.rename(columns={"label": "tone"})), tmp_path / "m")
    assert "no label or code column" in err
    bad = good.copy()
    bad.loc[7, "label"] = "mixed"
    err = _refused(capsys, _train(tmp_path, bad), tmp_path / "m")
    assert "row 9" in err and "'mixed'" in err
    err = _refused(capsys, _train(tmp_path, good[good["label"] == "pos"]), tmp_path / "m")
    assert "no negative sentence" in err
    few = pd.concat([good.iloc[:12], good.iloc[25:]])
    err = _refused(capsys, _train(tmp_path, few), tmp_path / "m")
    assert "only 12 negative" in err and "cross-validation needs at least 20" in err
    err = _refused(capsys, _train(tmp_path, good) + ["--folds", "30"], tmp_path / "m")
    assert "only 25 negative, 25 positive" in err and "at least 30" in err
    err = _refused(capsys, _train(tmp_path, good) + ["--weight", "0"], tmp_path / "m")
    assert "--weight" in err
    err = _refused(capsys, _train(tmp_path, good) + ["--weight", "2.5"], tmp_path / "m")
    assert "--weight" in err
    err = _refused(capsys, ["validate", "train", "--gold", str(tmp_path / "missing.csv"), "--out",
                            str(tmp_path / "m")], tmp_path / "m")
    assert "not found" in err


def test_a_failed_training_keeps_the_previous_model(tmp_path, capsys, coded):
    shutil.copytree(coded["model"], tmp_path / "m")
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}
    bad = pd.DataFrame({"text": ["很好"] * 3, "label": ["pos", "neg", "pos"]})
    assert main(_train(tmp_path, bad)) == 2
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before


def test_bad_models_are_one_line_errors(tmp_path, capsys, coded):
    def refused(model) -> str:
        return _refused(capsys, ["run", str(ARTICLE), "--out", str(tmp_path / "out"), "--sentiment-model",
                                 str(model)], tmp_path / "out")

    assert "not found" in refused(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    assert "no model.json" in refused(tmp_path / "empty")
    changed = tmp_path / "changed"
    shutil.copytree(coded["model"], changed)
    data = nb.model_data(nb.train([["坏"]], [["好"]]))
    (changed / nb.MODEL_FILE).write_bytes(nb.gzip_model(data))
    assert "does not match the sha256" in refused(changed)
    other = tmp_path / "other"
    shutil.copytree(coded["model"], other)
    info = json.loads((other / "model.json").read_text(encoding="utf-8"))
    info["versions"]["snownlp"] = "0.11.0"
    (other / "model.json").write_text(json.dumps(info), encoding="utf-8")
    err = refused(other)
    assert "snownlp 0.11.0" in err and "snownlp 0.12.3 is installed" in err
    err = _refused(capsys, ["run", str(ARTICLE), "--out", str(tmp_path / "out"), "--sentiment-model",
                            str(coded["model"]), "--scorer", "lexicon"], tmp_path / "out")
    assert "SnowNLP scorers" in err
    err = _refused(capsys, ["run", str(ARTICLE), "--out", str(tmp_path / "out"), "--neutral-band", "0.8,0.2"],
                   tmp_path / "out")
    assert "LOW ≤ HIGH" in err
    err = _refused(capsys, ["run", str(ARTICLE), "--out", str(tmp_path / "out"), "--neutral-band", "low"],
                   tmp_path / "out")
    assert "LOW,HIGH" in err
