"""GitHub code scanning's `primaryLocationLineHash`, computed as upload-sarif does
(github/codeql-action `src/fingerprints.ts`), for the lines of a file's text.
"""
from __future__ import annotations

import array
import sys
from collections.abc import Iterator

_BLOCK = 100
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(37, _BLOCK, 1 << 64)
_EOF = 65535


def line_hashes(text: str) -> Iterator[tuple[int, str]]:
    """(line, primaryLocationLineHash) for every line of `text`, as upload-sarif hashes a file.

    A rolling hash over the 100 UTF-16 code units from the start of each line,
    spaces and tabs left out, CR LF and CR read as LF, the file followed by
    65535 and zeros; the hash in hex, `:` and how often it came so far.
    """
    units = array.array('H')
    units.frombytes(text.encode(f'utf-16-{sys.byteorder[0]}e', 'surrogatepass'))
    window = [0] * _BLOCK
    starts = [-1] * _BLOCK  # the line that starts at each window slot
    counts: dict[str, int] = {}
    value = index = line = 0
    line_start, prev_cr = True, False

    def output() -> tuple[int, str]:
        key = format(value, 'x')
        counts[key] = counts.get(key, 0) + 1
        found = starts[index]
        starts[index] = -1
        return found, f'{key}:{counts[key]}'

    def update(current: int) -> None:
        nonlocal value, index
        begin = window[index]
        window[index] = current
        value = (37 * value + current - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % _BLOCK

    for current in [*units, _EOF]:
        if current in (0x20, 0x09) or (prev_cr and current == 0x0a):
            prev_cr = False
            continue
        prev_cr = current == 0x0d
        if prev_cr:
            current = 0x0a
        if starts[index] != -1:
            yield output()
        if line_start:
            line_start = False
            line += 1
            starts[index] = line
        if current == 0x0a:
            line_start = True
        update(current)
    for _ in range(_BLOCK):
        if starts[index] != -1:
            yield output()
        update(0)


def hashes(text: str, upto: int) -> dict[int, str]:
    """The hashes of lines 1 to `upto` (fewer when the text is shorter)."""
    found = {}
    for line, value in line_hashes(text):
        found[line] = value
        if line >= upto:
            break
    return found
