"""CWE ids found by name: the names reviews give matched against the catalog's official ones.

A stated name is normalised first (the markdown, quotes and `CWE-n:` written
around it, case, spacing), then compared without punctuation, and else taken
for the one official name closest to it by difflib ratio.
"""
from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

from findings_gate.cwe.catalog import read_catalog

# A stated name is taken for an official one it does not equal when difflib's
# ratio reaches 0.85: a typo or a dropped plural ('Improper Access Controls'
# scores 0.98), never an unrelated phrase ('Unexpected behavior' comes closest
# to 'Expected Behavior Violation' at 0.74) nor a sibling ('Missing
# Authorization' is 0.73 from 'Incorrect Authorization').
NAME_RATIO = 0.85
_MARKUP = ' \t\r\n*_`'
_PAIRS = {'"': '"', "'": "'", '“': '”', '‘': '’'}
_LEADING_ID = re.compile(r'\Acwe[-_ ]?\d+[\s*_`]*[:\-–—.]?\s*', re.I)
_TRAILING_ID = re.compile(r'\s*[(\[]\s*cwe[-_ ]?\d+\s*[)\]][\s.]*\Z', re.I)
_QUOTES = str.maketrans({'‘': "'", '’': "'", '`': "'", '“': '"', '”': '"'})


class Names(NamedTuple):
    exact: dict[str, str | None]  # _light(name) -> id; None when several share it
    loose: dict[str, str | None]  # loose_name(name) -> id; None when several share it
    symbols: str  # every character the loose names use
    lane: int  # bits per symbol in a bag: more than any name has of one character
    shortest_first: tuple[tuple[int, int, str], ...]  # (length, bag, loose name)
    lengths: tuple[int, ...]


def _unwrap(text: str) -> str:
    text = text.strip(_MARKUP)
    while len(text) > 1 and _PAIRS.get(text[0]) == text[-1]:
        text = text[1:-1].strip(_MARKUP)
    return text


def clean_name(stated: str) -> str:
    """A stated name without the markdown, quotes and `CWE-n:` a review writes around it."""
    return _unwrap(_TRAILING_ID.sub('', _LEADING_ID.sub('', _unwrap(stated))))


def _light(text: str) -> str:
    return ' '.join(clean_name(text).translate(_QUOTES).casefold().split())


def loose_name(text: str) -> str:
    """Words only: case, punctuation, apostrophes and spacing do not count."""
    return ' '.join(re.findall(r'[^\W_]+', _light(text).replace("'", '')))


def _unique(pairs: Iterable[tuple[str, str]]) -> dict[str, str | None]:
    index: dict[str, str | None] = {}
    for text, key in pairs:
        index[text] = None if text in index else key
    return index


def _bag(text: str, symbols: str, lane: int) -> int:
    """The multiset of characters as bits: a lane per symbol, n bits set for n copies.

    `(bag1 & bag2).bit_count()` is then the size of the multisets' intersection,
    what difflib's quick_ratio counts character by character.
    """
    bits = 0
    for i, symbol in enumerate(symbols):
        bits |= ((1 << min(text.count(symbol), lane - 1)) - 1) << i * lane
    return bits


@functools.cache
def _names() -> Names:
    entries = read_catalog()[1]
    loose = _unique((loose_name(e.name), key) for key, e in entries.items())
    symbols = ''.join(sorted(set(''.join(loose))))
    lane = max(map(len, loose)) + 1
    shortest_first = tuple(sorted((len(text), _bag(text, symbols, lane), text) for text in loose))
    return Names(
        _unique((_light(e.name), key) for key, e in entries.items()), loose, symbols, lane,
        shortest_first, tuple(size for size, _, _ in shortest_first),
    )


def _closest(text: str, names: Names) -> str | None:
    """The official name with the highest difflib ratio, at least NAME_RATIO, if one is best.

    Only names whose length and characters allow the ratio are compared (the
    bounds of difflib's real_quick_ratio and quick_ratio): ~0.3 ms for a miss,
    where get_close_matches over all the names takes ~3 ms, with the same result.
    """
    size = len(text)
    low = bisect.bisect_left(names.lengths, size * NAME_RATIO / (2 - NAME_RATIO) - 1e-9)
    high = bisect.bisect_right(names.lengths, size * (2 - NAME_RATIO) / NAME_RATIO + 1e-9)
    bag = _bag(text, names.symbols, names.lane)
    matcher = difflib.SequenceMatcher(None, b=text, autojunk=False)
    best_ratio, best = NAME_RATIO, []
    for length, other_bag, other in names.shortest_first[low:high]:
        if 2.0 * (bag & other_bag).bit_count() / (size + length) < best_ratio:
            continue
        matcher.set_seq1(other)
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best_ratio, best = ratio, [other]
        elif ratio == best_ratio:
            best.append(other)
    return best[0] if len(best) == 1 else None  # a tie is no one's name


@functools.lru_cache(maxsize=4096)
def identify(stated: str) -> tuple[str | None, bool]:
    """The id whose name `stated` is, and whether the match is exact after normalising."""
    names = _names()
    light, loose = _light(stated), loose_name(stated)
    if not loose:
        return None, False
    if light in names.exact:
        return names.exact[light], True
    if loose in names.loose:
        return names.loose[loose], True
    close = _closest(loose, names)
    return (names.loose[close], False) if close else (None, False)


def by_name(stated: str) -> str | None:
    """The id of the entry whose official name `stated` is, None when none clearly is.

    Exact after normalising (case, quotes, spacing, markdown around it, a leading
    `CWE-n:`), then without punctuation, else the one closest official name by
    difflib ratio >= NAME_RATIO. A name several entries share (CWE-24, -25 and -28
    differ only in punctuation) is no one's unless its punctuation tells them apart.
    """
    return identify(stated)[0]
