"""Sentiment and framing analysis of Chinese-language news, one folder per step (README, "Architecture").

Short names for notebooks and scripts: `from analysis import api, figures, explore, report` and the like. Each is
imported only when first asked for, so that `import analysis.config` (a worker process, the scorer's cache build)
loads nothing else.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Short name → module, for `from analysis import NAME`.
SHORT_NAMES = {
    "figures": "analysis.present.figures",
    "explore": "analysis.present.explore",
    "report": "analysis.present.report",
    "method_checks": "analysis.sentiment.method_checks",
    "framing_effect": "analysis.stats.framing_effect",
    "groups": "analysis.stats.groups",
    "differences": "analysis.stats.differences",
    "periods": "analysis.stats.periods",
    "comparison_figures": "analysis.present.comparison",
    "compare": "analysis.commands.compare",
    "agreement": "analysis.stats.agreement",
    "validation_views": "analysis.validation.views",
    "validation_figures": "analysis.validation.plots",
}


def __getattr__(name: str) -> ModuleType:
    """The module behind a short name (PEP 562), imported on first use."""
    if name in SHORT_NAMES:
        return importlib.import_module(SHORT_NAMES[name])
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
