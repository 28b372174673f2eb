"""The commands that read a finished run and write their own output (keyness, kwic, lexicon, export): argparse wiring,
one module per command, each with an `add_<command>_parser(sub, common)` for cli.py; the work is in stats/, io/ and
present/."""
