"""The colours of every figure and page, once: Okabe–Ito, safe for colour-vision deficiencies."""

from __future__ import annotations

BLUE, ORANGE, GREY, VERMILION = "#0072B2", "#E69F00", "#999999", "#D55E00"
GREEN, PURPLE, SKY_BLUE, BLACK, YELLOW = "#009E73", "#CC79A7", "#56B4E9", "#000000", "#F0E442"
#: Notes on a figure (why an axis or a row is empty, labels of points).
NOTE_GREY = "#444444"
#: The shaded bands behind every other section of the sentiment arc.
BAND_GREY = "#F2F2F2"
#: Text of the reading view.
TEXT_COLOUR = "#1a1a1a"
#: Groups of documents in the corpus figures (cycled with markers beyond eight groups).
GROUP_COLOURS = (BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY_BLUE, BLACK, YELLOW)
#: Framing categories in the reading view (each with a second, non-colour cue: the underline's style).
CATEGORY_COLOURS = (VERMILION, GREEN, PURPLE, BLACK, SKY_BLUE)
#: Gold codes in the validation figures.
CODE_COLOURS = {"negative": VERMILION, "neutral": GREY, "positive": BLUE}
