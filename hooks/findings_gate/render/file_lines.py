"""The gated revision as the line-based writers see it: its files, the lines of their
text, whether a finding's lines are the revision's or the base version's (the old
side), and the finding's columns as a range in that text (Gerrit's `Comment.Range`,
which Zuul's file comments take too).
"""
from __future__ import annotations

from collections.abc import Container, Sequence

from findings_gate.model import PLACEMENTS, Decided, Decision, FileChange, LineRange, Placed

NEW_SIDE = ('added', 'context', 'symbol', 'file')  # the placements on the gated revision's files


def split_lines(text: str) -> list[str]:
    """A file's lines as git numbers them: split on LF only, without the CR of a CRLF."""
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return [line[:-1] if line.endswith('\r') else line for line in lines]


def file_lines(decision: Decision) -> dict[str, list[str]]:
    return {path: split_lines(text) for path, text in decision.texts.items()}


def binaries(decision: Decision) -> frozenset[str]:
    """The change's files that have no lines: binaries and submodules."""
    return frozenset(f.path for f in decision.change.files if f.binary or f.submodule)


def files(decision: Decision) -> tuple[dict[str, FileChange], dict[str, FileChange]]:
    """The change's files by the path the revision knows them by, and renamed ones by old path."""
    by_path = {f.path: f for f in decision.change.files}
    by_old = {f.old_path: f for f in decision.change.files if f.old_path and f.old_path != f.path}
    return by_path, by_old


def old_side(placed: Placed) -> bool:
    """Whether the placed lines are the base version's (removed lines, or a finding on `side: old`)."""
    loc = placed.finding.location
    return placed.placement == 'deleted' or (loc is not None and loc.side == 'old')


def new_lines(placed: Placed, binary: Container[str] = ()) -> LineRange | None:
    """The placed lines when they are lines of the gated revision's text (not of a binary)."""
    return None if placed.path is None or placed.path in binary or old_side(placed) else placed.lines


def columns(placed: Placed) -> tuple[int, int | None] | None:
    """The finding's columns (from 1, the end exclusive) when they are on the placed lines.

    A native report's end column is the last column of the range, so one is added.
    """
    loc = placed.finding.location
    if (loc is None or not loc.start_column or placed.lines is None or loc.side != 'new'
            or (loc.start_line, loc.end_line or loc.start_line) != placed.lines):
        return None
    one_line = (loc.end_line or loc.start_line) == loc.start_line
    end = (loc.end_column + 1 if loc.end_column and (loc.end_column >= loc.start_column or not one_line)
           else None)
    return loc.start_column, end


def _utf16(line: str, characters: int) -> int:
    """Characters from the start of `line` as Java and JavaScript count them (UTF-16 units)."""
    return len(line[:characters].encode('utf-16-le', 'surrogatepass')) // 2


def comment_range(placed: Placed, lines: Sequence[str] | None) -> dict[str, int] | None:
    """A Gerrit `Comment.Range` (lines from 1, characters from 0, end exclusive) for the
    placed lines, or None when a plain line comment says as much or the text is unknown."""
    assert placed.lines is not None
    first, last = placed.lines
    cols = columns(placed)
    if lines is None:  # no text (a saved diff): only columns on one line can be given
        if cols and cols[1] and first == last:
            return {'start_line': first, 'start_character': cols[0] - 1,
                    'end_line': last, 'end_character': cols[1] - 1}
        return None
    last = min(last, len(lines))
    if first > last:
        return None
    start = end = None
    if cols and cols[0] - 1 < len(lines[first - 1]):
        start = _utf16(lines[first - 1], cols[0] - 1)
        if cols[1]:
            end = _utf16(lines[last - 1], min(cols[1] - 1, len(lines[last - 1])))
    if start is None and first == last:
        return None  # the whole line: `line` alone
    if end is None:
        end = _utf16(lines[last - 1], len(lines[last - 1]))
    start = start or 0
    if first == last and end <= start:
        return None
    return {'start_line': first, 'start_character': start, 'end_line': last, 'end_character': end}


def to_post(decision: Decision) -> tuple[list[Decided], int]:
    """The findings a code host's comments carry, closest to the change first, and how many the
    policy ignored (only counted: they are posted nowhere)."""
    posted = sorted((d for d in decision.findings if d.action != 'ignore'), key=lambda d: (
        PLACEMENTS.index(d.placed.placement), d.placed.path or '', d.placed.lines or (0, 0)))
    return posted, len(decision.findings) - len(posted)
