"""The base version of a changed file, rebuilt from the gated text and the file's hunks.

Placement asks it one thing: were the lines a change removed just before or
just after a definition part of that definition (its last statements, a
decorator) or beside it (a sibling function, class attributes)? Only the base
version's definitions can tell, and the diff holds every line that differs.
"""
from __future__ import annotations

import bisect
from typing import NamedTuple

from findings_gate.model import FileChange, LineRange
from findings_gate.place import symbols
from findings_gate.place.symbols import Definition


class Base(NamedTuple):
    definitions: tuple[Definition, ...]
    removed: dict[int, LineRange]  # a new-side line -> the base's lines removed right after it
    starts: list[int]  # new-side lines from which on...
    shifts: list[int]  # ...a line's number in the base is this much more


def rebuild(file: FileChange, text: str) -> Base | None:
    """The base version's definitions and removals; None when `text` is not the one the diff made."""
    new = text.split('\n')
    old: list[str] = []
    removed: dict[int, LineRange] = {}
    starts, shifts = [1], [0]
    new_no = 1  # the next line of `new` to copy or check
    for hunk in sorted(file.hunks, key=lambda h: h.new_start):
        first = hunk.new_start if hunk.new_count else hunk.new_start + 1
        if first < new_no:
            return None  # hunks that overlap: not a diff of this text
        old += new[new_no - 1:first - 1]
        new_no = first
        old_no = hunk.old_start if hunk.old_count else hunk.old_start + 1
        run: int | None = None  # the first line of a run of removed lines no added line followed
        for line in hunk.body:
            kind, content = line[:1] or ' ', line[1:]  # '': a blank context line
            if kind in (' ', '+'):
                if new_no > len(new) or new[new_no - 1] != content:
                    return None
                if run is not None and kind == ' ':
                    removed[new_no - 1] = (run, old_no - 1)
                run = None
                new_no += 1
            if kind in (' ', '-'):
                if kind == '-' and run is None:
                    run = old_no
                old.append(content)
                old_no += 1
        if run is not None:
            removed[new_no - 1] = (run, old_no - 1)
        starts.append(new_no)
        shifts.append(old_no - new_no)
    old += new[new_no - 1:]
    return Base(symbols.definitions('\n'.join(old), file.old_path or file.path), removed, starts, shifts)


def removed_inside(base: Base | None, definition: Definition, after: int) -> bool:
    """Whether the lines removed after new-side line `after` were inside `definition` in the base version.

    With no base version to ask, they count as inside: the closer placement.
    """
    if base is None or after not in base.removed:
        return True
    first, last = base.removed[after]
    start = definition.start + base.shifts[bisect.bisect_right(base.starts, definition.start) - 1]
    return any(d.qualname == definition.qualname and d.start <= start <= d.end and d.start <= first and last <= d.end
               for d in base.definitions)
