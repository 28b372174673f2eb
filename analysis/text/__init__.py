"""Step 1, text in: bytes → normalised text (decode), script conversion (script), title, sections, paragraphs,
sentences and metadata with character offsets (segment)."""
