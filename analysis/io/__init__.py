"""Step 4, tables on disk: inputs (files, folders, globs, CSV/JSONL tables, metadata), tables (CSV out and back, the
one reader of a run folder), files (paths, atomic writes, locks), provenance (versions, manifest.json), synthetic
(test corpora)."""
