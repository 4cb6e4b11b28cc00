"""Read a unified diff into the files it changes and the lines it adds and removes."""
from __future__ import annotations

import re

from findings_gate.errors import GateError
from findings_gate.model import Change
from findings_gate.model import FileChange
from findings_gate.model import Run

HUNK_RE = re.compile(r'@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@')
# `diff -N` dates a missing side at the epoch, in the local time zone
EPOCH_RE = re.compile(r'(1970-01-01|1969-12-31) (\d\d):(\d\d):00(?:\.0+)? ([-+])(\d\d)(\d\d)')
ESCAPES = {'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13, '"': 34, '\\': 92}
HEADERS = (
    'old mode ', 'new mode ', 'deleted file mode ', 'new file mode ',
    'rename from ', 'rename to ', 'copy from ', 'copy to ', 'index ',
)
MAIL_STARTS = ('From ', 'commit ')  # an mbox separator, `git log -p`
HEADERS_END = ('@@', 'diff --git ', *MAIL_STARTS)
DEV_NULL = '/dev/null'
ADVICE = 'pass a unified diff (git diff)'


def parse_diff(text: str, description: str) -> Change:
    """Parse `git diff` or `diff -u` output; mail text around it is skipped.

    Lines are split on '\\n' only: '\\r', '\\f' and '\\u2028' are content.
    Raises GateError naming the line of the diff that is malformed.
    """
    lines = text.split('\n')
    if lines[-1] == '':
        lines.pop()
    files = []
    in_mail = True  # before the first file or after a mail signature: skip text
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('diff --git ') or _starts_plain(lines, i):
            file, i = _read_file(lines, i)
            files.append(file)
            in_mail = False
        elif line == '-- ' or line.startswith(MAIL_STARTS):
            in_mail = True
            i += 1
        elif not in_mail and line[:1] in ('+', '-', ' ', '@'):
            raise _stray(lines, i)
        else:
            i += 1
    return Change(tuple(files), description)


def _starts_plain(lines: list[str], i: int) -> bool:
    return (
        lines[i].startswith('--- ') and
        i + 1 < len(lines) and lines[i + 1].startswith('+++ ')
    )


def _stray(lines: list[str], i: int) -> GateError:
    if lines[i].startswith('@@'):
        return GateError(f'line {i + 1}: hunk header outside any file; {ADVICE}')
    return GateError(f'line {i + 1}: {lines[i][0]!r} line outside any hunk; {ADVICE}')


def _read_file(lines: list[str], start: int) -> tuple[FileChange, int]:
    """Read one file's headers and hunks; return it and the index after it."""
    fields: dict[str, str] = {}
    i = start + 1 if lines[start].startswith('diff --git ') else start
    while i < len(lines):
        line = lines[i].removesuffix('\r')
        if line.startswith(HEADERS_END) or line == '-- ':
            break
        elif _starts_plain(lines, i):
            if '---' in fields:  # the next file of a plain diff
                break
            fields['---'] = line[4:]
            fields['+++'] = lines[i + 1][4:].removesuffix('\r')
            i += 2
            continue
        elif line[:1] in ('+', '-', ' '):
            raise _stray(lines, i)
        elif line.startswith(('Binary files ', 'GIT binary patch')):
            fields['binary'] = ''
        else:
            for header in HEADERS:
                if line.startswith(header):
                    fields[header[:-1]] = line[len(header):]
                    break
        i += 1

    first_line = lines[i + 1][1:] if i + 1 < len(lines) and lines[i].startswith('@@') else ''
    added: list[int] = []  # flat start, end pairs
    deleted: list[int] = []
    gaps: list[int] = []
    while i < len(lines):
        if lines[i].startswith('@@'):
            i = _read_hunk(lines, i, added, deleted, gaps)
        elif lines[i].startswith('\\'):  # '\ No newline at end of file'
            i += 1
        else:
            break

    old, new, old_exists, new_exists = _paths(lines, start, fields)
    old_mode = fields.get('old mode') or fields.get('deleted file mode')
    new_mode = fields.get('new mode') or fields.get('new file mode')
    index_mode = fields.get('index', '').partition(' ')[2] or None
    old_mode, new_mode = old_mode or index_mode, new_mode or index_mode
    if 'rename from' in fields:
        status = 'renamed'
    elif 'copy from' in fields:
        status = 'copied'
    else:
        status = 'modified' if old_exists and new_exists else 'added' if new_exists else 'deleted'
    file = FileChange(
        path=new if new_exists else old,
        old_path=old if old_exists else None,
        status=status,
        added=_runs(added),
        deleted=_runs(deleted),
        gaps=tuple(sorted({gap for gap in gaps if gap >= 1})) if new_exists else (),
        binary='binary' in fields,
        submodule='160000' in (old_mode, new_mode) or (
            old_mode is None and new_mode is None and
            first_line.startswith('Subproject commit ')
        ),
        old_mode=old_mode,
        new_mode=new_mode,
    )
    return file, i


def _read_hunk(
        lines: list[str], i: int,
        added: list[int], deleted: list[int], gaps: list[int],
) -> int:
    """Add the hunk at `lines[i]` to the runs; return the index after it.

    The header's counts say where the body ends, whatever its lines look like.
    """
    header = lines[i]
    match = HUNK_RE.match(header)
    if match is None:
        raise GateError(f'line {i + 1}: hunk header {header!r} does not parse; {ADVICE}')
    old_start, old_left, new_start, new_left = (int(g or 1) for g in match.groups())
    if (old_left and not old_start) or (new_left and not new_start):
        raise GateError(f'line {i + 1}: hunk header {header!r} counts from line 0; {ADVICE}')
    # with a count of 0 the start is the line before the hunk
    old_no = old_start if old_left else old_start + 1
    new_no = new_start if new_left else new_start + 1
    removing = False  # in a run of '-' lines that no '+' line has followed
    j = i + 1
    while old_left or new_left:
        if j == len(lines):
            raise GateError(
                f'line {i + 1}: hunk {header!r} is cut short by the end of the diff, '
                f'{old_left} old and {new_left} new lines missing; {ADVICE}',
            )
        kind = lines[j][:1]
        if kind == '+' and new_left:
            if added and added[-1] == new_no - 1:
                added[-1] = new_no
            else:
                added += (new_no, new_no)
            new_no += 1
            new_left -= 1
            removing = False
        elif kind == '-' and old_left:
            if deleted and deleted[-1] == old_no - 1:
                deleted[-1] = old_no
            else:
                deleted += (old_no, old_no)
            old_no += 1
            old_left -= 1
            removing = True
        elif kind in (' ', '') and old_left and new_left:  # '': a blank context line
            if removing:
                gaps += (new_no - 1, new_no)
                removing = False
            old_no += 1
            new_no += 1
            old_left -= 1
            new_left -= 1
        elif kind in ('+', '-', ' ', ''):
            raise GateError(
                f'line {j + 1}: more lines than the hunk header at line {i + 1} '
                f'({header!r}) counts; {ADVICE}',
            )
        elif kind != '\\':
            raise GateError(
                f'line {j + 1}: the hunk at line {i + 1} ends early, '
                f'{old_left} old and {new_left} new lines missing; {ADVICE}',
            )
        j += 1
    if removing:
        gaps += (new_no - 1, new_no)
    return j


def _runs(flat: list[int]) -> tuple[Run, ...]:
    """Pair up `flat` starts and ends, sorted, merging runs that touch."""
    runs: list[Run] = []
    for start, end in sorted(zip(flat[::2], flat[1::2])):
        if runs and start <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(end, runs[-1][1]))
        else:
            runs.append((start, end))
    return tuple(runs)


def _paths(
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
