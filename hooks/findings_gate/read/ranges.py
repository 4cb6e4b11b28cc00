"""Where a range ends: one rule for every reader whose formats end a range after its last character.

A SARIF region, a reviewdog range and CodeClimate positions give the end of a
range as the position just after it: the end column is exclusive. A range whose
end is column 1 of a later line ends with the line before, to its end: ruff
writes the whole of line L as (L, 1) to (L+1, 1), which is line L alone.
A native location's end column is the last column of the range, inclusive.
"""
from __future__ import annotations


def last(line: int, column: int | None, end_line: int, end_column: int | None) -> tuple[int, int | None]:
    """The last line of a range and its last column (None: to the end of that line).

    The end is at or after the start; an empty range (the end at the start) is the
    point at its start.
    """
    if end_column is None:
        return end_line, None
    if end_line > line:
        return (end_line - 1, None) if end_column == 1 else (end_line, end_column - 1)
    return end_line, max(end_column - 1, column or 1)
