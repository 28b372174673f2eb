"""Trained sentiment models: a folder written by `validate train` (or a model shipped in the package, by name), read
and checked, ready for the SnowNLP scorers (`--sentiment-model MODEL|news`).

A model folder holds the model in SnowNLP's own file format (`sentiment.marshal.3`, loadable with
`snownlp.sentiment.Sentiment().load("MODEL/sentiment.marshal")`), `model.json` (its sha256, base, training counts,
versions, …) and `cv.csv` (its cross-validation). `SentimentModel` carries the model file's bytes, so it travels with
the run's options to worker processes and Dask workers, which need no access to the folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..errors import AnalysisError
from .naive_bayes import MODEL_FILE, NaiveBayes, digest, read_data, uncompress

#: model.json's `format`: what this package writes and reads.
MODEL_FORMAT = "zh-news-framing sentiment model 1"
MODEL_JSON = "model.json"
CV_FILE = "cv.csv"
#: Everything `validate train` writes into a model folder.
MODEL_FILES = (MODEL_FILE, MODEL_JSON, CV_FILE)
#: Models shipped inside the package, by the name `--sentiment-model` takes.
NAMED_MODELS = {"news": Path(__file__).resolve().parent / "models" / "news"}


def snownlp_version() -> str:
    """The installed snownlp's version (its model format and segmentation are what a model was trained with)."""
    try:
        return version("snownlp")
    except PackageNotFoundError:
        return "not installed"


@dataclass(frozen=True)
class SentimentModel:
    """A trained SnowNLP sentiment model: its name as given, its file's bytes, and its model.json."""

    name: str  # "news", or the folder as given on the command line
    sha256: str  # of the uncompressed model data
    file_bytes: bytes = field(repr=False)  # the model file (gzip), as written by `validate train`
    info: dict = field(repr=False, compare=False, hash=False)  # model.json

    @property
    def short(self) -> str:
        """The model's id in labels: the first 8 hex digits of its sha256."""
        return self.sha256[:8]

    @property
    def description(self) -> str:
        """What the model is, for tables, figures and reports: e.g. "SnowNLP, retrained on 412 coded news
        sentences (model 3f2a9c1b…)"."""
        what = self.info.get("description") or "SnowNLP, retrained"
        return f"{what} (model {self.short}…)"

    def naive_bayes(self) -> NaiveBayes:
        """The model's counts."""
        return read_data(uncompress(self.file_bytes, self.name), self.name)

    def record(self) -> dict:
        """What manifest.json records of the model."""
        n = self.info.get("n", {})
        return {"path": self.name, "sha256": self.sha256, "base": self.info.get("base"),
                "weight": self.info.get("weight"), "n_negative": n.get("negative"), "n_positive": n.get("positive"),
                "description": self.description}


def model_path(spec: str | os.PathLike) -> tuple[str, Path]:
    """The name to record and the folder of a model given as a shipped name (`news`) or a folder path."""
    text = os.fspath(spec)
    if text in NAMED_MODELS:
        return text, NAMED_MODELS[text]
    return text, Path(text).expanduser()


def load_model(spec: str | os.PathLike) -> SentimentModel:
    """Read and check a model folder, or a shipped model by name; AnalysisError (one line) when it is not a usable
    model: no folder, no model.json, a hash mismatch, or a model trained with another SnowNLP version."""
    name, folder = model_path(spec)
    names = ", ".join(sorted(NAMED_MODELS))
    if not folder.is_dir():
        raise AnalysisError(f"sentiment model {name} not found: give a folder written by `python -m analysis validate "
                            f"train` or a shipped model ({names})")
    try:
        info = json.loads((folder / MODEL_JSON).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnalysisError(f"{folder} is not a sentiment model: it has no {MODEL_JSON} (write one with `python -m "
                            "analysis validate train`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnalysisError(f"cannot read {folder / MODEL_JSON} ({type(exc).__name__}); train the model "
                            "again") from None
    if not isinstance(info, dict) or info.get("format") != MODEL_FORMAT or not isinstance(info.get("sha256"), str):
        raise AnalysisError(f"{folder / MODEL_JSON} is not the description of a sentiment model written by `validate "
                            "train`; train the model again")
    trained_with = str(info.get("versions", {}).get("snownlp"))
    if trained_with != snownlp_version():
        raise AnalysisError(f"the sentiment model {name} was trained with snownlp {trained_with}, but snownlp "
                            f"{snownlp_version()} is installed; train it again with this snownlp (or install "
                            f"snownlp {trained_with})")
    try:
        file_bytes = (folder / MODEL_FILE).read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read the model file {folder / MODEL_FILE} ({exc.strerror}); train the model "
                            "again") from None
    data = uncompress(file_bytes, str(folder / MODEL_FILE))
    if digest(data) != info["sha256"]:
        raise AnalysisError(f"{folder / MODEL_FILE} does not match the sha256 in {MODEL_JSON} (the file was changed or "
                            "damaged); train the model again")
    read_data(data, str(folder / MODEL_FILE))  # its structure, before any scorer builds on it
    return SentimentModel(name, info["sha256"], file_bytes, info)


def resolve_model(model: str | os.PathLike | SentimentModel | None) -> SentimentModel | None:
    """A loaded model from a name, a folder or a model (None stays None: SnowNLP's own model)."""
    if model is None or isinstance(model, SentimentModel):
        return model
    return load_model(model)
