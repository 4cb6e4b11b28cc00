"""Find the reports attached to a change, read each once, and check it."""
from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, NamedTuple

from findings_gate import cache, gc_pause
from findings_gate.errors import GateError, Problems, display, shown
from findings_gate.model import Finding, InvalidReport, Location, Report, Reviewer
from findings_gate.read import parse_all
from findings_gate.read.notes import entries

MAX_BYTES = 50 * 1024 * 1024  # of one report, unless FINDINGS_GATE_MAX_REPORT_BYTES says otherwise
MAX_BYTES_VARIABLE = 'FINDINGS_GATE_MAX_REPORT_BYTES'
# empty files that only keep a directory in git: the one kind of file a report location skips
PLACEHOLDERS = ('.gitkeep', '.keep')


class Source(NamedTuple):
    origin: str  # how the user will recognise it: a path, `-`, or a git note
    data: bytes
    problem: str | None = None  # why it could not be read
    in_tree: bool = False  # a file of the gated change's own tree
    commit: str | None = None  # the commit whose git note holds it
    signature: str | None = None  # an SSH signature of `data` (a signed note, read/notes.py)


def placeholder(name: str, size: int) -> bool:
    """Whether a file found under a report location is an empty `.gitkeep` (or `.keep`): it keeps
    the directory in git and holds no review. Every other file there is read as a report."""
    return size == 0 and PurePosixPath(name).name in PLACEHOLDERS


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone, or a dangling link: reading it will say
        return -1


def _files_in(directory: Path) -> list[Path]:
    """Every file under `directory`, whatever its name: a review in Markdown or plain text is
    as much a report as one in JSON (reading says when one is not a report)."""
    return sorted(p for p in directory.rglob('*') if not p.is_dir())


def _expand(pattern: str, base: Path) -> list[Path]:
    """The files a path, a directory or a glob names; a file named as itself is read whatever it is."""
    path = base / pattern
    if path.is_file():
        return [path]
    if path.is_dir():
        found = _files_in(path)
    else:
        import glob

        found = []
        for match in sorted(Path(p) for p in glob.glob(str(path), recursive=True)):
            found.extend(_files_in(match) if match.is_dir() else [match])
    return [p for p in found if not placeholder(p.name, _size(p))]


def max_bytes() -> int:
    """The size limit of one report: FINDINGS_GATE_MAX_REPORT_BYTES, else 50 MiB."""
    value = os.environ.get(MAX_BYTES_VARIABLE, '').strip()
    if not value:
        return MAX_BYTES
    if not (value.isascii() and value.isdigit()) or int(value) < 1:  # '²' is a digit int() cannot read
        raise GateError(f'{MAX_BYTES_VARIABLE}={shown(value)}: not a number of bytes; '
                        f'give a whole number (the default is {MAX_BYTES}) or unset it')
    return int(value)


def _too_big(origin: str, size: int | str, limit: int) -> str:
    return (f'{origin}: {size} bytes, over the limit of {limit} bytes for a report; '
            f'split it, or raise {MAX_BYTES_VARIABLE}')


def _outside(path: Path, root: Path) -> str | None:
    """Why a report at `path`, inside the repository by its name, is not read: a symbolic link
    (of it or of a directory above it) leads out of the repository. None when it stays in."""
    try:
        real, top = path.resolve(), root.resolve()
    except (OSError, RuntimeError):  # a loop of links: opening it will say
        return None
    if real == top or top in real.parents:
        return None
    return (f'{display(path)}: a symbolic link to {shown(str(real))}, outside the repository; '
            f'a report must be a file in the repository (or name the target itself)')


def _read(path: Path, root: Path | None = None) -> Source:
    """The report at `path`; read no further than the size limit. With `root`, refused when a
    symbolic link takes it out of the repository."""
    origin = display(path)
    if root is not None:
        outside = _outside(path, root)
        if outside:
            return Source(origin, b'', outside)
    limit = max_bytes()
    try:
        # without waiting for a writer: a named pipe opens at once, and is refused below
        with open(os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0)), 'rb') as f:
            status = os.fstat(f.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise GateError(f'{origin}: {_kind(status.st_mode)}, not a file; save the report to a file, '
                                f'or pipe it to --report -')
            data = f.read(limit + 1)
            if len(data) > limit:
                size = status.st_size
                return Source(origin, b'', _too_big(origin, size if size > limit else f'more than {limit}', limit))
    except OSError as e:
        raise GateError(f'{origin}: cannot read the report: {e.strerror}') from None
    return Source(origin, data)


def _kind(mode: int) -> str:
    """What a file that is not a regular one is."""
    for test, name in ((stat.S_ISFIFO, 'a named pipe (FIFO)'), (stat.S_ISCHR, 'a character device'),
                       (stat.S_ISBLK, 'a block device'), (stat.S_ISSOCK, 'a socket'), (stat.S_ISDIR, 'a directory')):
        if test(mode):
            return name
    return 'a special file'


def _inside(path: Path, root: Path) -> bool:
    """Whether `path` is in the repository by its name (before links are followed)."""
    name = os.path.abspath(path)
    return any(name == top or name.startswith(top.rstrip(os.sep) + os.sep)
               for top in (os.path.abspath(root), os.path.realpath(root)))


def from_arguments(patterns: Iterable[str], stdin: BinaryIO | None = None,
                   root: Path | None = None) -> list[Source]:
    """The reports named with --report: paths, directories, globs, or `-`.

    With `root` (the repository), a path in the repository whose symbolic link leads out of it
    is refused; a path outside the repository, named on purpose, is read.
    """
    sources = []
    for pattern in patterns:
        if pattern == '-':
            limit = max_bytes()
            data = (stdin or sys.stdin.buffer).read(limit + 1)
            problem = _too_big('-', f'more than {limit}', limit) if len(data) > limit else None
            sources.append(Source('-', b'' if problem else data, problem))
            continue
        paths = _expand(pattern, Path.cwd())
        if not paths:
            raise GateError(f'--report {pattern!r}: no report file matches; check the path')
        sources.extend(_read(p, root if root is not None and _inside(p, root) else None) for p in paths)
    return sources


def from_locations(locations: Iterable[str], root: Path) -> list[Source]:
    """The reports kept in the repository where the policy says (a missing place is fine): every
    file a location names but an empty placeholder. One that a symbolic link takes out of the
    repository is refused."""
    return [_read(p, root)._replace(in_tree=True) for pattern in locations for p in _expand(pattern, root)]


def in_tree(locations: Iterable[str], paths: Iterable[str]) -> list[str]:
    """The paths of a commit's tree that the policy's report locations name.

    A location is read as a glob from the repository root, as for a work tree:
    anchored gitwildmatch patterns mean the same (`*` stays in a directory,
    `**` crosses them, a directory stands for every file under it).
    """
    import pathspec

    paths = sorted(paths)
    found: list[str] = []
    for location in locations:
        name = location.removeprefix('./').strip('/')
        spec = pathspec.GitIgnoreSpec.from_lines(['/' + name])
        found.extend(p for p in paths if spec.match_file(p))
    return found


def from_notes(notes: Iterable[tuple[str, str]]) -> list[Source]:
    """Reports kept as git notes: one note per commit, one report per line (read/notes.py)."""
    return [Source(f'note:{commit[:12]}#{n}', entry.data, commit=commit, signature=entry.signature)
            for commit, text in notes for n, entry in enumerate(entries(text), 1)]


def unique(sources: Iterable[Source]) -> list[Source]:
    """Each report once, even when two ways of naming it found it; a signed copy over an unsigned one."""
    kept: dict[bytes | str, Source] = {}
    for source in sources:
        key = source.problem or source.data
        if key not in kept or (source.signature and not kept[key].signature):
            kept[key] = source
    return list(kept.values())


def _whole(value: Any) -> Any:
    """A line or column as an int: JSON Schema's integers include 3.0."""
    return int(value) if isinstance(value, float) else value


def _location(raw: dict[str, Any]) -> Location:
    return Location(**{k: _whole(v) for k, v in raw.items()})


def _finding(raw: dict[str, Any]) -> Finding:
    fields = dict(raw)  # the fields left out keep Finding's defaults
    if 'location' in fields:
        fields['location'] = _location(fields['location'])
    if 'related' in fields:
        fields['related'] = tuple(_location(r) for r in fields['related'])
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
        fields['source'] = (_whole(source['start_line']), _whole(source.get('end_line', source['start_line'])))
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
        base=change.get('base'),
        files=tuple(change['files']) if 'files' in change else None,
        failures=tuple(document.get('failures', ())),
    )


def read(source: Source, fmt: str | None = None) -> Report | InvalidReport:
    """The report in a source that holds one (a code host's export may hold several: read_all)."""
    [report] = read_all(source, fmt)
    return report


def read_all(source: Source, fmt: str | None = None) -> list[Report | InvalidReport]:
    """The reports in `source` (one, but one per reviewer and revision in a code host's
    export), or every reason it is not valid."""
    with gc_pause.building():
        return _reading(source, fmt)


def _reading(source: Source, fmt: str | None) -> list[Report | InvalidReport]:
    origin = source.origin
    if source.problem:
        return [InvalidReport(origin, (source.problem,))]
    limit = max_bytes()
    if len(source.data) > limit:  # a git note, a commit's file: read whole by git
        return [InvalidReport(origin, (_too_big(origin, len(source.data), limit),))]
    if not source.data.strip():
        return [InvalidReport(origin, (f'{origin}: empty; write a report there or remove it',))]
    kind = f'report-{fmt or "detected"}'
    kept = cache.get(kind, source.data, origin)
    if kept is not None:  # read and found valid before
        return [to_report(document, where) for where, document in kept]
    from findings_gate import schema  # only to read: their patterns and schemas take time

    try:
        found = parse_all(source.data, origin, fmt)
    except Problems as e:
        return [InvalidReport(origin, e.problems)]
    except GateError as e:
        return [InvalidReport(origin, (str(e),))]
    reports: list[Report | InvalidReport] = []
    for where, document in found:
        problems = schema.problems('report', document)
        if not problems:
            problems = list(_line_order(document))
        reports.append(InvalidReport(where, tuple(f'{where}::{at}: {what}' for at, what in problems))
                       if problems else to_report(document, where))
    if all(isinstance(r, Report) for r in reports):
        cache.put(kind, source.data, [list(pair) for pair in found], origin)
    return reports


def dump(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(',', ':'), sort_keys=True)
