"""Commands that read a finished run and write a folder of their own, tables and figures together, all or nothing:
`compare` (compare.py; its command line in compare_cli.py). They sit beside batch/ and validation/: they may draw
(present/) and write (io/), and the command line (cli.py) wires them in one line each."""
