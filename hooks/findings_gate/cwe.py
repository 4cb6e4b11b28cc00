"""The MITRE CWE catalog that the cwe2 package ships: names, status, ChildOf ancestry.

The catalog is read on first use, once per process, from the newest
`cwec_v*.xml` inside cwe2 (cwe2 3.0.0 ships one: CWE 4.14). cwe2's own
`Database` is not used: importing it opens ~50 CSV files, and every `get()`
scans them, or parses the whole XML for a category or a view.
"""
from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from findings_gate.errors import GateError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# A stated name is taken for an official one it does not equal when difflib's
# ratio reaches 0.85: a typo or a dropped plural ('Improper Access Controls'
# scores 0.98), never an unrelated phrase ('Unexpected behavior' comes closest
# to 'Expected Behavior Violation' at 0.74) nor a sibling ('Missing
# Authorization' is 0.73 from 'Incorrect Authorization').
NAME_RATIO = 0.85
RESEARCH_VIEW = '1000'  # the view whose ChildOf relations make the hierarchy
RETIRED = ('Deprecated', 'Obsolete')

_ID = re.compile(r'\s*cwe[-_ ]?(\d+)\s*\Z', re.I)
_ID_IN_TEXT = re.compile(r'\bCWE-(\d+)')
_MARKUP = ' \t\r\n*_`'
_PAIRS = {'"': '"', "'": "'", '“': '”', '‘': '’'}
_LEADING_ID = re.compile(r'\Acwe[-_ ]?\d+[\s*_`]*[:\-–—.]?\s*', re.I)
_TRAILING_ID = re.compile(r'\s*[(\[]\s*cwe[-_ ]?\d+\s*[)\]][\s.]*\Z', re.I)
_QUOTES = str.maketrans({'‘': "'", '’': "'", '`': "'", '“': '"', '”': '"'})


class Entry(NamedTuple):
    name: str
    kind: str  # 'weakness', 'category' or 'view': the XML element it is
    status: str  # 'Stable', 'Draft', 'Incomplete', 'Deprecated' or 'Obsolete'
    parents: tuple[str, ...]  # ChildOf in the Research Concepts view
    successors: tuple[str, ...]  # for a retired entry: the live entries its text points to
    terms: tuple[str, ...]  # its Alternate_Terms: 'XSS', 'HTML Injection', 'CSS' for CWE-79


class Names(NamedTuple):
    exact: dict[str, str | None]  # _light(name) -> id; None when several share it
    loose: dict[str, str | None]  # _loose(name) -> id; None when several share it
    symbols: str  # every character the loose names use
    lane: int  # bits per symbol in a bag: more than any name has of one character
    shortest_first: tuple[tuple[int, int, str], ...]  # (length, bag, loose name)
    lengths: tuple[int, ...]


def _unwrap(text: str) -> str:
    text = text.strip(_MARKUP)
    while len(text) > 1 and _PAIRS.get(text[0]) == text[-1]:
        text = text[1:-1].strip(_MARKUP)
    return text


def _clean(stated: str) -> str:
    """A stated name without the markdown, quotes and `CWE-n:` a review writes around it."""
    return _unwrap(_TRAILING_ID.sub('', _LEADING_ID.sub('', _unwrap(stated))))


def _light(text: str) -> str:
    return ' '.join(_clean(text).translate(_QUOTES).casefold().split())


def _loose(text: str) -> str:
    """Words only: case, punctuation, apostrophes and spacing do not count."""
    return ' '.join(re.findall(r'[^\W_]+', _light(text).replace("'", '')))


def _key(cwe_id: str) -> str | None:
    match = _ID.match(cwe_id)
    return f'CWE-{int(match.group(1))}' if match else None


def _catalog_file() -> Path:
    import importlib.util

    spec = importlib.util.find_spec('cwe2')  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise GateError('the CWE catalog comes from the cwe2 package: pip install cwe2')
    package = Path(spec.submodule_search_locations[0])
    found = package.glob('database_v*/cwec_v*.xml')
    newest = max(found, key=lambda p: tuple(map(int, re.findall(r'\d+', p.name))), default=None)
    if newest is None:
        raise GateError(f'{package}: no cwec_v*.xml catalog in the cwe2 package; reinstall it')
    return newest


def _read(path: Path) -> tuple[str, dict[str, Entry]]:
    import xml.etree.ElementTree as ET

    entries: dict[str, Entry] = {}
    version = ''
    try:
        for _, element in ET.iterparse(path):
            kind = element.tag.rpartition('}')[2]
            if kind == 'Weakness_Catalog':
                version = element.get('Version', '')
            elif kind in ('Weakness', 'Category', 'View'):
                entries[f'CWE-{element.get("ID")}'] = _entry(element, kind.lower())
                element.clear()  # keeps memory at ~12 MB instead of ~80 MB
    except (OSError, ET.ParseError) as e:
        raise GateError(f'{path}: not a readable CWE catalog: {e}') from e
    return version, entries


def _entry(element: Element, kind: str) -> Entry:
    parents = tuple(
        f'CWE-{related.get("CWE_ID")}'
        for related in element.iterfind('{*}Related_Weaknesses/{*}Related_Weakness')
        if related.get('Nature') == 'ChildOf' and related.get('View_ID') == RESEARCH_VIEW
    )
    status = element.get('Status', '')
    text = (element.findtext('{*}Description') or element.findtext('{*}Summary') or '') \
        if status in RETIRED else ''
    mentioned = tuple(dict.fromkeys(f'CWE-{n}' for n in _ID_IN_TEXT.findall(text)))
    terms = tuple(  # 'Server-Side Template Injection / SSTI' is two terms
        term.strip()
        for alternate in element.iterfind('{*}Alternate_Terms/{*}Alternate_Term/{*}Term')
        for term in (alternate.text or '').split(' / ')
    )
    return Entry(element.get('Name', ''), kind, status, parents, mentioned, terms)


def _live_successors(entries: dict[str, Entry]) -> dict[str, Entry]:
    """Keep, of the ids a retired entry's text mentions, the weaknesses and categories in use."""
    def live(key: str) -> bool:
        entry = entries.get(key)
        return entry is not None and entry.kind != 'view' and entry.status not in RETIRED

    return {
        key: entry._replace(successors=tuple(s for s in entry.successors if s != key and live(s)))
        for key, entry in entries.items()
    }


@functools.cache
def _catalog() -> tuple[str, dict[str, Entry]]:
    version, entries = _read(_catalog_file())
    return version, _live_successors(entries)


def _lookup(cwe_id: str) -> Entry | None:
    key = _key(cwe_id)
    return _catalog()[1].get(key) if key else None


def version() -> str:
    """The CWE release the catalog is, e.g. '4.14'."""
    return _catalog()[0]


def name(cwe_id: str) -> str | None:
    """The official name of `CWE-<n>`, None when the catalog has no such id."""
    entry = _lookup(cwe_id)
    return entry.name if entry else None


def status(cwe_id: str) -> str | None:
    """The catalog's status: 'Stable', 'Draft', 'Incomplete', 'Deprecated' or 'Obsolete'.

    Weaknesses, categories and views share one id space; the catalog tells them
    apart by the XML element that holds them, which `kind` returns. In CWE 4.14
    only categories and views are 'Obsolete'; all three can be 'Deprecated'.
    """
    entry = _lookup(cwe_id)
    return entry.status if entry else None


def kind(cwe_id: str) -> str | None:
    """'weakness', 'category' or 'view'; None for an id not in the catalog."""
    entry = _lookup(cwe_id)
    return entry.kind if entry else None


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
    entries = _catalog()[1]
    loose = _unique((_loose(e.name), key) for key, e in entries.items())
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
def _find(stated: str) -> tuple[str | None, bool]:
    """The id whose name `stated` is, and whether the match is exact after normalising."""
    names = _names()
    light, loose = _light(stated), _loose(stated)
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
    return _find(stated)[0]


def _in_order(words: Sequence[str], within: Sequence[str]) -> bool:
    rest = iter(within)
    return all(word in rest for word in words)


def _agrees(key: str, entry: Entry, stated: str) -> bool:
    found = by_name(stated)
    if found == key or _loose(stated) in map(_loose, entry.terms):
        return True
    said, real = _loose(stated).split(), _loose(entry.name).split()
    if found is not None:  # another entry's name; a deprecated entry's own, less the mark, passes
        return real == ['deprecated', *said]
    ratio = difflib.SequenceMatcher(None, ' '.join(said), ' '.join(real), autojunk=False).ratio()
    return ratio >= NAME_RATIO or _in_order(said, real) or _in_order(real, said)


def _retired(key: str, entry: Entry) -> str:
    instead = ' or '.join(entry.successors)
    said = f'; the catalog points to {instead} instead' if instead else ''
    return f'{key} is {entry.status.lower()}{said}'


def check(cwe_id: str, stated_name: str | None) -> list[str]:
    """What is wrong with citing `cwe_id` under `stated_name`, one sentence each.

    A stated name agrees with the official one when it is that name after
    normalising, one of the entry's Alternate_Terms ('XSS' for CWE-79), or an
    abbreviation or paraphrase: its words appear in order in the official name's
    (or the other way round), or their difflib ratio is at least NAME_RATIO.
    Being another entry's name (see `by_name`) overrides that.
    """
    key = _key(cwe_id)
    entry = _lookup(cwe_id)
    if key is None or entry is None:
        return [f'{key or cwe_id.strip()} is not in the CWE catalog']
    problems = [_retired(key, entry)] if entry.status in RETIRED else []
    shown = _clean(stated_name) if stated_name is not None else ''
    if _loose(shown) and not _agrees(key, entry, shown):
        found, exact = _find(shown)
        whose = f" ({found}'s name)" if exact else f" (close to {found}'s name)"
        problems.append(f"{key} is '{entry.name}', not '{shown}'{whose if found else ''}")
    return problems


@functools.cache
def _ancestors(key: str) -> frozenset[str]:
    entries = _catalog()[1]
    seen: set[str] = set()
    todo = [key]
    while todo:
        entry = entries.get(todo.pop())
        for parent in entry.parents if entry else ():
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    seen.discard(key)
    return frozenset(seen)


def ancestors(cwe_id: str) -> frozenset[str]:
    """Every id above `cwe_id` by ChildOf in the Research Concepts view (1000), itself excluded.

    A policy rule on CWE-284 covers a finding on CWE-862 because CWE-284 is among
    CWE-862's ancestors (862 -> 285 -> 284). Categories and views have none, nor
    do deprecated entries, nor ids not in the catalog.
    """
    key = _key(cwe_id)
    return _ancestors(key) if key else frozenset()
