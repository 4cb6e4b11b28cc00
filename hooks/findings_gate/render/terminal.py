"""The decision for a person at a terminal: `path:line: BLOCK rule: title [reviewer]`."""
from __future__ import annotations

from findings_gate.model import PLACEMENTS, Condition, Decided, Decision, InvalidReport, Shadow, Waiver
from findings_gate.render import plain_text
from findings_gate.render.inert import defuse, inert
from findings_gate.render.labels import HEADINGS, LABELS, configured

_COLORS = {'block': '\033[1;31m', 'warn': '\033[33m', 'ignore': '\033[2m'}
_RESET = '\033[0m'
_ORDER = {'block': 0, 'warn': 1, 'ignore': 2}

def _label(action: str, color: bool) -> str:
    if action == 'monitor':  # a candidate's: the decision's own monitored findings are never shown
        return 'MONITOR'
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


def _days(number: int) -> str:
    return f'{number} day{"s" * (number != 1)}'


def line(d: Decided, color: bool) -> str:
    placed = d.placed
    text = (f'{_where(d)}: {_label(d.action, color)} {inert(d.rule)}: '
            f'{inert(placed.finding.title)} [{inert(placed.report.reviewer.name)}]')
    if placed.reason:
        text += f' ({inert(placed.reason)})'
    elif placed.placement == 'deleted':
        text += ' (old side)'
    days = placed.baseline_days_left
    if placed.baseline == 'unchanged':
        text += ' (baselined)' if days is None else f' (baselined, {_days(days)} left)'
    elif days is not None:
        text += f' (baselined, {_days(-days)} past its deadline: decided as new)'
    grounding = placed.grounding
    reasons = [r for r in grounding.reasons if r != placed.reason]
    if reasons:
        text += f'\n    {grounding.status}: ' + '; '.join(inert(r) for r in reasons)
    if placed.finding.stale:
        text += f'\n    stale: {inert(placed.finding.stale)}'
    if d.waiver:
        text += f'\n    {waived(d.waiver)}'
    if placed.inline:
        text += f'\n    {inert(plain_text.suppressed(placed.inline))}'
    return text


def waived(waiver: Waiver) -> str:
    return (f'waived by {inert(waiver.origin)} until {inert(waiver.expires)} '
            f'(owner {inert(waiver.owner)}): {inert(waiver.reason)}')


def _condition(c: Condition, color: bool) -> str:
    where = inert(c.origin) if c.origin else 'change'
    return f'{where}: {_label(c.action, color)} {c.kind}: {inert(c.message)}'


def _shadow(shadow: Shadow, color: bool) -> list[str]:
    """Where the candidate policy decides otherwise; not on a monitored finding (never shown here)."""
    shown = [(d, c) for d, c in shadow.differences if d.action != 'monitor']
    hidden = len(shadow.differences) - len(shown)
    out = [f'-- {len(shown)} decided otherwise by the shadow policy {inert(shadow.policy)} '
           f'(its verdict: {shadow.verdict}; the exit code follows the policy)']
    out.extend(f'{_where(d)}: {_label(d.action, color)} {inert(d.rule)} -> {_label(c.action, color)} '
               f'{inert(c.rule)}: {inert(d.placed.finding.title)} [{inert(d.placed.report.reviewer.name)}]'
               for d, c in shown)
    if hidden:
        out.append(f'and {hidden} monitored finding{"s" * (hidden != 1)} (the json and sarif outputs list them)')
    return out


def _gone(decision: Decision) -> str:
    """What a baselined finding no report gives is: fixed, when the baseline is the base's own reports."""
    return 'fixed' if (decision.baseline or '').startswith('--base-report ') else 'absent'


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
    if decision.monitored:  # counted, never shown: the json and sarif outputs list them
        found += f' and {len(decision.monitored)} monitored'
    baseline = ''
    if decision.baseline is not None:
        states = [d.placed.baseline for d in decision.findings]
        absent = sum(a.number for a in decision.absent)
        baseline = (f'; baseline {inert(decision.baseline)}: {states.count("new")} new, '
                    f'{states.count("unchanged")} unchanged, {absent} {_gone(decision)}')
    configuration = f'; {configured(decision.config_commit)}' if decision.config_commit else ''
    return (f'findings-gate: {word}: {counts}; {found}'
            f'{f" ({placements})" if placements else ""} from {reports}'
            f' on {inert(decision.change.description)}{baseline}{configuration}')


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
        where = "the base's reports" if _gone(decision) == 'fixed' else 'the baseline'
        out.append(f'-- {sum(a.number for a in decision.absent)} in {where}, no longer found ({_gone(decision)})')
        out.extend(f'{inert(a.path or "(no path)")}: {inert(a.title)}{f" [{inert(a.rule)}]" if a.rule else ""}'
                   f'{f" x{a.number}" if a.number > 1 else ""}' for a in decision.absent)
    if decision.conditions:
        out.append(f'-- {len(decision.conditions)} about the reports and the configuration')
        problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
        for c in decision.conditions:
            out.append(_condition(c, color))
            out.extend(f'  {inert(p)}' for p in problems.get(c.origin or '', ()) if c.kind == 'invalid_report')
            out.extend(f'  {inert(p)}' for p in c.paths)
    if decision.shadow is not None:
        out.extend(_shadow(decision.shadow, color))
    out.append(_summary(decision))
    return defuse('\n'.join(out)) + '\n'
