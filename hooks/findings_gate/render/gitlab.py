"""The decision as a GitLab Code Quality report: a JSON array of CodeClimate issues
(FORMATS.md section 6), declared as `artifacts: reports: codequality:`.

- One issue per finding, ignored ones too (severity `info`): the merge request widget
  shows what a change adds and removes, and nothing is dropped uncounted. One issue per
  report condition (invalid, incomplete or no report), on the report's path.
- Severity from the action first, then the finding's severity: block is `blocker`
  for a critical finding and `critical` otherwise; warn is `major` for critical or
  high and `minor` otherwise; ignore is `info`.
- `check_name` is the policy rule that decided; `description` is the finding's title
  with its action, reviewer, placement and grounding, one line, `inert`.
- `location.lines.begin` is required: findings with no new-side line (whole file,
  old side, unlocated, conditions) are put on line 1 and say where they are instead.
  An unlocated finding or a condition is put on the report it came from.
- Fingerprints: GitLab keys issues by fingerprint and collapses equal ones, and it
  compares the target branch's report with this one by fingerprint. So a fingerprint is
  the finding's own (`fingerprint` in the report) when it has one, else a hash of what
  stays put when lines move (rule, path, title and the text of the lines; the line
  numbers only when the text is unknown), plus how many equal ones came before it,
  which keeps every fingerprint in the report unique.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from findings_gate.model import Condition, Decided, Decision
from findings_gate.render import file_lines, plain_text
from findings_gate.render.inert import inert
from findings_gate.render.labels import LABELS
from findings_gate.render.plain_text import stated

CATEGORIES = {
    'security': 'Security', 'correctness': 'Bug Risk', 'reliability': 'Bug Risk',
    'performance': 'Performance', 'maintainability': 'Clarity', 'style': 'Style',
}


def severity(action: str, finding_severity: str) -> str:
    if action == 'block':
        return 'blocker' if finding_severity == 'critical' else 'critical'
    if action == 'warn':
        return 'major' if finding_severity in ('critical', 'high') else 'minor'
    return 'info'


def _digest(*parts: str) -> str:
    data = '\0'.join(parts).encode('utf-8', 'surrogatepass')
    return hashlib.sha256(data).hexdigest()[:32]


def _identity(d: Decided, lines: dict[str, list[str]]) -> str:
    placed, finding = d.placed, d.placed.finding
    if finding.fingerprint:
        return _digest('fingerprint', finding.fingerprint)
    where = ''
    text, on_lines = lines.get(placed.path or ''), file_lines.new_lines(placed)
    if on_lines and text is not None:
        where = '\n'.join(line.strip() for line in text[on_lines[0] - 1:on_lines[1]])
    elif placed.lines:  # line numbers, when there is no text to hash
        where = f'{"old" if file_lines.old_side(placed) else "new"} {placed.lines[0]}-{placed.lines[1]}'
    return _digest('finding', finding.rule or '', placed.path or placed.report.origin, finding.title, where)


def _issue(d: Decided, identity: str, binary: frozenset[str]) -> dict[str, Any]:
    placed, finding = d.placed, d.placed.finding
    on_lines = file_lines.new_lines(placed, binary)
    lines = {'begin': on_lines[0], 'end': on_lines[1]} if on_lines else {'begin': 1}
    return {
        'type': 'issue',
        'check_name': d.rule,
        'description': plain_text.summarise(d, located=not on_lines),
        'categories': [CATEGORIES.get(finding.category or '', 'Bug Risk')],
        'severity': severity(d.action, finding.severity),
        'fingerprint': identity,
        'location': {'path': placed.path or placed.report.origin, 'lines': lines},
    }


def _condition(c: Condition, policy: str) -> dict[str, Any]:
    where = c.origin or policy
    return {
        'type': 'issue',
        'check_name': c.kind,
        'description': f'{LABELS[c.action]} {c.kind}: {inert(where)}: {inert(stated(c))}',
        'categories': ['Bug Risk'],
        'severity': severity(c.action, 'high'),
        'fingerprint': _digest('condition', c.kind, where),
        'location': {'path': where, 'lines': {'begin': 1}},
    }


def issues(decision: Decision) -> list[dict[str, Any]]:
    lines = file_lines.file_lines(decision)
    binary = file_lines.binaries(decision)
    out = [_issue(d, _identity(d, lines), binary) for d in decision.findings]
    out += [_condition(c, decision.policy) for c in decision.conditions]
    used: set[str] = set()
    for issue in out:  # the second of two equal ones gets the hash with 2, and so on
        fingerprint, n = issue['fingerprint'], 1
        while fingerprint in used:
            n += 1
            fingerprint = _digest(issue['fingerprint'], str(n))
        used.add(fingerprint)
        issue['fingerprint'] = fingerprint
    return out


def render(decision: Decision) -> str:
    return json.dumps(issues(decision), indent=2, ensure_ascii=False) + '\n'
