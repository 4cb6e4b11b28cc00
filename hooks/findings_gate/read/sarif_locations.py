"""Where a SARIF result is: its locations read into native ones.

A physicalLocation's artifactLocation names the file, by URI or by its index into
run.artifacts; a relative URI is resolved against its uriBaseId through
run.originalUriBaseIds, and a file URI or relative reference becomes a path
(percent-decoded; other schemes name no file). A base given as a file URI is
where the analyser saw the repository: paths below it are read from its root. The region's lines and columns
become native ones, the end column inclusive. A logicalLocation gives the symbol.
Every malformed field is left out and listed in `problems`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

from findings_gate.read import ranges
from findings_gate.read.sarif_json import Json, as_dict, as_list, as_text, kind_of

if TYPE_CHECKING:
    from findings_gate.read.sarif import Run

_SCHEME = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:')
_DRIVE = re.compile(r'[A-Za-z]:[/\\]')


class Bases(NamedTuple):
    """A run's originalUriBaseIds: where each uriBaseId is in the repository, and where the analyser saw it."""
    prefixes: dict[str, str]  # uriBaseId -> the repository directory it stands for ('' the root), ending in '/'
    roots: tuple[str, ...]  # the file URIs the analyser gave its bases, ending in '/', the longest first


def resolve_bases(raw: Any) -> Bases:
    """Each of run.originalUriBaseIds resolved through the bases it names (a cycle ends the chain).

    A base the analyser gave as a file URI (file:///workspace/) stands for the repository root: the
    paths below it are the repository's, wherever the analyser ran. Relative bases below it are joined.
    """
    originals = as_dict(raw)
    resolved: dict[str, str] = {}
    roots = set()
    for name in originals:
        chain: list[str] = []  # from `name` to the first base that names no further one
        current = name
        while current not in resolved and current not in chain:
            chain.append(current)
            entry = as_dict(originals.get(current))
            uri, parent = entry.get('uri'), entry.get('uriBaseId')
            if not isinstance(uri, str) or not uri or _is_absolute(uri) or not isinstance(parent, str):
                break
            current = parent
        root = '' if current in chain else resolved[current]
        for link in reversed(chain):
            uri = as_dict(originals.get(link)).get('uri')
            if isinstance(uri, str) and uri and _is_absolute(uri) and _file_path(uri) is not None:
                roots.add(uri if uri.endswith('/') else uri + '/')
                root = ''  # where the analyser saw the repository
            elif isinstance(uri, str) and uri:
                uri = _join(root, uri) if root and not _is_absolute(uri) else uri
                root = uri if uri.endswith('/') else uri + '/'
            else:
                root = ''
            resolved[link] = root
    return Bases(resolved, tuple(sorted(roots, key=lambda r: (-len(r), r))))


def places(result: Json, where: str) -> Iterable[tuple[str, Any]]:
    """The result's other locations, then its related locations, each with its JSON path."""
    for k, raw in enumerate(as_list(result.get('locations'))[1:], 1):
        yield f'{where}.locations[{k}]', raw
    for k, raw in enumerate(as_list(result.get('relatedLocations'))):
        yield f'{where}.relatedLocations[{k}]', raw


def read_location(raw: Any, run: Run, where: str, problems: list[str]) -> Json | None:
    """The native location (path, lines, columns, symbol) of a SARIF location; None when it gives none."""
    if not isinstance(raw, dict):
        problems.append(f'{where}: {kind_of(raw)} where a location object belongs; ignored')
        return None
    found: Json = {}
    physical = raw.get('physicalLocation')
    if isinstance(physical, dict):
        path = read_path(physical.get('artifactLocation'), run, f'{where}.physicalLocation.artifactLocation', problems)
        if path:
            found['path'] = path
            region = physical.get('region')
            if isinstance(region, dict):
                _region(region, found, f'{where}.physicalLocation.region', problems)
    symbol = _symbol(raw['logicalLocations'], run) if 'logicalLocations' in raw else None
    if symbol:
        found['symbol'] = symbol
    return found or None


def read_path(raw: Any, run: Run, where: str, problems: list[str]) -> str | None:
    """The path an artifactLocation names (itself or by its index into run.artifacts)."""
    artifact = as_dict(raw)
    uri, base = artifact.get('uri'), artifact.get('uriBaseId')
    if uri is None and 'index' in artifact:
        index = artifact['index']
        if type(index) is int and 0 <= index < len(run.artifacts):
            location = as_dict(as_dict(run.artifacts[index]).get('location'))
            uri, base = location.get('uri'), location.get('uriBaseId')
        else:
            problems.append(f'{where}.index: {index!r} names no artifact; the location has no file')
    if uri is None:
        return None
    if not isinstance(uri, str) or not uri.strip():
        problems.append(f'{where}.uri: {uri!r} is not a URI; the location has no file')
        return None
    key = (uri, base if isinstance(base, str) else None)
    if key in run.paths:
        path = run.paths[key]
    else:
        path = run.paths[key] = _file_path(_resolve(uri, key[1], run.bases))
    if path is None:
        resolved = _resolve(uri, key[1], run.bases)
        named = repr(uri) if resolved == uri else f'{uri!r} (under {base}: {resolved!r})'
        problems.append(f'{where}.uri: {named} is not a file; the location has no file')
    return path


def _resolve(uri: str, base: str | None, bases: Bases) -> str:
    """`uri` under its uriBaseId: relative to the repository, or absolute when the base is another scheme's.

    An absolute file URI below the file URI of one of the run's bases is read relative to it too.
    """
    if base is None or _SCHEME.match(uri):
        for top in bases.roots if _is_absolute(uri) else ():
            if uri.startswith(top):
                return uri[len(top):]
        return uri
    uri = uri.lstrip('/')  # a path under a base, whatever its leading slash says
    root = bases.prefixes.get(base)
    return _join(root, uri) if root else uri


def _join(root: str, uri: str) -> str:
    return urljoin(root, uri) if _is_absolute(root) else root + uri.lstrip('/')


def _file_path(uri: str) -> str | None:
    """The path a file URI or a relative reference names, percent-decoded; None for other schemes."""
    if uri[:5].lower() == 'file:':
        parts = urlsplit(uri)
        if parts.netloc not in ('', 'localhost'):
            return uri  # a file on another host: the gate says so
        path = unquote(parts.path)
        return path[1:] if _DRIVE.match(path, 1) else path
    if _SCHEME.match(uri) and not _DRIVE.match(uri):
        return None
    return unquote(uri) if '%' in uri else uri


def _is_absolute(uri: str) -> bool:
    return bool(_SCHEME.match(uri)) or uri.startswith('/')


def _region(region: Json, found: Json, where: str, problems: list[str]) -> None:
    """The region's lines and columns, as native inclusive columns, into `found`."""
    start, end = _line(region, 'startLine', where, problems), _line(region, 'endLine', where, problems)
    if start is None:
        if end is not None:
            problems.append(f'{where}: endLine {end} without a startLine; ignored')
        return
    found['start_line'] = start
    if end is not None and end < start:
        problems.append(f'{where}: endLine {end} is before startLine {start}; ignored')
        end = None
    first, after = _line(region, 'startColumn', where, problems), _line(region, 'endColumn', where, problems)
    if first is None and after is None:
        if end is not None:
            found['end_line'] = end
        return
    first = first or 1
    if after is not None and (end or start) == start and after < first:
        problems.append(f'{where}: endColumn {after} is before startColumn {first}; ignored')
        after = None
    last_line, last_column = ranges.last(start, first, end or start, after)  # endColumn is the column after
    if end is not None:
        found['end_line'] = last_line
    found['start_column'] = first
    if last_column is not None:
        found['end_column'] = last_column


def _line(region: Json, key: str, where: str, problems: list[str]) -> int | None:
    value = region.get(key)
    if value is None or (type(value) is int and value >= 1):
        return value
    problems.append(f'{where}.{key}: {value!r} is not a {"line" if "Line" in key else "column"} number; ignored')
    return None


def _symbol(raw: Any, run: Run) -> str | None:
    for item in as_list(raw)[:1]:
        logical = as_dict(item)
        name = logical.get('fullyQualifiedName') or logical.get('name')
        index = logical.get('index')
        if not isinstance(name, str) and type(index) is int and 0 <= index < len(run.logical):
            target = as_dict(run.logical[index])
            name = target.get('fullyQualifiedName') or target.get('name')
        return as_text(name)
    return None
