"""The kernel's calling convention, shared by the process that compiles it (kernel.py) and the one that calls it
(model.py) without either importing the other."""

from __future__ import annotations

import numpy as np

#: Every array the kernel takes, in order, with its dtype (2-D arrays are passed flat).
KERNEL_ARGS: tuple[tuple[str, type], ...] = (
    ("cps", np.int32), ("text_bounds", np.int64), ("space", np.uint8),
    ("known", np.uint8), ("uni_lp", np.float64), ("pair_ptr", np.int32), ("pair_c0", np.uint16),
    ("pe_ptr", np.int32), ("pe_code", np.int8), ("pe_val", np.float64), ("tri_ptr", np.int32),
    ("tri_c2", np.uint16), ("te_ptr", np.int32), ("te_code", np.int8), ("te_val", np.float64),
    ("word_slots", np.int32), ("word_ptr", np.int64), ("word_cps", np.int32), ("word_code", np.int32),
    ("bayes_base", np.float64), ("bayes_default", np.float64), ("bayes_vals", np.float64),
    ("sums", np.float64), ("tok_start", np.int64), ("tok_end", np.int64),
    ("back", np.int8), ("tags", np.int8), ("lp2", np.float64), ("lp3", np.float64), ("first", np.float64),
    ("score", np.float64), ("new", np.float64), ("acc", np.float64),
)
