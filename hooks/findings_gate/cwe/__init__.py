"""One CWE id asked about: its name, status, kind and ChildOf ancestry in the MITRE
catalog, and whether a review cites it under the right name (`check`).

The catalog is read on first use, from the cwe2 package (`cwe_catalog`); stated
names are matched to official ones in `cwe_names`.
"""
from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence

from findings_gate.cwe.catalog import RETIRED, Entry, read_catalog
from findings_gate.cwe.names import NAME_RATIO, by_name, clean_name, identify, loose_name

_ID = re.compile(r'\s*cwe[-_ ]?(\d+)\s*\Z', re.I)


def _key(cwe_id: str) -> str | None:
    match = _ID.match(cwe_id)
    return f'CWE-{int(match.group(1))}' if match else None


def _lookup(cwe_id: str) -> Entry | None:
    key = _key(cwe_id)
    return read_catalog()[1].get(key) if key else None


def version() -> str:
    """The CWE release the catalog is, e.g. '4.14'."""
    return read_catalog()[0]


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


def _in_order(words: Sequence[str], within: Sequence[str]) -> bool:
    rest = iter(within)
    return all(word in rest for word in words)


def _agrees(key: str, entry: Entry, stated: str) -> bool:
    found = by_name(stated)
    if found == key or loose_name(stated) in map(loose_name, entry.terms):
        return True
    said, real = loose_name(stated).split(), loose_name(entry.name).split()
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
    shown = clean_name(stated_name) if stated_name is not None else ''
    if loose_name(shown) and not _agrees(key, entry, shown):
        found, exact = identify(shown)
        whose = f" ({found}'s name)" if exact else f" (close to {found}'s name)"
        problems.append(f"{key} is '{entry.name}', not '{shown}'{whose if found else ''}")
    return problems


@functools.cache
def _ancestors(key: str) -> frozenset[str]:
    entries = read_catalog()[1]
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
