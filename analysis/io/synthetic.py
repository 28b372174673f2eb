"""Test and benchmark corpora made from a real article: its body sentences and headings, shuffled reproducibly."""

from __future__ import annotations

import random
from collections.abc import Iterator

from ..config import DEFAULT_HEADINGS
from ..errors import AnalysisError
from ..stats.bootstrap import derive_seed
from ..text.segment import segment


def synthetic_articles(source: str, n: int, seed: int = 0, sentences: tuple[int, int] = (12, 36),
                       outlets: tuple[str, ...] = ("甲報", "乙網", "丙社")) -> Iterator[dict]:
    """`n` articles made of a real article's body sentences and headings, reproducibly (for tests and benchmarks).

    Each is a dict with id, text, title, outlet and date: a title line, then 2–3 headed sections of short
    paragraphs, with a number of sentences drawn uniformly from `sentences`.
    """
    seg = segment(source, DEFAULT_HEADINGS)
    body = [t if t[-1] in "。！？!?；;”」』）)" else t + "。" for t in (s.text.strip() for s in seg.sentences) if t]
    headings = [sec.heading for sec in seg.sections[1:] if sec.heading] or ["正文"]
    if not body:
        raise AnalysisError("the source article has no body sentences to build articles from")
    width = len(str(n))
    for i in range(n):
        rng = random.Random(derive_seed("synthetic", seed, i))
        picked = rng.choices(body, k=rng.randint(*sentences))
        n_sections = rng.randint(2, 3)
        cuts = sorted(rng.sample(range(1, len(picked)), n_sections - 1))
        parts = [picked[a:b] for a, b in zip([0, *cuts], [*cuts, len(picked)], strict=True)]
        title = f"{rng.choice(headings)}（{i + 1}）"
        lines = [title, ""]
        for k, part in enumerate(parts):
            if k:
                lines += [rng.choice(headings), ""]
            for p in range(0, len(part), 3):
                lines += ["".join(part[p:p + 3]), ""]
        yield {"id": f"a{str(i + 1).zfill(width)}", "text": "\n".join(lines), "title": title,
               "outlet": outlets[i % len(outlets)], "date": f"2026-02-{1 + rng.randrange(28):02d}"}
