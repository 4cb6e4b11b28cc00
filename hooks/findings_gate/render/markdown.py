"""The decision as GitHub-flavoured Markdown: the step summary, or a comment anywhere.

A heading with the verdict, the counts per placement and action, a table of
the findings and one of the report conditions. Every string that comes from a
report, a path or the change goes through `escape`, which leaves nothing that
Markdown or HTML would act on: no tags, entities, links, images, emphasis,
code spans, table cells or @mentions. GitHub keeps at most 1 MiB of a step's
summary, so the findings table stops short of that, with a line saying how many
rows it left out.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from findings_gate.model import PLACEMENTS, Condition, Decided, Decision, InvalidReport
from findings_gate.render.file_lines import old_side
from findings_gate.render.inert import inert
from findings_gate.render.labels import HEADINGS, LABELS, configured
from findings_gate.render.plain_text import guards, stated
from findings_gate.render.severity_order import order

LIMIT = 1024 * 1024  # bytes of a step summary GitHub keeps (runner AttachmentSizeLimit)
CELL = 300  # characters of untrusted text kept in one table cell
PROBLEMS = 10  # problems listed per invalid report
_BREAKS = re.compile(r'\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]')
# ASCII punctuation Markdown gives a meaning to, and what HTML or GitHub would act on
_SPECIAL = re.compile(r'[\\`*_{}\[\]()#+\-.!|~$<>&@]')
_REPLACE = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '@': '@\u200d'}
_SURROGATE = re.compile('[\ud800-\udc7f\udd00-\udfff]')
_WORDS = {'block': 'BLOCKED', 'warn': 'passed with warnings', 'pass': 'passed'}


def escape(text: str) -> str:
    """`text` as literal inline Markdown, on one line: shown as written, never acted on.

    Line breaks become spaces; other control and bidirectional characters are
    shown as `\\xNN` (as the text output does); `&`, `<` and `>` become
    entities; Markdown's punctuation is backslash-escaped; a zero-width joiner
    after `@` keeps GitHub from reading a mention.
    """
    text = _SURROGATE.sub(lambda m: f'\\u{ord(m[0]):04x}', text)  # not from a byte (surrogateescape)
    text = text.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')
    text = inert(_BREAKS.sub(' ', text))
    return _SPECIAL.sub(lambda m: _REPLACE.get(m[0], '\\' + m[0]), text)


def cell(text: str, limit: int = CELL) -> str:
    """Untrusted text for a table cell: escaped, cut to `limit` characters."""
    if len(text) > limit:
        text = text[:limit - 1] + '…'
    return escape(text) or ' '


def _row(cells: Sequence[str]) -> str:
    return '| ' + ' | '.join(cells) + ' |'


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode()) + 1 for line in lines)


def _table(header: Sequence[str], rows: Sequence[str], budget: int) -> tuple[list[str], int]:
    """The table's lines within `budget` bytes, and how many rows did not fit."""
    lines = [_row(header), _row(['---'] * len(header))]
    used = _size(lines)
    for i, row in enumerate(rows):
        used += len(row.encode()) + 1
        if used > budget:
            return lines, len(rows) - i
        lines.append(row)
    return lines, 0


def location(d: Decided) -> str:
    """`path:line`, with the placement; for removed lines, the old side's."""
    placed = d.placed
    if placed.path is None:
        where = cell(placed.report.origin, 120) + ' (' + escape(placed.reason or 'no location') + ')'
        return f'{where}, {placed.placement}'
    where = placed.path
    if placed.lines:
        first, last = placed.lines
        where += f':{first}' + (f'-{last}' if last != first else '')
    old = old_side(placed)
    return f'<code>{cell(where)}</code> {placed.placement}{" (old side)" if old else ""}'


def _grounding(d: Decided) -> str:
    grounding = d.placed.grounding
    reasons = [r for r in grounding.reasons if r != d.placed.reason] + guards(d)
    if not reasons:
        return grounding.status
    return f'{grounding.status}: {cell("; ".join(reasons))}'


def _finding(d: Decided) -> str:
    finding = d.placed.finding
    action = LABELS[d.action]
    title = cell(finding.title)
    if finding.cwe:
        title += ' (' + ', '.join(escape(c) for c in finding.cwe) + ')'
    return _row([
        f'**{action}** {finding.severity}' if d.action == 'block' else f'{action} {finding.severity}',
        location(d), cell(d.rule, 120), title, cell(d.placed.report.reviewer.name, 120), _grounding(d),
    ])


def _condition(c: Condition) -> str:
    action = LABELS[c.action]
    return _row([f'**{action}**' if c.action == 'block' else action, c.kind,
                 cell(c.origin, 200) if c.origin else 'the change', cell(stated(c))])


def _counts(decision: Decision) -> list[str]:
    lines = [_row(['placement', *LABELS.values(), 'all']), _row(['---'] + ['--:'] * (len(LABELS) + 1))]
    for placement in PLACEMENTS:
        actions = [d.action for d in decision.findings if d.placed.placement == placement]
        if actions:
            lines.append(_row([f'{placement}: {HEADINGS[placement]}',
                               *(str(actions.count(a)) for a in LABELS), str(len(actions))]))
    if decision.conditions:
        actions = [c.action for c in decision.conditions]
        lines.append(_row(['report conditions', *(str(actions.count(a)) for a in LABELS),
                           str(len(actions))]))
    actions = [d.action for d in decision.findings] + [c.action for c in decision.conditions]
    lines.append(_row(['**all**', *(f'**{actions.count(a)}**' for a in LABELS), f'**{len(actions)}**']))
    return lines


def _head(decision: Decision) -> list[str]:
    reports = len(decision.reports)
    invalid = sum(isinstance(r, InvalidReport) for r in decision.reports)
    found = len(decision.findings)
    return [
        f'## findings-gate: {_WORDS[decision.verdict]}', '',
        f'{found} finding{"s" * (found != 1)} from {reports} report{"s" * (reports != 1)}'
        f'{f" ({invalid} invalid)" if invalid else ""} on {escape(decision.change.description)}; '
        f'policy: {escape(decision.policy)}'
        f'{f"; {configured(decision.config_commit)}" if decision.config_commit else ""}.', '',
        *_counts(decision), '',
    ]


def _conditions(decision: Decision, budget: int) -> list[str]:
    if not decision.conditions:
        return []
    rows = [_condition(c) for c in decision.conditions]
    table, left = _table(['action', 'condition', 'report', 'message'], rows, budget)
    lines = ['### About the reports', '', *table, '']
    if left:
        lines += [f'*{left} more condition{"s" * (left != 1)} not shown here.*', '']
    problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
    for c in decision.conditions[:len(rows) - left]:
        listed = problems.get(c.origin or '', ())
        if not listed:
            continue
        lines.append(f'Problems of {cell(c.origin or "", 200)}:')
        lines += [f'- {cell(p, 500)}' for p in listed[:PROBLEMS]]
        if len(listed) > PROBLEMS:
            lines.append(f'- and {len(listed) - PROBLEMS} more')
        lines.append('')
    while lines and _size(lines) > budget:  # many invalid reports: drop their problem lists
        lines.pop()
    return lines


def _shadow(decision: Decision, budget: int) -> list[str]:
    """Where the candidate policy decides otherwise; not on a monitored finding (never shown here)."""
    shadow = decision.shadow
    if shadow is None:
        return []
    shown = [(d, c) for d, c in shadow.differences if d.action != 'monitor']
    lines = [f'### Shadow policy {cell(shadow.policy, 200)}', '',
             f'Its verdict: {_WORDS[shadow.verdict]}; the gate follows the policy. '
             f'{len(shown)} finding{"s" * (len(shown) != 1)} decided otherwise.', '']
    rows = [_row([LABELS[d.action], LABELS.get(c.action, 'MONITOR'), location(d), cell(d.rule, 120),
                  cell(c.rule, 120), cell(d.placed.finding.title)]) for d, c in shown]
    if rows:
        table, left = _table(['action', 'shadow action', 'location', 'rule', 'shadow rule', 'title'], rows, budget)
        lines += [*table, '']
        if left:
            lines += [f'*{left} more not shown here; the `json` output lists every one.*', '']
    return lines


def render(decision: Decision, *, limit: int = LIMIT) -> str:
    head = _head(decision)
    tail = [*_conditions(decision, limit // 4), *_shadow(decision, limit // 8)]
    body = ['### Findings', '']
    if decision.findings:
        rows = [_finding(d) for d in sorted(decision.findings, key=order)]
        note = 200  # room for the line about the rows left out
        table, left = _table(['action', 'location', 'rule', 'title', 'reviewer', 'grounding'], rows,
                             limit - _size(head) - _size(tail) - _size(body) - note)
        body += table
        if left:
            body += ['', f'*{left} more finding{"s" * (left != 1)} not shown: GitHub keeps 1 MiB '
                         f'of a step summary; the job log and the `json` output list every finding.*']
    else:
        body.append('No findings.')
    return '\n'.join([*head, *body, '', *tail]).rstrip('\n') + '\n'
