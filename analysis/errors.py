"""The one exception type the command line turns into a one-line message and exit status 2."""

from __future__ import annotations


class AnalysisError(Exception):
    """A problem with the user's input or options; its message says what is wrong and how to fix it."""
