"""A report's path as a repository path: normalised, then mapped where the analyser saw the code elsewhere.

An analyser run in a container names `/workspace/src/app.py` or
`/github/workspace/src/app.py`; one run in a subdirectory names paths from
there. `--source-root` and the policy's `path_map` say where that was: each is a
pair (a directory as the reports name it, the repository directory it is).
A path the repository has as written is never mapped.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

_DRIVE = re.compile(r'^[A-Za-z]:/')


class PathMap(NamedTuple):
    absolute: tuple[tuple[str, str], ...] = ()  # (a directory outside the repository, its repository directory)
    relative: tuple[tuple[str, str], ...] = ()  # (a relative directory, '' for any, its repository directory)


NO_MAP = PathMap()


def path_map(pairs: Iterable[tuple[str, str]]) -> PathMap:
    """The pairs compiled, the longest directory first; `.` stands for any relative path, or the root."""
    absolute: list[tuple[str, str]] = []
    relative: list[tuple[str, str]] = []
    for given, directory in pairs:
        key = _directory(given.replace('\\', '/'))
        value = _directory(posixpath.normpath(directory.replace('\\', '/')))
        (absolute if _is_absolute(key) else relative).append((key, value))
    return PathMap(tuple(sorted(absolute, key=_longest)), tuple(sorted(relative, key=_longest)))


def source_roots(roots: Sequence[str]) -> list[tuple[str, str]]:
    """--source-root: an absolute directory is the repository root as the analysers saw it; a relative
    one is the repository directory they ran in, from which their relative paths start."""
    return [(root, '.') if _is_absolute(root.replace('\\', '/')) else ('.', root) for root in roots]


def _directory(path: str) -> str:
    path = path.rstrip('/') or path
    return '' if path == '.' else path


def _is_absolute(path: str) -> bool:
    return path.startswith('/') or bool(_DRIVE.match(path))


def _longest(pair: tuple[str, str]) -> tuple[int, str]:
    return -len(pair[0]), pair[0]


def _under(path: str, directory: str) -> str | None:
    """The rest of `path` below `directory`; None when it is not below it."""
    if not directory:
        return path
    if path.startswith(directory + '/'):
        return path[len(directory) + 1:]
    return None


def _join(directory: str, rest: str) -> str:
    return posixpath.normpath(f'{directory}/{rest}') if directory else rest


def _local(path: str) -> str | None:
    """A path with forward slashes, from a `file:` URI too; None for a file on another host."""
    if path.startswith('file:'):
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(path)
        if parts.netloc not in ('', 'localhost'):
            return None
        path = unquote(parts.path)
        if _DRIVE.match(path[1:]):  # file:///C:/x
            path = path[1:]
    return path.replace('\\', '/')


def normalise(path: str, root: str | None, mapping: PathMap = NO_MAP) -> tuple[str | None, str | None]:
    """A repository-relative POSIX path, or None and why there is none."""
    local = _local(path)
    if local is None:
        return None, f'{path!r} is on another host'
    path = local
    if _is_absolute(path):
        top = (root or '').replace('\\', '/').rstrip('/')
        inside = ('' if path == top else _under(path, top)) if top else None
        for directory, there in mapping.absolute if inside is None else ():
            rest = _under(path, directory)
            if rest is not None:
                inside = _join(there, rest)
                break
        if inside is None:
            return None, f'{path!r} is outside the repository'
        path = inside
    path = posixpath.normpath(path) if path else path
    if not path or path == '.':
        return None, 'the path is empty'
    if path == '..' or path.startswith('../'):
        return None, f'{path!r} is outside the repository'
    return path, None


def mapped(path: str, mapping: PathMap) -> list[str]:
    """The repository paths a relative path may stand for, by the mapping, the likeliest first."""
    found = []
    for directory, there in mapping.relative:
        rest = _under(path, directory)
        if rest is not None:
            found.append(_join(there, rest))
    return found


def nfc(path: str) -> str:
    """One form for names that Unicode spells two ways (macOS writes é as e and a combining accent)."""
    return path if path.isascii() else unicodedata.normalize('NFC', path)


def root_hint(path: str, known: Callable[[str], bool]) -> str:
    """For an absolute path outside the repository whose end is a repository path: the --source-root to pass."""
    local = _local(path)
    if local is None or not _is_absolute(local):
        return ''
    parts = local.split('/')
    for i in range(1, len(parts) - 1):
        if known('/'.join(parts[i + 1:])):
            root = '/'.join(parts[:i + 1]) or '/'
            return f'; if the analyser saw the repository at {root}, pass --source-root {root}'
    return ''
