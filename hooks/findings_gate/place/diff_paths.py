"""The paths of a file in a diff: from git's headers, quoted or not, or from `diff -u`."""
from __future__ import annotations

import re

from findings_gate.errors import GateError

DEV_NULL = '/dev/null'
ADVICE = 'pass a unified diff (git diff)'
# `diff -N` dates a missing side at the epoch, in the local time zone
EPOCH_RE = re.compile(r'(1970-01-01|1969-12-31) (\d\d):(\d\d):00(?:\.0+)? ([-+])(\d\d)(\d\d)')
ESCAPES = {'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13, '"': 34, '\\': 92}


def paths(
        lines: list[str], start: int, fields: dict[str, str],
) -> tuple[str, str, bool, bool]:
    """The old and new paths, and whether each side exists."""
    minus, plus = fields.get('---'), fields.get('+++')
    old_exists = 'new file mode' not in fields and not _is_null(minus)
    new_exists = 'deleted file mode' not in fields and not _is_null(plus)
    if not old_exists and not new_exists:
        raise GateError(f'line {start + 1}: both sides of the file are {DEV_NULL}; {ADVICE}')

    first = lines[start].removesuffix('\r')
    halves = None
    if first.startswith('diff --git '):
        halves = _split_git_line(first[len('diff --git '):], start)
    old, new = _path(minus, start), _path(plus, start)
    if halves is not None:
        old, new = old or halves[0], new or halves[1]
    old_prefix, new_prefix = _prefixes(halves) or _guess_prefixes(old, new)
    old = old and old.removeprefix(old_prefix)
    new = new and new.removeprefix(new_prefix)
    old = _path(fields.get('rename from') or fields.get('copy from'), start) or old
    new = _path(fields.get('rename to') or fields.get('copy to'), start) or new
    old, new = old or new, new or old
    if old is None or new is None:
        raise GateError(
            f'line {start + 1}: cannot tell the path of the file from {first!r}; {ADVICE}',
        )
    return old, new, old_exists, new_exists


def _is_null(side: str | None) -> bool:
    """Whether a `---` or `+++` line names no file."""
    if side is None:
        return False
    path, _, stamp = side.partition('\t')
    return path == DEV_NULL or _is_epoch(stamp.strip())


def _is_epoch(stamp: str) -> bool:
    match = EPOCH_RE.fullmatch(stamp)
    if match is None:
        return False
    day, hours, minutes, sign, offset_hours, offset_minutes = match.groups()
    local = int(hours) * 60 + int(minutes) - (1440 if day.startswith('1969') else 0)
    offset = (int(offset_hours) * 60 + int(offset_minutes)) * (1 if sign == '+' else -1)
    return local == offset


def _path(side: str | None, start: int) -> str | None:
    """The path a `---`, `+++` or `rename from` line gives, None for /dev/null."""
    if side is None or side.startswith(f'{DEV_NULL}\t') or side == DEV_NULL:
        return None
    elif side.startswith('"'):
        return _unquote(side, start)[0]
    return side.partition('\t')[0]  # git ends a path with a space with a tab


def _split_git_line(rest: str, start: int) -> tuple[str, str] | None:
    """The two paths of `diff --git OLD NEW`, None when they cannot be told apart."""
    if rest.startswith('"'):
        old, end = _unquote(rest, start)
        new = rest[end + 1:]
        return old, _unquote(new, start)[0] if new.startswith('"') else new
    elif rest.endswith('"') and ' "' in rest:
        old, _, new = rest.partition(' "')
        return old, _unquote(f'"{new}', start)[0]
    # unquoted: only a file that keeps its name can be split, at the middle
    mid = len(rest) // 2
    halves = rest[:mid], rest[mid + 1:]
    if rest[mid:mid + 1] == ' ' and _prefixes(halves) is not None:
        return halves
    return None


def _prefixes(halves: tuple[str, str] | None) -> tuple[str, str] | None:
    """The prefixes (`a/`, `b/`) of a file that keeps its name."""
    if halves is None:
        return None
    old, new = halves
    if old == new:  # git diff --no-prefix
        return '', ''
    if old[1:2] == new[1:2] == '/' and old[2:] == new[2:]:
        return old[:2], new[:2]
    return None


def _guess_prefixes(old: str | None, new: str | None) -> tuple[str, str]:
    """Strip `a/` and `b/`, or `old/` and `new/` directories of `diff -ru`."""
    if (old or 'a/').startswith('a/') and (new or 'b/').startswith('b/'):
        return 'a/', 'b/'
    if old is not None and new is not None:
        old_top, slash, old_rest = old.partition('/')
        new_top, _, new_rest = new.partition('/')
        if slash and old_rest == new_rest and old_top != new_top:
            return f'{old_top}/', f'{new_top}/'
    return '', ''


def _unquote(text: str, start: int) -> tuple[str, int]:
    """Decode the C-quoted string that `text` starts with; return it and where it ends."""
    out = bytearray()
    i = 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return out.decode('utf-8', 'surrogateescape'), i + 1
        if char != '\\':
            out += char.encode('utf-8', 'surrogateescape')
            i += 1
        elif text[i + 1:i + 2] in ESCAPES:
            out.append(ESCAPES[text[i + 1]])
            i += 2
        elif re.fullmatch('[0-3][0-7][0-7]', text[i + 1:i + 4]):
            out.append(int(text[i + 1:i + 4], 8))
            i += 4
        else:
            raise GateError(f'line {start + 1}: bad escape in quoted path {text!r}; {ADVICE}')
    raise GateError(f'line {start + 1}: unterminated quoted path {text!r}; {ADVICE}')
