"""The decision for a person at a terminal: `path:line: BLOCK rule: title [reviewer]`."""
from __future__ import annotations

import functools
import re

from findings_gate.model import PLACEMENTS, Condition, Decided, Decision, InvalidReport, Waiver

LABELS = {'block': 'BLOCK', 'warn': 'WARN', 'ignore': 'NOTE'}
_COLORS = {'block': '\033[1;31m', 'warn': '\033[33m', 'ignore': '\033[2m'}
_RESET = '\033[0m'
HEADINGS = {
    'added': 'on added or changed lines',
    'context': 'next to a change',
    'symbol': 'in a function or class the change touched',
    'deleted': 'on removed lines',
    'file': 'elsewhere in a changed file',
    'untouched': 'in files this change does not touch',
    'unlocated': 'with no usable location',
}
_ORDER = {'block': 0, 'warn': 1, 'ignore': 2}
_COMMAND_LINE = re.compile(r'^([ \t]*):(?=:)', re.M)

# control characters, bidirectional overrides and line separators: a finding's
# text must not move the cursor, recolour the terminal, or fake another line
# (and lone surrogates, which no output can encode: shown as `\udc80`, as `backslashreplace` would)
_UNSAFE = [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029, *range(0x202a, 0x202f),
           *range(0x2066, 0x206a), 0x200e, 0x200f, 0x061c, 0xfeff, *range(0xd800, 0xe000)]


@functools.cache
def _escapes() -> dict[int, str]:
    """The escape of each unsafe character (built when a text first needs it: 2 ms)."""
    return str.maketrans(
        {c: f'\\x{c:02x}' if c < 0x100 else f'\\u{c:04x}' for c in _UNSAFE}
        | {0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t'},
    )


# str.translate walks every character in Python's slow path; most texts have
# nothing to escape, and this search (in C) says so three times faster
_ANY_UNSAFE = re.compile('[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]')


def inert(text: str) -> str:
    """`text` with nothing a terminal would act on."""
    return text.translate(_escapes()) if _ANY_UNSAFE.search(text) else text


def defuse(output: str) -> str:
    """Lines that GitHub's runner, reading them in a step's log, cannot take for workflow
    commands: `::` starting a line and `##[` anywhere, which only untrusted text can bring."""
    return _COMMAND_LINE.sub(r'\1\\x3a', output).replace('##[', '#\\x23[')


def _label(action: str, color: bool) -> str:
    label = LABELS[action]
    return f'{_COLORS[action]}{label}{_RESET}' if color else label


def _where(d: Decided) -> str:
    placed = d.placed
    loc = placed.finding.location
    if placed.path is None:
        return inert(placed.report.origin)
    where = inert(placed.path)
    if placed.lines:
        where += f':{placed.lines[0]}'
        if loc and loc.start_column and loc.start_line == placed.lines[0]:
            where += f':{loc.start_column}'
    return where


def line(d: Decided, color: bool) -> str:
    placed = d.placed
    text = (f'{_where(d)}: {_label(d.action, color)} {inert(d.rule)}: '
            f'{inert(placed.finding.title)} [{inert(placed.report.reviewer.name)}]')
    if placed.reason:
        text += f' ({inert(placed.reason)})'
    elif placed.placement == 'deleted':
        text += ' (old side)'
    if placed.baseline == 'unchanged':
        text += ' (baselined)'
    grounding = placed.grounding
    reasons = [r for r in grounding.reasons if r != placed.reason]
    if reasons:
        text += f'\n    {grounding.status}: ' + '; '.join(inert(r) for r in reasons)
    if placed.finding.stale:
        text += f'\n    stale: {inert(placed.finding.stale)}'
    if d.waiver:
        text += f'\n    {waived(d.waiver)}'
    return text


def waived(waiver: Waiver) -> str:
    return (f'waived by {inert(waiver.origin)} until {inert(waiver.expires)} '
            f'(owner {inert(waiver.owner)}): {inert(waiver.reason)}')


def _condition(c: Condition, color: bool) -> str:
    where = inert(c.origin) if c.origin else 'change'
    return f'{where}: {_label(c.action, color)} {c.kind}: {inert(c.message)}'


def _summary(decision: Decision) -> str:
    actions = [d.action for d in decision.findings] + [c.action for c in decision.conditions]
    counts = ', '.join(f'{actions.count(a)} {LABELS[a].lower()}' for a in LABELS)
    placements = ', '.join(
        f'{p} {n}' for p in PLACEMENTS
        if (n := sum(d.placed.placement == p for d in decision.findings))
    )
    invalid = sum(isinstance(r, InvalidReport) for r in decision.reports)
    reports = f'{len(decision.reports)} report{"s" * (len(decision.reports) != 1)}'
    if invalid:
        reports += f' ({invalid} invalid)'
    word = {'block': 'BLOCKED', 'warn': 'passed with warnings', 'pass': 'passed'}[decision.verdict]
    found = f'{len(decision.findings)} finding{"s" * (len(decision.findings) != 1)}'
    baseline = ''
    if decision.baseline is not None:
        states = [d.placed.baseline for d in decision.findings]
        absent = sum(a.number for a in decision.absent)
        baseline = (f'; baseline {inert(decision.baseline)}: {states.count("new")} new, '
                    f'{states.count("unchanged")} unchanged, {absent} absent')
    return (f'findings-gate: {word}: {counts}; {found}'
            f'{f" ({placements})" if placements else ""} from {reports}'
            f' on {inert(decision.change.description)}{baseline}')


def render(decision: Decision, *, color: bool = False) -> str:
    out = []
    for placement in PLACEMENTS:
        group = [d for d in decision.findings if d.placed.placement == placement]
        if not group:
            continue
        group.sort(key=lambda d: (
            _ORDER[d.action], d.placed.path or '',
            (d.placed.finding.location and d.placed.finding.location.start_line) or 0,
        ))
        out.append(f'-- {len(group)} {HEADINGS[placement]} ({placement})')
        out.extend(line(d, color) for d in group)
    if decision.absent:
        out.append(f'-- {sum(a.number for a in decision.absent)} in the baseline, no longer found (absent)')
        out.extend(f'{inert(a.path or "(no path)")}: {inert(a.title)}{f" [{inert(a.rule)}]" if a.rule else ""}'
                   f'{f" x{a.number}" if a.number > 1 else ""}' for a in decision.absent)
    if decision.conditions:
        out.append(f'-- {len(decision.conditions)} about the reports and the configuration')
        problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
        for c in decision.conditions:
            out.append(_condition(c, color))
            out.extend(f'  {inert(p)}' for p in problems.get(c.origin or '', ()) if c.kind == 'invalid_report')
            out.extend(f'  {inert(p)}' for p in c.paths)
    out.append(_summary(decision))
    return defuse('\n'.join(out)) + '\n'
