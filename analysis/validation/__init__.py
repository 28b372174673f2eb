"""Validation against human coding (issue 14): draw a sample from a run, write blind coding sheets, score codes.

`sample` draws the units (sentences or framing hits) and `sheets` / `page` write what coders see; `design` holds the
pure sampling design. `python -m analysis validate sample` is the command line (`cli`).
"""
