"""Put each finding on the change: which placement, on which repository path, on which lines."""
from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterable
from typing import NamedTuple

from findings_gate import gc_pause
from findings_gate.model import Change, FileChange, LineRange, Placed, Report
from findings_gate.place import base_version, symbols
from findings_gate.place.base_version import Base
from findings_gate.place.grounding import Code, Grounder, Spot, spots
from findings_gate.place.paths import NO_MAP, PathMap
from findings_gate.place.symbols import Definition


class _Lines(NamedTuple):
    """One changed file, ready for range queries."""
    file: FileChange
    added: tuple[LineRange, ...]
    added_starts: list[int]
    deleted: tuple[LineRange, ...]
    deleted_starts: list[int]


EVERY_LINE = ((1, 2 ** 62),)


def _index(file: FileChange) -> _Lines:
    # a copy is a new file to the reader of the change: its lines are new code, as an added file's
    added = EVERY_LINE if file.status == 'copied' else file.added
    return _Lines(file, added, [r[0] for r in added], file.deleted, [r[0] for r in file.deleted])


def _overlaps(runs: tuple[LineRange, ...], starts: list[int], first: int, last: int) -> bool:
    """Whether any of the sorted, disjoint `runs` shares a line with first..last."""
    i = bisect.bisect_right(starts, last) - 1
    return i >= 0 and runs[i][1] >= first


def _near(lines: _Lines, first: int, last: int, context: int) -> bool:
    """Whether first..last is within `context` lines of an added line or of a removal.

    A removal lies between two lines: the line before it and the line after it are
    each 1 line from it, as the lines around an added line are; a range that holds
    both is 0 lines from it.
    """
    if _overlaps(lines.added, lines.added_starts, first - context, last + context):
        return True
    removals = lines.file.removals  # each the line after which lines were removed
    i = bisect.bisect_left(removals, first - context)
    return i < len(removals) and removals[i] < last + context


def _touched(lines: _Lines, definition: Definition | None, base: Callable[[], Base | None]) -> bool:
    """Whether the change added or changed a line of the definition, or removed lines from inside it."""
    if definition is None:
        return False
    if _overlaps(lines.added, lines.added_starts, definition.start, definition.end):
        return True
    removals = lines.file.removals
    for after in removals[bisect.bisect_left(removals, definition.start - 1):
                          bisect.bisect_right(removals, definition.end)]:
        if definition.start <= after < definition.end:
            return True  # between two of its lines
        # right before its first line or after its last: its own lines, or a neighbour's?
        if base_version.removed_inside(base(), definition, after):
            return True
    return False


def place(
        reports: Iterable[Report],
        change: Change,
        *,
        root: str | None,
        code: Code | None,
        context: int,
        mapping: PathMap = NO_MAP,
) -> list[Placed]:
    """Every finding of every report, checked against the code, each with exactly one placement."""
    by_new = {f.path: _index(f) for f in change.files}
    by_old = {f.old_path: by_new[f.path] for f in change.files if f.old_path}
    grounder = Grounder([p for f in change.files for p in (f.path, f.old_path) if p], code, root, mapping)

    @functools.cache
    def base(path: str) -> Base | None:
        """The base version of a changed file, rebuilt when a removal beside a definition asks."""
        text = code.read(path) if code else None
        return base_version.rebuild(by_new[path].file, text) if text is not None else None

    @functools.cache
    def innermost(path: str, kinds: tuple[str, ...]) -> Callable[[int], Definition | None]:
        return symbols.innermost_finder(grounder.definitions(path), kinds)

    def placement(spot: Spot) -> tuple[str, str | None]:
        """The placement of a spot, and the path to show (the old one for removed lines)."""
        lines = by_new.get(spot.path) if spot.path else None
        old = by_old.get(spot.path) if spot.path and lines is None else None
        if spot.path is None:
            return 'unlocated', None
        if lines is None and old is None:
            return 'untouched', spot.path
        if old is not None or spot.side == 'old' or (lines and lines.file.status == 'deleted'):
            target = old or lines
            assert target is not None
            if spot.lines is None or target.file.binary:
                return ('deleted' if target.file.status == 'deleted' else 'file'), spot.path
            hit = _overlaps(target.deleted, target.deleted_starts, *spot.lines)
            return ('deleted' if hit else 'file'), spot.path
        assert lines is not None
        if spot.lines is None or lines.file.binary or lines.file.submodule:
            return 'file', spot.path
        first, last = spot.lines
        if spot.from_symbol:  # the review named a function, not lines in it
            inside = innermost(spot.path, ('function', 'method', 'class'))(first)
            return ('symbol' if _touched(lines, inside, functools.partial(base, spot.path)) else 'file'), spot.path
        if _overlaps(lines.added, lines.added_starts, first, last):
            return 'added', spot.path
        if _near(lines, first, last, context):
            return 'context', spot.path
        # parsed only for findings away from the change
        inside = innermost(spot.path, ('function', 'method'))(first) or innermost(spot.path, ('class',))(first)
        return ('symbol' if _touched(lines, inside, functools.partial(base, spot.path)) else 'file'), spot.path

    placed = []
    with gc_pause.building():
        for report in reports:
            for finding, spot in zip(report.findings, spots(report, grounder)):
                where, path = placement(spot)
                placed.append(Placed(finding, report, path, where, spot.reason if where == 'unlocated' else None,
                                     spot.lines, spot.grounding))
    return placed
