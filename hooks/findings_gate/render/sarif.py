"""The decision as SARIF 2.1.0, ready for GitHub code scanning (upload-sarif) and any SARIF viewer.

One run; one rule per reviewer rule id (`finding.rule`), else per CWE set
(`FG-CWE-89`), else per title (`FG-` and a hash of it), so that reworded
findings of one weakness stay one alert. A result's level is the policy's
action (block: error, warn: warning, ignore: note), its message the finding's
title and text, with the grounding reasons when its claims did not all hold.

Code scanning needs a place in the gated revision for every result, so the
findings that have none are not results: those with no usable location, and
those in a file the change deletes, go to `invocations[0].toolExecutionNotifications`
(level warning, note when ignored), where they are seen but not put on the
wrong file. A finding on removed lines of a file that remains is a result on
that file with no region, its message naming the old lines. Report conditions
(invalid or incomplete reports) are notifications too.

`partialFingerprints.primaryLocationLineHash` is computed as upload-sarif does
(`linehash`), from the gated revision's text, for results with a start line;
without one, upload-sarif leaves it out too.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from findings_gate import VERSION
from findings_gate.model import SEVERITIES, Absent, Condition, Decided, Decision, Finding
from findings_gate.render.file_lines import old_side
from findings_gate.render.labels import HEADINGS, LABELS
from findings_gate.render.linehash import hashes
from findings_gate.render.markdown import escape
from findings_gate.render.plain_text import guards, old_lines, stated
from findings_gate.render.severity_order import order

SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
LEVELS = {'block': 'error', 'warn': 'warning', 'ignore': 'note'}
# code scanning's bands: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {'critical': '9.5', 'high': '8.0', 'medium': '5.5', 'low': '2.0'}
DEFAULT_LEVEL = {'critical': 'error', 'high': 'error', 'medium': 'warning', 'low': 'note', 'info': 'note'}
PROBLEM_SEVERITY = {'critical': 'error', 'high': 'error', 'medium': 'warning',
                    'low': 'recommendation', 'info': 'recommendation'}
PRECISIONS = ('low', 'medium', 'high')  # from a finding's confidence
DESCRIPTION = 1024  # characters of a rule description code scanning takes
TAGS = 10  # tags per rule code scanning keeps


def _plain(text: str) -> str:
    """Text for a SARIF plain-text message: literal brackets escaped (SARIF 3.11.6), never a link."""
    return text.replace('[', '\\[').replace(']', '\\]')


def _cwe_number(cwe_id: str) -> str:
    return cwe_id.split('-', 1)[1]


def rule_id(finding: Finding) -> str:
    """The reviewer's rule id; else one made from the CWE ids, else from the title."""
    if finding.rule:
        return finding.rule
    if finding.cwe:
        return 'FG-' + '-'.join(sorted(finding.cwe, key=lambda c: int(_cwe_number(c))))
    key = ' '.join(finding.title.casefold().split())
    return 'FG-' + hashlib.sha256(key.encode('utf-8', 'surrogateescape')).hexdigest()[:12]


def _short(text: str, limit: int = DESCRIPTION) -> str:
    text = ' '.join(text.split()) or '-'
    return text if len(text) <= limit else text[:limit - 1] + '…'


def _cwe_name(cwe_id: str) -> str | None:
    from findings_gate import cwe  # difflib and the catalog's reading: only for findings with CWE ids

    return cwe.name(cwe_id)


def _cwe_link(cwe_id: str) -> str:
    return f'[{cwe_id}](https://cwe.mitre.org/data/definitions/{_cwe_number(cwe_id)}.html)'


def _rule(rid: str, group: list[Finding]) -> dict[str, Any]:
    first = group[0]
    severity = min((f.severity for f in group), key=SEVERITIES.index)
    security = any(f.category == 'security' for f in group)
    cwes = sorted({c for f in group for c in f.cwe}, key=lambda c: int(_cwe_number(c)))
    links = ', '.join(_cwe_link(c) for c in cwes)
    if first.rule or not cwes:
        short = first.title
        full = first.message or first.title
        help_text = first.suggestion or 'Each result says what was found and where; see its message.'
        help_markdown = escape(help_text)
    else:  # a rule made from CWE ids: about the weakness, not one finding
        named = [f'{c}: {name}' if (name := _cwe_name(c)) else c for c in cwes]
        short = '; '.join(named)
        full = f'A reviewer reported this weakness: {short}.'
        help_text = f'{full} Each result says where and why; see its message.'
        help_markdown = escape(full) + ' Each result says where and why; see its message.'
    if links:
        help_markdown += f'\n\nSee {links}.'
    tags = ['security'] if security else [first.category] if first.category else []
    tags += [f'external/cwe/cwe-{int(_cwe_number(c)):03d}' for c in cwes]
    properties: dict[str, Any] = {'tags': tags[:TAGS]} if tags else {}
    stated = [f.confidence for f in group if f.confidence]
    if stated:
        properties['precision'] = min(stated, key=PRECISIONS.index)
    if security and severity in SECURITY_SEVERITY:
        properties['security-severity'] = SECURITY_SEVERITY[severity]
    else:
        properties['problem.severity'] = PROBLEM_SEVERITY[severity]
    return {
        'id': rid,
        'shortDescription': {'text': _short(short)},
        'fullDescription': {'text': _short(full)},
        'help': {'text': help_text, 'markdown': help_markdown},
        'defaultConfiguration': {'level': DEFAULT_LEVEL[severity]},
        'properties': properties,
    }


def _message(d: Decided) -> str:
    placed = d.placed
    finding = placed.finding
    parts = [finding.title]
    if finding.message and finding.message.strip() != finding.title.strip():
        parts.append(finding.message)
    if finding.suggestion:
        parts.append(f'Suggestion: {finding.suggestion}')
    grounding = placed.grounding
    reasons = [r for r in grounding.reasons if r != placed.reason]
    if grounding.status != 'grounded' or reasons:
        parts.append(f'Grounding: {grounding.status}' + (': ' + '; '.join(reasons) if reasons else '.'))
    parts.extend(guard[:1].upper() + guard[1:] for guard in guards(d))
    where = f'{placed.placement} ({HEADINGS[placed.placement]})'
    if placed.lines and old_side(d.placed):
        where += f', {old_lines(placed.lines)}'
    if placed.reason:
        where += f': {placed.reason}'
    parts.append(f'findings-gate: {LABELS[d.action]} by the policy rule {d.rule}; '
                 f'placement {where}; reviewer {placed.report.reviewer.name}.')
    return _plain('\n\n'.join(parts))


def uri(path: str) -> str:
    """A repository-relative path as a relative URI reference."""
    return quote(path, safe='/', errors='surrogateescape')


def _region(d: Decided) -> dict[str, int] | None:
    placed = d.placed
    if not placed.lines or old_side(d.placed):
        return None
    first, last = placed.lines
    region = {'startLine': first, 'endLine': last}
    loc = placed.finding.location
    if loc is not None and loc.start_column and loc.start_line == first and (loc.end_line or first) == last:
        region['startColumn'] = loc.start_column
        if loc.end_column and (first != last or loc.end_column >= loc.start_column):
            region['endColumn'] = loc.end_column + 1  # SARIF's end column is the one after
    return region


def _properties(d: Decided) -> dict[str, Any]:
    placed = d.placed
    reviewer = placed.report.reviewer
    return {k: v for k, v in {
        'action': d.action, 'policyRule': d.rule, 'placement': placed.placement,
        'grounding': placed.grounding.status, 'groundingReasons': list(placed.grounding.reasons),
        'severity': placed.finding.severity, 'reviewer': reviewer.name, 'reviewerKind': reviewer.kind,
        'report': placed.report.origin, 'baselineDaysLeft': placed.baseline_days_left,
    }.items() if v not in (None, [])}


def _result(d: Decided, rid: str, index: int, lines: dict[int, str], suppressions: bool) -> dict[str, Any]:
    placed = d.placed
    finding = placed.finding
    assert placed.path is not None
    physical: dict[str, Any] = {'artifactLocation': {'uri': uri(placed.path), 'uriBaseId': '%SRCROOT%'}}
    region = _region(d)
    if region:
        physical['region'] = region
    result: dict[str, Any] = {
        'ruleId': rid, 'ruleIndex': index, 'level': LEVELS[d.action],
        'message': {'text': _message(d)},
        'locations': [{'physicalLocation': physical}],
    }
    fingerprints = dict(finding.fingerprints)
    if finding.fingerprint:
        fingerprints['findingFingerprint/v1'] = finding.fingerprint
    if region and region['startLine'] in lines:
        fingerprints['primaryLocationLineHash'] = lines[region['startLine']]
    if placed.signature:
        fingerprints['findingsGateSignature/v1'] = placed.signature
    if fingerprints:
        result['partialFingerprints'] = fingerprints
    if placed.baseline:
        result['baselineState'] = placed.baseline
    if suppressions:  # within a run, all results have suppressions or none do
        result['suppressions'] = _suppressions(d)
    result['properties'] = _properties(d)
    return result


def _suppressions(d: Decided) -> list[dict[str, Any]]:
    """A tool's own suppression, or a waiver (an external one), when it is what decided."""
    finding = d.placed.finding
    inline = d.placed.inline
    if d.rule == 'suppressed' and d.action == 'ignore' and inline is not None and not finding.suppression:
        return [{'kind': 'inSource', 'status': 'accepted', 'justification': _plain(inline.text)}]  # `# nosec`
    if d.rule == 'suppressed' and d.action == 'ignore' and finding.suppression:
        kind, justification = finding.suppression
        return [{'kind': kind, 'status': 'accepted', **({'justification': justification} if justification else {})}]
    if d.waiver is not None:
        waiver = d.waiver
        return [{'kind': 'external', 'status': 'accepted', 'justification': _plain(
            f'waived by {waiver.origin} until {waiver.expires} (owner {waiver.owner}): {waiver.reason}')}]
    return []


def _absent(absent: Absent, suppressions: bool) -> dict[str, Any]:
    """A baselined finding no report gave this time (SARIF baselineState absent)."""
    result: dict[str, Any] = {
        'ruleId': absent.rule or 'baselined', 'level': 'none', 'baselineState': 'absent',
        'message': {'text': _plain(absent.title)},
        'partialFingerprints': {'findingsGateSignature/v1': absent.signature},
        'properties': {'absentCount': absent.number},
    }
    if absent.path:
        result['locations'] = [{'physicalLocation': {
            'artifactLocation': {'uri': uri(absent.path), 'uriBaseId': '%SRCROOT%'}}}]
    if suppressions:
        result['suppressions'] = []
    return result


def _notification(d: Decided, rid: str, index: int) -> dict[str, Any]:
    return {
        'level': 'note' if d.action == 'ignore' else 'warning',
        'message': {'text': _message(d)},
        'associatedRule': {'id': rid, 'index': index},
        'properties': _properties(d),
    }


def _condition(c: Condition) -> dict[str, Any]:
    return {
        'level': LEVELS[c.action],
        'message': {'text': _plain(f'{LABELS[c.action]} {c.kind}: {c.origin or "the change"}: {stated(c)}')},
        'properties': {'action': c.action, 'condition': c.kind,
                       **({'report': c.origin} if c.origin else {})},
    }


def _monitored(d: Decided, theirs: Decided | None) -> dict[str, Any]:
    """A monitored finding, in the run's property bag: a result would show it to the author."""
    placed = d.placed
    return {k: v for k, v in {
        'title': _plain(placed.finding.title), 'path': placed.path,
        'line': placed.lines[0] if placed.lines else None, **_properties(d),
        'shadow': {'action': theirs.action, 'policyRule': theirs.rule} if theirs else None,
    }.items() if v is not None}


def _shadow(decision: Decision) -> dict[str, Any]:
    """The candidate policy in the run's property bag; each result it decides otherwise carries its action."""
    shadow = decision.shadow
    if shadow is None:
        return {}
    return {'shadow': {'policy': shadow.policy, 'verdict': shadow.verdict, 'differences': len(shadow.differences)}}


def _placed_in_revision(d: Decided, deleted: set[str]) -> bool:
    placed = d.placed
    return placed.path is not None and placed.placement != 'unlocated' and placed.path not in deleted


def document(decision: Decision) -> dict[str, Any]:

    decided = sorted(decision.findings, key=order)
    ids = [rule_id(d.placed.finding) for d in decided]
    groups: dict[str, list[Finding]] = {}
    for rid, d in zip(ids, decided):
        groups.setdefault(rid, []).append(d.placed.finding)
    index = {rid: i for i, rid in enumerate(groups)}
    deleted = {f.path for f in decision.change.files if f.status == 'deleted'}
    suppressions = any(_suppressions(d) for d in decided)
    placed = [(rid, d) for rid, d in zip(ids, decided) if _placed_in_revision(d, deleted)]
    upto: dict[str, int] = {}
    for _, d in placed:
        region = _region(d)
        path = d.placed.path or ''
        if region and path in decision.texts:
            upto[path] = max(upto.get(path, 0), region['startLine'])
    lines = {path: hashes(decision.texts[path], last) for path, last in upto.items()}
    results = [_result(d, rid, index[rid], lines.get(d.placed.path or '', {}), suppressions)
               for rid, d in placed]
    unplaced = [(rid, d) for rid, d in zip(ids, decided) if not _placed_in_revision(d, deleted)]
    notifications = [_notification(d, rid, index[rid]) for rid, d in unplaced]
    # each finding the candidate policy decides otherwise says how
    theirs = {id(d.placed): c for d, c in decision.shadow.differences} if decision.shadow else {}
    if theirs:
        for made, (_, d) in [*zip(results, placed), *zip(notifications, unplaced)]:
            if id(d.placed) in theirs:
                c = theirs[id(d.placed)]
                made['properties']['shadow'] = {'action': c.action, 'policyRule': c.rule}
    results += [_absent(a, suppressions) for a in decision.absent]
    notifications += [_condition(c) for c in decision.conditions]
    run: dict[str, Any] = {
        'tool': {'driver': {
            'name': 'findings-gate', 'semanticVersion': VERSION,
            'rules': [_rule(rid, group) for rid, group in groups.items()],
        }},
        'automationDetails': {'id': 'findings-gate/'},
        'invocations': [{'executionSuccessful': True, 'toolExecutionNotifications': notifications}],
        'results': results,
        'columnKind': 'unicodeCodePoints',
        'properties': {'verdict': decision.verdict, 'change': decision.change.description,
                       'policy': decision.policy,
                       **({'config_commit': decision.config_commit} if decision.config_commit else {}),
                       **({'monitored': [_monitored(d, theirs.get(id(d.placed))) for d in decision.monitored]} if decision.monitored else {}),
                       **_shadow(decision)},
    }
    return {'$schema': SCHEMA, 'version': '2.1.0', 'runs': [run]}


def render(decision: Decision) -> str:
    return json.dumps(document(decision), indent=2, ensure_ascii=False) + '\n'
