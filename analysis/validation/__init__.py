"""Validation against human coding: draw a sample, code it blind, measure agreement and each scorer's performance.

`sample` draws the units (sentences or framing hits) and `sheets` / `page` write what coders see; `design` holds the
pure sampling design. `codes` reads the coders' files, `reliability` and `performance` hold the pure statistics,
`score` writes the tables, `report` validation.md and `plots` the figures. `python -m analysis validate sample|score`
is the command line (`cli`, `score_cli`).
"""
