"""The error users are meant to see, and the exit codes."""
from __future__ import annotations

import os

PASS = 0  # nothing blocks (warnings allowed)
BLOCKED = 1  # the policy blocks the change
UNUSABLE = 2  # the gate could not run as asked
INTERNAL = 3  # a bug: the traceback is on stderr


class GateError(Exception):
    """An expected problem: one line saying what, where, and what to do."""


class Problems(GateError):
    """Every problem found in one document at once (a code host's export against the host's
    schema), one line each."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__('\n'.join(problems))
        self.problems = problems


def shown(text: str, limit: int = 200) -> str:
    """Untrusted text quoted in an error message: one line (breaks and controls escaped as
    `repr` escapes them), cut to `limit` characters."""
    if len(text) > limit:
        text = text[:limit] + '...'
    return text if text.isprintable() else repr(text)[1:-1]


def display(path: str | os.PathLike[str]) -> str:
    """A path as the user would type it: relative to the working directory when it is below it,
    else absolute (/tmp/tab.yaml, not ../../../tab.yaml)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return os.path.abspath(path) if relative == '..' or relative.startswith('..' + os.sep) else relative
