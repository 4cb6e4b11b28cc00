"""Read a unified diff into the files it changes: the lines it adds and removes, and its hunks.

Placement reads the runs of lines; freshness compares the hunks and moves lines through them.
"""
from __future__ import annotations

import re
from itertools import repeat

from findings_gate.errors import GateError
from findings_gate.model import Change, FileChange, Hunk, LineRange
from findings_gate.place.diff_paths import ADVICE, paths

# a line number or count has at most 18 digits: more is no file's, and Python reads no more than 4300
HUNK_RE = re.compile(r'@@ -(\d{1,18})(?:,(\d{1,18}))? \+(\d{1,18})(?:,(\d{1,18}))? @@')
HEADERS = (
    'old mode ', 'new mode ', 'deleted file mode ', 'new file mode ',
    'rename from ', 'rename to ', 'copy from ', 'copy to ', 'index ',
)
MAIL_STARTS = ('From ', 'commit ')  # an mbox separator, `git log -p`
HEADERS_END = ('@@', 'diff --git ', *MAIL_STARTS)


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
    removals: list[int] = []
    hunks: list[Hunk] = []
    while i < len(lines):
        if lines[i].startswith('@@'):
            i = _read_hunk(lines, i, hunks, added, deleted, removals)
        elif lines[i].startswith('\\'):  # '\ No newline at end of file'
            i += 1
        else:
            break

    old, new, old_exists, new_exists = paths(lines, start, fields)
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
        removals=tuple(sorted(set(removals))) if new_exists else (),
        binary='binary' in fields,
        submodule='160000' in (old_mode, new_mode) or (
            old_mode is None and new_mode is None and
            first_line.startswith('Subproject commit ')
        ),
        old_mode=old_mode,
        new_mode=new_mode,
        hunks=tuple(hunks),
        blob=fields.get('index', '').partition('..')[2].partition(' ')[0] or None if 'binary' in fields else None,
    )
    return file, i


def _read_hunk(
        lines: list[str], i: int, hunks: list[Hunk],
        added: list[int], deleted: list[int], removals: list[int],
) -> int:
    """Add the hunk at `lines[i]` to the hunks and the runs; return the index after it.

    The header's counts say where the body ends, whatever its lines look like.
    """
    header = lines[i] if len(lines[i]) <= 200 else lines[i][:200] + '...'  # as shown in errors
    match = HUNK_RE.match(lines[i])
    if match is None:
        raise GateError(f'line {i + 1}: hunk header {header!r} does not parse; {ADVICE}')
    old_start, old_left, new_start, new_left = (int(g or 1) for g in match.groups())
    if (old_left and not old_start) or (new_left and not new_start):
        raise GateError(f'line {i + 1}: hunk header {header!r} counts from line 0; {ADVICE}')
    # with a count of 0 the start is the line before the hunk
    old_no = old_start if old_left else old_start + 1
    new_no = new_start if new_left else new_start + 1
    heading = lines[i][match.end():]
    end = i + 1 + old_left + new_left
    if end <= len(lines) and _removes_then_adds(lines, i + 1, old_left, end):
        # git diff -U0: the header says it all, the lines need not be walked one by one
        hunks.append(Hunk(old_start, old_left, new_start, new_left, heading, tuple(lines[i + 1:end])))
        if old_left:
            _add_run(deleted, old_no, old_no + old_left - 1)
        if new_left:
            _add_run(added, new_no, new_no + new_left - 1)
        elif old_left:
            removals.append(new_no - 1)
        return end
    counts = old_start, old_left, new_start, new_left
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
                removals.append(new_no - 1)
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
        removals.append(new_no - 1)
    hunks.append(Hunk(*counts, heading, tuple(lines[i + 1:j])))
    return j


def _removes_then_adds(lines: list[str], start: int, removed: int, end: int) -> bool:
    """Whether `removed` '-' lines from `start` are followed by '+' lines up to `end`."""
    middle = start + removed
    return (all(map(str.startswith, lines[start:middle], repeat('-'))) and
            all(map(str.startswith, lines[middle:end], repeat('+'))))


def _add_run(flat: list[int], first: int, last: int) -> None:
    if flat and flat[-1] == first - 1:
        flat[-1] = last
    else:
        flat += (first, last)


def _runs(flat: list[int]) -> tuple[LineRange, ...]:
    """Pair up `flat` starts and ends, sorted, merging runs that touch."""
    runs: list[LineRange] = []
    for start, end in sorted(zip(flat[::2], flat[1::2])):
        if runs and start <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(end, runs[-1][1]))
        else:
            runs.append((start, end))
    return tuple(runs)
