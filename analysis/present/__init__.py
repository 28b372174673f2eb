"""Step 5, for readers: figures (DataFrames → figures) in the house style (style, palette, fonts), which figures a
run gets (render), sections.md/.tex (report), the reading view (html, layout), views for notebooks (explore)."""
