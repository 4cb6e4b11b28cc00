"""Find the reports attached to a change, read each once, and check it."""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from findings_gate import bulk, cache
from findings_gate.errors import GateError
from findings_gate.model import Finding, InvalidReport, Location, Report, Reviewer

MAX_BYTES = 50 * 1024 * 1024
SUFFIXES = ('.json', '.yaml', '.yml')


class Source(NamedTuple):
    origin: str  # how the user will recognise it: a path, `-`, or a git note
    data: bytes
    problem: str | None = None  # why it could not be read


def _files_in(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.rglob('*') if p.suffix in SUFFIXES and p.is_file()
    )


def _expand(pattern: str, base: Path) -> list[Path]:
    path = base / pattern
    if path.is_dir():
        return _files_in(path)
    if path.is_file():
        return [path]
    import glob

    matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
    found: list[Path] = []
    for match in matches:
        found.extend(_files_in(match) if match.is_dir() else [match])
    return found


def display(path: str | Path) -> str:
    """A path as the user would type it: relative to the working directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def _read(path: Path) -> Source:
    origin = display(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Source(origin, b'', f'{origin}: {size} bytes, over the limit of '
                                       f'{MAX_BYTES} bytes for a report')
        return Source(origin, path.read_bytes())
    except OSError as e:
        raise GateError(f'{origin}: cannot read the report: {e.strerror}') from None


def from_arguments(patterns: Iterable[str], stdin: BinaryIO | None = None) -> list[Source]:
    """The reports named with --report: paths, directories, globs, or `-`."""
    sources = []
    for pattern in patterns:
        if pattern == '-':
            sources.append(Source('-', (stdin or sys.stdin.buffer).read()))
            continue
        paths = _expand(pattern, Path.cwd())
        if not paths:
            raise GateError(f'--report {pattern!r}: no report file matches; check the path')
        sources.extend(_read(p) for p in paths)
    return sources


def from_locations(locations: Iterable[str], root: Path) -> list[Source]:
    """The reports kept in the repository where the policy says (a missing place is fine)."""
    return [_read(p) for pattern in locations for p in _expand(pattern, root)]


def in_tree(locations: Iterable[str], paths: Iterable[str]) -> list[str]:
    """The paths of a commit's tree that the policy's report locations name.

    A location is read as a glob from the repository root, as for a work tree:
    anchored gitwildmatch patterns mean the same (`*` stays in a directory,
    `**` crosses them, a directory stands for the reports under it).
    """
    import pathspec

    paths = sorted(paths)
    found: list[str] = []
    for location in locations:
        name = location.removeprefix('./').strip('/')
        spec = pathspec.GitIgnoreSpec.from_lines(['/' + name])
        found.extend(p for p in paths if spec.match_file(p) and (p == name or p.endswith(SUFFIXES)))
    return found


def from_notes(notes: Iterable[tuple[str, str]]) -> list[Source]:
    """Reports kept as git notes: one note per commit, one JSON report per line."""
    sources = []
    for commit, text in notes:
        lines = [line for line in text.splitlines() if line.strip()]
        documents = lines if lines and all(line.lstrip().startswith('{') for line in lines) else [text]
        for n, document in enumerate(documents, 1):
            sources.append(Source(f'note:{commit[:12]}#{n}', document.encode()))
    return sources


def unique(sources: Iterable[Source]) -> list[Source]:
    """Each report once, even when two ways of naming it found it."""
    seen: set[bytes | str] = set()
    kept = []
    for source in sources:
        key = source.problem or source.data
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return kept


def _finding(raw: dict[str, Any]) -> Finding:
    fields = dict(raw)  # the fields left out keep Finding's defaults
    if 'location' in fields:
        fields['location'] = Location(**fields['location'])
    if 'related' in fields:
        fields['related'] = tuple(Location(**r) for r in fields['related'])
    if 'cwe' in fields:
        fields['cwe'] = tuple(fields['cwe'])
    if 'cwe_names' in fields:
        fields['cwe_names'] = tuple(fields['cwe_names'].items())
    if 'fingerprints' in fields:
        fields['fingerprints'] = tuple(fields['fingerprints'].items())
    if 'suppression' in fields:
        fields['suppression'] = (fields['suppression']['kind'], fields['suppression'].get('justification'))
    if 'source' in fields:
        source = fields['source']
        fields['source'] = (source['start_line'], source.get('end_line', source['start_line']))
    return Finding(**fields)


def _line_order(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Problems the schema cannot express: a range that ends before it starts."""
    for i, finding in enumerate(document['findings']):
        places = [('location', finding.get('location'))]
        places += [(f'related[{j}]', r) for j, r in enumerate(finding.get('related', ()))]
        for name, loc in places:
            if loc and loc.get('end_line', loc.get('start_line', 0)) < loc.get('start_line', 0):
                yield (f'$.findings[{i}].{name}.end_line',
                       f'{loc["end_line"]} is before start_line {loc["start_line"]}')


def to_report(document: dict[str, Any], origin: str) -> Report:
    change = document.get('change', {})
    return Report(
        origin=origin,
        reviewer=Reviewer(**document['reviewer']),
        findings=tuple(_finding(f) for f in document['findings']),
        complete=document.get('complete', True),
        verdict=document.get('verdict', 'findings'),
        revision=change.get('revision'),
    )


def read(source: Source, fmt: str | None = None) -> Report | InvalidReport:
    """The report in `source`, or every reason it is not a valid one."""
    with bulk.building():
        return _reading(source, fmt)


def _reading(source: Source, fmt: str | None) -> Report | InvalidReport:
    origin = source.origin
    if source.problem:
        return InvalidReport(origin, (source.problem,))
    if not source.data.strip():
        return InvalidReport(origin, (f'{origin}: empty; write a report there or remove it',))
    kind = f'report-{fmt or "detected"}'
    document = cache.get(kind, source.data, origin)
    if document is not None:  # read and found valid before
        return to_report(document, origin)
    from findings_gate import formats, schema  # only to read: their patterns and schemas take time

    try:
        document = formats.parse(source.data, origin, fmt)
    except GateError as e:
        return InvalidReport(origin, (str(e),))
    problems = schema.problems('report', document)
    if not problems:
        problems = list(_line_order(document))
    if problems:
        return InvalidReport(origin, tuple(f'{origin}::{where}: {what}' for where, what in problems))
    cache.put(kind, source.data, document, origin)
    return to_report(document, origin)


def dump(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(',', ':'), sort_keys=True)
