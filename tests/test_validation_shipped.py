"""The shipped codes' validation/ folders are what `validate score` (`make validation`) writes now, when the
installed versions are those recorded in them."""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT

SHIPPED = {"sentences": ROOT / "data/dev/coding/sentiment-2400/validation",
           "kwic": ROOT / "data/lexicons/audit/revise/validation"}


@pytest.mark.parametrize("unit", list(SHIPPED))
def test_the_committed_validation_folders_are_current(shipped_validation, unit):
    committed, fresh = SHIPPED[unit], shipped_validation[unit]
    recorded = json.loads((committed / "validation.json").read_text(encoding="utf-8"))["versions"]
    now = json.loads((fresh / "validation.json").read_text(encoding="utf-8"))["versions"]
    diffs = [f"{k}: committed {v}, installed {now.get(k)}" for k, v in recorded.items() if now.get(k) != v]
    if diffs:
        pytest.skip("installed versions differ from those of the committed validation, so bytes may differ: "
                    + "; ".join(diffs))
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for f in files:
        assert (committed / f).read_bytes() == (fresh / f).read_bytes(), f"{committed / f} is stale: make validation"
