"""Readings kept by content: a valid report's native document, a YAML text's data.

A pre-commit hook reads the same reports and policy on every commit, and reading
costs more than the rest of a run (bench/run.py): the prose reader's patterns
take 20 ms to compile, PyYAML 13 ms to import. So a reading is kept in the
user's cache directory under a hash of all it depends on: the bytes read and
the name they were read under, this package's version, every file of it and of
its schemas (names, sizes and modification times, folders and all), and the
installed files of the libraries whose output a reading holds (PyYAML's data,
jsonschema's verdict, cwe2's catalog): a new version of any of them is a new key.
Only what was read and found valid is kept; anything wrong with the cache
(missing, unreadable, unwritable) means reading again, never an error.

Where: $FINDINGS_GATE_CACHE (empty: no cache), else $XDG_CACHE_HOME/findings-gate,
else ~/.cache/findings-gate.
"""
from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from findings_gate import VERSION
from findings_gate.schema import schema_dir

try:  # the blake2b that hashlib gives, without importing OpenSSL (6 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover (an interpreter without it)
    from hashlib import blake2b

KEEP = 400  # entries of a kind; past that, the older half goes
MAX_BYTES = 4 * 1024 * 1024  # larger inputs are read each time: writing them would cost more
_HERE = Path(__file__).parent


def directory() -> Path | None:
    value = os.environ.get('FINDINGS_GATE_CACHE')
    if value is not None:
        return Path(value) if value else None
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return Path(base, 'findings-gate')


LIBRARIES = ('yaml', 'jsonschema', 'cwe2')  # whose output a kept reading holds


@functools.cache
def _salt() -> bytes:
    """What a reading depends on besides the bytes read: this package and the libraries it reads with."""
    return f'{VERSION}\n{stamps((_HERE, schema_dir()), LIBRARIES)}'.encode('utf-8', 'surrogateescape')


def stamps(tops: Iterable[Path], libraries: Iterable[str], search: Sequence[str] | None = None) -> str:
    """Every code or data file below `tops` (folders and all), and the installed file of each
    library (found on `search`, else sys.path), by name, size and modification time."""
    from importlib.machinery import PathFinder  # already loaded; importlib.util would cost 4 ms

    parts = []
    for top in tops:
        for folder, folders, names in os.walk(top):
            folders[:] = sorted(f for f in folders if f != '__pycache__')
            parts += [_stamp(os.path.join(folder, n)) for n in sorted(names) if n.endswith(('.py', '.json', '.yaml'))]
    for library in libraries:  # its __init__ names its version: another version is another stamp
        spec = PathFinder.find_spec(library, search)
        parts.append(_stamp(spec.origin) if spec and spec.origin else f'{library}: absent')
    return '\n'.join(parts)


def _stamp(path: str) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return f'{path}: unreadable'
    return f'{path}:{stat.st_size}:{stat.st_mtime_ns}'


def _path(kind: str, data: bytes, name: str) -> Path | None:
    folder = directory()
    if folder is None or len(data) > MAX_BYTES:
        return None
    digest = blake2b(_salt(), digest_size=20)
    for part in (kind, name):
        digest.update(b'\0' + part.encode('utf-8', 'surrogateescape') + b'\0')
    digest.update(data)
    return folder / kind / f'{digest.hexdigest()}.json'


def get(kind: str, data: bytes, name: str = '') -> Any | None:
    """What was kept for `data` read under `name`, None when nothing was."""
    path = _path(kind, data, name)
    if path is None:
        return None
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def put(kind: str, data: bytes, document: Any, name: str = '') -> None:
    """Keep `document` for `data` read under `name` (a reading may depend on it, as prose's
    reviewer on its file name), if it is plain JSON (str keys, no dates, no cycles)."""
    path = _path(kind, data, name)
    if path is None:
        return
    try:
        text = json.dumps(document, allow_nan=False, separators=(',', ':'))  # ASCII: lone surrogates too
        if json.loads(text) != document:  # keys that were not strings
            return
    except (TypeError, ValueError, RecursionError):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = os.listdir(path.parent)
        if len(kept) > KEEP:
            _prune(path.parent, kept)
        temporary = path.with_name(f'{path.name}.{os.getpid()}.tmp')
        temporary.write_text(text, encoding='utf-8')
        os.replace(temporary, path)
    except OSError:
        pass


def _prune(folder: Path, names: list[str]) -> None:
    """Remove the older half of the entries (by modification time)."""
    dated = []
    for name in names:
        try:
            dated.append((os.stat(folder / name).st_mtime_ns, name))
        except OSError:
            continue
    for _, name in sorted(dated)[:len(dated) // 2]:
        try:
            os.remove(folder / name)
        except OSError:
            pass
