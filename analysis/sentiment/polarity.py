"""Polarity from a neutral band (`--neutral-band LOW,HIGH`): a score below LOW is negative, above HIGH positive, and
within [LOW, HIGH] neutral, the rule `validate score` tunes its band with (`validation.performance.band_prediction`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import AnalysisError

POLARITIES = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class NeutralBand:
    """A neutral band [low, high] on the score scale, and where it came from (for manifest.json)."""

    low: float
    high: float
    source: str = "--neutral-band"

    def record(self) -> dict:
        """What manifest.json records."""
        return {"low": self.low, "high": self.high, "source": self.source}


def check_band(low: float, high: float, source: str) -> NeutralBand:
    """A band with 0 ≤ low ≤ high ≤ 1, else a one-line error."""
    if not (0.0 <= low <= high <= 1.0):
        raise AnalysisError(f"the neutral band of {source} must be LOW,HIGH with 0 ≤ LOW ≤ HIGH ≤ 1, not {low},{high}")
    return NeutralBand(float(low), float(high), source)


def parse_band(text: str) -> NeutralBand:
    """`--neutral-band LOW,HIGH`, e.g. 0.3,0.7."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise AnalysisError(f"--neutral-band must be LOW,HIGH (e.g. 0.3,0.7) or the thresholds.csv of `validate "
                            f"score`, not {text!r}") from None
    if math.isnan(low) or math.isnan(high):
        raise AnalysisError(f"--neutral-band must be two numbers, not {text!r}")
    return check_band(low, high, f"--neutral-band {text}")


def polarity(scores: Sequence[float], band: NeutralBand) -> list[str | None]:
    """Each score's polarity: negative below band.low, positive above band.high, else neutral; None for NaN."""
    out: list[str | None] = []
    for s in scores:
        if s is None or math.isnan(s):
            out.append(None)
        else:
            out.append("negative" if s < band.low else "positive" if s > band.high else "neutral")
    return out


def polarity_shares(polarities: Sequence[str | None]) -> dict[str, float]:
    """share_polarity_negative / _neutral / _positive: the share of scored sentences in each class (NaN if none)."""
    scored = [p for p in polarities if isinstance(p, str)]
    return {f"share_polarity_{c}": (sum(p == c for p in scored) / len(scored) if scored else math.nan)
            for c in POLARITIES}
