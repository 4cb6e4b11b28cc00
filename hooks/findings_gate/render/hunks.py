"""A changed file's lines as the HTML report shows them: each hunk's lines, numbered on
both sides, with a few unchanged lines around it from the gated revision's text (the
diff the gate reads has none), and which of them show a finding's lines.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from findings_gate.model import FileChange, Hunk, Placed
from findings_gate.render.file_lines import old_side

CONTEXT = 3  # unchanged lines shown before and after a hunk


class Row(NamedTuple):
    kind: str  # add, del, ctx, or note (`\ No newline at end of file`)
    old: int | None  # the line's number in the base version
    new: int | None  # and in the gated revision
    text: str


def _hunk_rows(hunk: Hunk) -> Iterator[Row]:
    old, new = hunk.old_start, hunk.new_start
    for line in hunk.body:
        sign, text = line[:1], line[1:]
        if sign == '+':
            yield Row('add', None, new, text)
            new += 1
        elif sign == '-':
            yield Row('del', old, None, text)
            old += 1
        elif sign == '\\':
            yield Row('note', None, None, line)
        else:
            yield Row('ctx', old, new, text)
            old += 1
            new += 1


def rows(change: FileChange, lines: Sequence[str]) -> tuple[list[Row], dict[int, Hunk]]:
    """The file's rows, and the hunk that starts at each row that starts one.

    `lines` is the gated revision's text, split into lines (empty when unknown: then
    only the hunks' own lines are shown).
    """
    found: list[Row] = []
    starts: dict[int, Hunk] = {}
    shown = delta = 0  # the last new-side line shown; old line less new line between hunks
    for k, hunk in enumerate(change.hunks):
        first = hunk.new_start + (hunk.new_count == 0)  # with no new lines, new_start is the line before
        starts[len(found)] = hunk
        found += [Row('ctx', n + delta, n, lines[n - 1])
                  for n in range(max(first - CONTEXT, shown + 1, 1), min(first, len(lines) + 1))]
        found += _hunk_rows(hunk)
        last = hunk.new_start + max(hunk.new_count - 1, 0)
        delta += hunk.old_count - hunk.new_count
        following = change.hunks[k + 1] if k + 1 < len(change.hunks) else None
        until = min(last + CONTEXT, len(lines), following.new_start - 1 if following else len(lines))
        found += [Row('ctx', n + delta, n, lines[n - 1]) for n in range(last + 1, until + 1)]
        shown = max(last, until)
    return found, starts


def showing(placed: Placed, found: Sequence[Row]) -> list[int]:
    """The rows that show the placed lines, on their side (the base version's for removed lines)."""
    if not placed.lines:
        return []
    first, last = placed.lines
    old = old_side(placed)
    numbers = [row.old if old else row.new for row in found]
    return [i for i, n in enumerate(numbers) if n is not None and first <= n <= last]
