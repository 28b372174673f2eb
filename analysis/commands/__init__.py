"""Commands that read a finished run and write output of their own, all or nothing, never into the run: `compare`
(compare.py; its options in compare_cli.py), `keyness`, `kwic`, `lexicon`, `export` (one module each, output.py for
their outputs). They sit beside batch/ and validation/: they may draw (present/) and write (io/); each has an
`add_<command>_parser(sub, common)` that cli.py wires in one line; the work itself is in stats/, io/ and present/."""
