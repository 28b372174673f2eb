"""The committed data/processed/ and figures/ are what the code produces now (when versions match the lock)."""

from __future__ import annotations

import json
import re
from importlib.metadata import version

import pytest

from analysis import config
from analysis.io.provenance import package_versions

from .conftest import ROOT, run_cli


def _locked() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)$", line.strip())
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def _version_mismatch() -> list[str]:
    """Installed versions that differ from the lock or from those recorded with the committed outputs."""
    committed = json.loads((config.PROCESSED_DATA_DIR / "manifest.json").read_text(encoding="utf-8"))["versions"]
    now = package_versions()
    locked = _locked()
    diffs = [f"{k}: committed {v}, installed {now.get(k)}" for k, v in committed.items()
             if k != "zh-news-framing" and now.get(k) != v]
    for name in ("matplotlib", "numpy", "pandas", "snownlp", "opencc", "seaborn", "pillow", "fonttools"):
        if locked.get(name) != version(name):
            diffs.append(f"{name}: locked {locked.get(name)}, installed {version(name)}")
    return diffs


def test_regenerated_tables_and_figures_equal_the_committed_ones(tmp_path):
    diffs = _version_mismatch()
    if diffs:
        pytest.skip("installed versions differ from the lock, so bytes may differ: " + "; ".join(diffs))
    out, figs = tmp_path / "processed", tmp_path / "figures"
    r = run_cli("run", "--out", str(out))
    assert r.returncode == 0, r.stderr
    for f in sorted(config.PROCESSED_DATA_DIR.iterdir()):
        if (out / f.name).exists():
            assert (out / f.name).read_bytes() == f.read_bytes(), f"data/processed/{f.name} is stale: run make figures"
    assert {p.name for p in out.iterdir()} <= {p.name for p in config.PROCESSED_DATA_DIR.iterdir()}
    r = run_cli("figures", "--data", str(out), "--out", str(figs))
    assert r.returncode == 0, r.stderr
    r = run_cli("html", "--data", str(out), "--out", str(figs))
    assert r.returncode == 0, r.stderr
    for f in sorted(figs.rglob("*")):
        if f.is_file():
            committed = config.FIGURES_DIR / f.relative_to(figs)
            assert committed.exists() and committed.read_bytes() == f.read_bytes(), f"{committed} is stale"


def test_environment_yml_names_the_same_runtime_dependencies_as_pyproject():
    import tomllib

    import yaml

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~ ]", d)[0].lower() for d in deps}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pinned = {p.split("==")[0].lower(): p.split("==")[1] for p in pip}
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert set(pinned) == names | {d.lower() for d in dev["dev"]}
    locked = _locked()
    for name, v in pinned.items():
        assert locked[name.split("[")[0]] == v, f"environment.yml pins {name}=={v}, the lock has {locked[name]}"
