"""Step 2c, statistics over scores and counts, pure: seeds and the percentile bootstrap (bootstrap), section and
document summaries (summary), groups of documents (groups), sentences with vs without framing terms
(framing_effect), two scorers side by side (agreement)."""
