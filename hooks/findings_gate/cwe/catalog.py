"""The MITRE CWE catalog that the cwe2 package ships, read once: each entry's name, kind,
status, ChildOf parents, successors (for a retired entry) and alternate terms.

The catalog is read on first use, once per process, from the newest
`cwec_v*.xml` inside cwe2 (cwe2 3.0.0 ships one: CWE 4.14). cwe2's own
`Database` is not used: importing it opens ~50 CSV files, and every `get()`
scans them, or parses the whole XML for a category or a view.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from findings_gate import cache
from findings_gate.errors import GateError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

RESEARCH_VIEW = '1000'  # the view whose ChildOf relations make the hierarchy
RETIRED = ('Deprecated', 'Obsolete')
_ID_IN_TEXT = re.compile(r'\bCWE-(\d+)')


class Entry(NamedTuple):
    name: str
    kind: str  # 'weakness', 'category' or 'view': the XML element it is
    status: str  # 'Stable', 'Draft', 'Incomplete', 'Deprecated' or 'Obsolete'
    parents: tuple[str, ...]  # ChildOf in the Research Concepts view
    successors: tuple[str, ...]  # for a retired entry: the live entries its text points to
    terms: tuple[str, ...]  # its Alternate_Terms: 'XSS', 'HTML Injection', 'CSS' for CWE-79


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
def read_catalog() -> tuple[str, dict[str, Entry]]:
    """The catalog; its reading is kept (cache.py) under the XML file's path, size and time:
    parsing the 15 MB of XML takes 250 ms, reading the kept entries a few."""
    path = _catalog_file()
    stat = path.stat()
    key = f'{path}:{stat.st_size}:{stat.st_mtime_ns}'.encode('utf-8', 'surrogateescape')
    kept = cache.get('cwe', key)
    if kept is not None:
        return kept['version'], {k: Entry(*v[:3], *map(tuple, v[3:])) for k, v in kept['entries'].items()}
    version, entries = _read(path)
    entries = _live_successors(entries)
    plain = {k: [*v[:3], *map(list, v[3:])] for k, v in entries.items()}  # JSON has no tuples
    cache.put('cwe', key, {'version': version, 'entries': plain})
    return version, entries
