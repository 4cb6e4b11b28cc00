"""CodeClimate issues: GitLab Code Quality reports and the engine spec's stream.

A GitLab report is one JSON array of issues, often with no more than description,
check_name, fingerprint, severity and location (path, lines.begin). An engine writes
each issue as an object ended by a NUL character (codeclimate/platform `SPEC.md`);
`codeclimate analyze -f json` writes an array that also holds measurements.
"""
from __future__ import annotations

import json
import re
from typing import Any

from findings_gate.documents import DECODER, MAX_DEPTH, check_depth, decode, json_limits
from findings_gate.errors import GateError
from findings_gate.read import ranges
from findings_gate.read.json_fields import Invalid, first, items, kind, mapping, number, ordered, text, title
from findings_gate.read.native import report

SEVERITIES = {'info': 'info', 'minor': 'low', 'major': 'medium', 'critical': 'high', 'blocker': 'critical'}
CATEGORIES = {
    'security': 'security', 'bug risk': 'correctness', 'style': 'style', 'complexity': 'maintainability',
    'duplication': 'maintainability', 'performance': 'performance', 'clarity': 'other', 'compatibility': 'other',
}
_SEPARATORS = re.compile(r'[\s\0]*')


def _values(data: str, origin: str) -> list[Any]:
    """The JSON values in `data`, however many: an array, an object, or objects each ended by NUL."""
    values = []
    at = _skip(data, 0)
    while at < len(data):
        try:
            with json_limits(origin, data):
                value, at = DECODER.raw_decode(data, at)
        except json.JSONDecodeError as e:
            raise GateError(f'{origin}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}; fix the syntax') from None
        values.append(value)
        at = _skip(data, at)
    if data.count('[') + data.count('{') > MAX_DEPTH:
        for value in values:
            check_depth(value, origin)
    return values


def _skip(data: str, at: int) -> int:
    """Where the next value starts: after white space and the NULs that end engine issues."""
    separators = _SEPARATORS.match(data, at)
    return separators.end() if separators else at


def _location(raw: object, place: str) -> tuple[dict[str, Any], bool]:
    """A native location from a CodeClimate one, and whether it gave its place as offsets only."""
    given = mapping(raw, place)
    location: dict[str, Any] = {}
    path = text(given.get('path'), place + '.path')
    if path:
        location['path'] = path
    if given.get('lines') is not None:
        lines = mapping(given['lines'], place + '.lines')
        begin = number(lines.get('begin'), place + '.lines.begin')
        end = number(lines.get('end'), place + '.lines.end')
        begin_column = end_column = None
        end_place = place + '.lines.end'
    else:
        positions = mapping(given.get('positions'), place + '.positions')
        start = mapping(positions.get('begin'), place + '.positions.begin')
        stop = mapping(positions.get('end'), place + '.positions.end')
        begin = number(start.get('line'), place + '.positions.begin.line')
        end = number(stop.get('line'), place + '.positions.end.line')
        begin_column = number(start.get('column'), place + '.positions.begin.column')
        end_column = number(stop.get('column'), place + '.positions.end.column')
        end_place = place + '.positions.end.line'
        if begin is None and 'offset' in start:
            return location, True  # a character offset into the file: its line needs the file
    if begin is None:
        return location, False  # 0 for "no line" (PHPStan writes it for errors in no file)
    location['start_line'] = begin
    if begin_column:
        location['start_column'] = begin_column
    if end is not None and end < begin:
        raise Invalid(end_place, f'{end} is before the begin line {begin}', 'give the range its end after its begin')
    if end is not None:
        location['end_line'], last_column = ranges.last(begin, begin_column, end, end_column)
        if begin_column and last_column:
            location['end_column'] = last_column
    return location, False


def _category(raw: object, place: str) -> str | None:
    names = [text(c, f'{place}[{i}]') for i, c in enumerate(items(raw, place))]
    found = [CATEGORIES.get(n.lower(), 'other') for n in names if n]
    return 'security' if 'security' in found else found[0] if found else None


def _issue(issue: dict[str, Any], reviewer: str) -> tuple[dict[str, Any], bool, bool]:
    """A native finding from an issue; whether its severity was unknown; whether it gave offsets only."""
    description = text(issue.get('description'), '.description')
    if not description:
        raise Invalid('.description', 'missing or empty', 'give each issue a description of what is wrong')
    finding: dict[str, Any] = {'title': title(description)}
    severity = issue.get('severity')
    given = severity.strip().lower() if isinstance(severity, str) else None
    finding['severity'] = SEVERITIES.get(given or '', 'medium')
    body = issue.get('content')
    body = text(mapping(body, '.content').get('body') if not isinstance(body, str) else body, '.content.body')
    if description != finding['title']:  # a long or many-line description: keep all of it
        body = f'{description}\n\n{body}' if body else description
    if body:
        finding['message'] = body
    category = _category(issue.get('categories'), '.categories')
    if category:
        finding['category'] = category
    rule = text(issue.get('check_name'), '.check_name')
    engine = text(issue.get('engine_name'), '.engine_name')
    if engine and engine != reviewer and not (rule or '').lower().startswith(engine.lower()):
        rule = f'{engine}/{rule}' if rule else engine  # a report that mixes engines: say which one
    if rule:
        finding['rule'] = rule
    location, offsets = _location(issue.get('location'), '.location')
    if location:
        finding['location'] = location
    related = []
    others = [('.other_locations', issue.get('other_locations')),
              ('.trace.locations', mapping(issue.get('trace'), '.trace').get('locations'))]
    for name, raw in others:
        for i, place in enumerate(items(raw, name)):
            found, _ = _location(place, f'{name}[{i}]')
            if found:
                related.append(found)
    if related:
        finding['related'] = related
    fingerprint = text(issue.get('fingerprint'), '.fingerprint')
    if fingerprint:
        finding['fingerprint'] = fingerprint
    # remediation_points (an effort estimate) is not kept
    return ordered(finding), given not in SEVERITIES, offsets


def _is_issue(item: dict[str, Any]) -> bool:
    given = item.get('type', 'issue')
    return isinstance(given, str) and given.strip().lower() == 'issue'  # the rubocop engine writes "Issue"


def read(data: str, origin: str) -> dict[str, Any]:
    values = _values(data, origin)
    found = values[0] if len(values) == 1 and isinstance(values[0], list) else values
    problems: list[tuple[int, str]] = []  # (which item, the problem): listed in document order
    issues, skipped = [], []
    for i, item in enumerate(found):
        if not isinstance(item, dict):
            problems.append((i, f'{origin}::$[{i}]: {kind(item)}, not an issue object; '
                                f'write each issue as a JSON object'))
        elif _is_issue(item):
            issues.append((i, item))
        else:
            skipped.append(str(item.get('type')))
    engines = {x['engine_name'].strip() if isinstance(x.get('engine_name'), str) else '' for _, x in issues}
    reviewer = (engines.pop() if len(engines) == 1 else '') or 'codeclimate'
    findings, unknown, offsets = [], 0, 0
    for i, item in issues:
        try:
            finding, unknown_severity, offsets_only = _issue(item, reviewer)
        except Invalid as e:
            problems.append((i, f'{origin}::$[{i}]{e.place}: {e.what}; {e.remedy}'))
            continue
        findings.append(finding)
        unknown += unknown_severity
        offsets += offsets_only
    if problems:
        raise GateError(first([problem for _, problem in sorted(problems)]))
    notes = []
    if skipped:
        types = ', '.join(sorted(set(skipped)))
        notes.append(f'skipped {len(skipped)} item{"s" * (len(skipped) > 1)} whose type is not issue ({types})')
    if unknown:
        notes.append(f'{unknown} issue{"s" * (unknown > 1)} with no CodeClimate severity (info, minor, major, '
                     f'critical, blocker) read as medium')
    if offsets:
        notes.append(f'{offsets} issue{"s" * (offsets > 1)} placed by character offsets only: kept without lines')
    return report({'name': reviewer, 'kind': 'tool'}, findings, notes)


def parse(data: bytes, origin: str) -> dict[str, Any]:
    return read(decode(data, origin), origin)
