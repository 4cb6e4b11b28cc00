"""Put each finding on the change: which placement, on which repository path, on which lines."""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from findings_gate import gc_pause
from findings_gate.place.grounding import Code, Grounder, Spot, spots
from findings_gate.model import Change, FileChange, Placed, Report, Run

if TYPE_CHECKING:
    from findings_gate.place.symbols import Definition


class _Lines(NamedTuple):
    """One changed file, ready for range queries."""
    file: FileChange
    added: tuple[Run, ...]
    added_starts: list[int]
    near: tuple[Run, ...]  # added runs and the lines around pure deletions
    near_starts: list[int]
    deleted: tuple[Run, ...]
    deleted_starts: list[int]


def _merge(runs: Iterable[Run]) -> tuple[Run, ...]:
    merged: list[Run] = []
    for first, last in sorted(runs):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return tuple(merged)


def _index(file: FileChange) -> _Lines:
    near = _merge(file.added + tuple((g, g) for r in file.removals for g in (r, r + 1) if g >= 1))
    return _Lines(
        file, file.added, [r[0] for r in file.added], near, [r[0] for r in near],
        file.deleted, [r[0] for r in file.deleted],
    )


def _overlaps(runs: tuple[Run, ...], starts: list[int], first: int, last: int) -> bool:
    """Whether any of the sorted, disjoint `runs` shares a line with first..last."""
    i = bisect.bisect_right(starts, last) - 1
    return i >= 0 and runs[i][1] >= first


def _touched(lines: _Lines, definition: Definition | None) -> bool:
    return definition is not None and _overlaps(lines.near, lines.near_starts, definition.start, definition.end)


def place(
        reports: Iterable[Report],
        change: Change,
        *,
        root: str | None,
        code: Code | None,
        context: int,
) -> list[Placed]:
    """Every finding of every report, checked against the code, each with exactly one placement."""
    from findings_gate.place import symbols

    by_new = {f.path: _index(f) for f in change.files}
    by_old = {f.old_path: by_new[f.path] for f in change.files if f.old_path}
    grounder = Grounder([p for f in change.files for p in (f.path, f.old_path) if p], code, root)

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
            inside = symbols.innermost(grounder.definitions(spot.path), first, ('function', 'method', 'class'))
            return ('symbol' if _touched(lines, inside) else 'file'), spot.path
        if _overlaps(lines.added, lines.added_starts, first, last):
            return 'added', spot.path
        if _overlaps(lines.near, lines.near_starts, first - context, last + context):
            return 'context', spot.path
        definitions = grounder.definitions(spot.path)  # parsed only for findings away from the change
        inside = symbols.innermost(definitions, first) or symbols.innermost(definitions, first, ('class',))
        return ('symbol' if _touched(lines, inside) else 'file'), spot.path

    placed = []
    with gc_pause.building():
        for report in reports:
            for finding, spot in zip(report.findings, spots(report, grounder)):
                where, path = placement(spot)
                placed.append(Placed(finding, report, path, where, spot.reason if where == 'unlocated' else None,
                                     spot.lines, spot.grounding))
    return placed
