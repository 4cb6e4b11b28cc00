"""Put each finding on the change: which placement, on which repository path."""
from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from findings_gate.model import Change, FileChange, Finding, Placed, Report, Run

_DRIVE = re.compile(r'^[A-Za-z]:/')


class _Lines(NamedTuple):
    """One changed file, ready for range queries."""
    file: FileChange
    added: tuple[Run, ...]
    added_starts: list[int]
    near: tuple[Run, ...]  # added runs and the lines around pure deletions
    near_starts: list[int]
    deleted: tuple[Run, ...]
    deleted_starts: list[int]


def _merge(runs: Iterable[Run]) -> tuple[Run, ...]:
    merged: list[Run] = []
    for first, last in sorted(runs):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return tuple(merged)


def _index(file: FileChange) -> _Lines:
    near = _merge(file.added + tuple((g, g) for g in file.gaps))
    return _Lines(
        file, file.added, [r[0] for r in file.added], near, [r[0] for r in near],
        file.deleted, [r[0] for r in file.deleted],
    )


def _overlaps(runs: tuple[Run, ...], starts: list[int], first: int, last: int) -> bool:
    """Whether any of the sorted, disjoint `runs` shares a line with first..last."""
    i = bisect.bisect_right(starts, last) - 1
    return i >= 0 and runs[i][1] >= first


def normalise(path: str, root: str | None) -> tuple[str | None, str | None]:
    """A repository-relative POSIX path, or None and why there is none."""
    if path.startswith('file:'):
        parts = urlsplit(path)
        if parts.netloc not in ('', 'localhost'):
            return None, f'{path!r} is on another host'
        path = unquote(parts.path)
        if _DRIVE.match(path[1:]):  # file:///C:/x
            path = path[1:]
    path = path.replace('\\', '/')
    if path.startswith('/') or _DRIVE.match(path):
        top = (root or '').replace('\\', '/').rstrip('/')
        if not top or not (path + '/').startswith(top + '/'):
            return None, f'{path!r} is outside the repository'
        path = path[len(top) + 1:]
    path = posixpath.normpath(path) if path else path
    if not path or path == '.':
        return None, 'the path is empty'
    if path == '..' or path.startswith('../'):
        return None, f'{path!r} is outside the repository'
    return path, None


def place(
        reports: Iterable[Report],
        change: Change,
        *,
        root: str | None,
        exists: Callable[[str], bool],
        context: int,
) -> list[Placed]:
    """Every finding of every report, each with exactly one placement."""
    by_new = {f.path: _index(f) for f in change.files}
    by_old = {f.old_path: by_new[f.path] for f in change.files if f.old_path}

    def lookup(path: str) -> tuple[_Lines | None, str]:
        candidates = [path]
        if path[:2] in ('a/', 'b/') and len(path) > 2:
            candidates.append(path[2:])  # a diff's prefix left in place
        for candidate in candidates:
            if candidate in by_new:
                return by_new[candidate], 'new'
            if candidate in by_old:
                return by_old[candidate], 'old'
        for candidate in candidates:
            if exists(candidate):
                return None, candidate
        return None, ''

    def one(finding: Finding, report: Report) -> Placed:
        loc = finding.location
        if loc is None or loc.path is None:
            return Placed(finding, report, None, 'unlocated', 'the finding names no file')
        path, why = normalise(loc.path, root)
        if path is None:
            return Placed(finding, report, None, 'unlocated', why)
        lines, side = lookup(path)
        if lines is None:
            if side:
                return Placed(finding, report, side, 'untouched')
            return Placed(finding, report, path, 'unlocated', f'{path!r} is not in the repository')
        file = lines.file
        if side == 'old' or loc.side == 'old' or file.status == 'deleted':
            where = file.old_path or file.path
            if loc.start_line is None or file.binary:
                return Placed(finding, report, where, 'deleted' if file.status == 'deleted' else 'file')
            first, last = loc.start_line, loc.end_line or loc.start_line
            hit = _overlaps(lines.deleted, lines.deleted_starts, first, last)
            return Placed(finding, report, where, 'deleted' if hit else 'file')
        if loc.start_line is None or file.binary or file.submodule:
            return Placed(finding, report, file.path, 'file')
        first, last = loc.start_line, loc.end_line or loc.start_line
        if _overlaps(lines.added, lines.added_starts, first, last):
            return Placed(finding, report, file.path, 'added')
        if _overlaps(lines.near, lines.near_starts, first - context, last + context):
            return Placed(finding, report, file.path, 'context')
        return Placed(finding, report, file.path, 'file')

    return [one(f, r) for r in reports for f in r.findings]
