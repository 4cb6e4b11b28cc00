"""reviewdog's Diagnostic Format: rdjson (one DiagnosticResult) and rdjsonl (one Diagnostic a line).

The messages are in reviewdog's `proto/rdf/reviewdog.proto`; reviewdog reads them with
protojson, which ignores unknown fields, so this reader does too.
"""
from __future__ import annotations

import json
from typing import Any

from findings_gate.documents import decode, loads
from findings_gate.errors import GateError
from findings_gate.read import ranges
from findings_gate.read.json_fields import Invalid, first, items, kind, mapping, number, ordered, text, title
from findings_gate.read.native import report

SEVERITIES: dict[object, str] = {'ERROR': 'high', 'WARNING': 'medium', 'INFO': 'low', 1: 'high', 2: 'medium', 3: 'low'}
UNSET = (None, '', 'UNKNOWN_SEVERITY', 0)  # proto3: an unset enum is its zero value
COLUMNS_NOTE = ("columns are reviewdog's UTF-8 byte columns (from 1, the end column exclusive), kept as given: "
                'after a non-ASCII character they are larger than character columns')


def _position(raw: object, place: str) -> tuple[int | None, int | None]:
    position = mapping(raw, place)
    return number(position.get('line'), place + '.line'), number(position.get('column'), place + '.column')


def _location(raw: object, place: str) -> dict[str, Any]:
    """A native location from a reviewdog Location: lines as given, columns as given (bytes)."""
    given = mapping(raw, place)
    location: dict[str, Any] = {}
    path = text(given.get('path'), place + '.path')
    if path:
        location['path'] = path
    span = mapping(given.get('range'), place + '.range')
    line, column = _position(span.get('start'), place + '.range.start')
    if line is None:
        return location  # a column without a line places nothing
    location['start_line'] = line
    if column:
        location['start_column'] = column
    end_line, end_column = _position(span.get('end'), place + '.range.end')
    if end_line is None:
        return location  # no end: an empty range at the start
    if end_line < line:
        raise Invalid(place + '.range.end.line', f'{end_line} is before the start line {line}',
                      'give the range its end after its start')
    if end_line == line and column and end_column and end_column < column:
        raise Invalid(place + '.range.end.column', f'{end_column} is before the start column {column}',
                      'give the range its end after its start')
    location['end_line'], last_column = ranges.last(line, column, end_line, end_column)
    if column and last_column:
        location['end_column'] = last_column
    return location


def _severity(value: object, inherited: object) -> str:
    if isinstance(value, (dict, list)):
        raise Invalid('.severity', f'{kind(value)} where a severity belongs', 'write ERROR, WARNING or INFO')

    def key(v: object) -> object:
        return None if isinstance(v, bool) else v.strip().upper() if isinstance(v, str) else v

    given = key(value)
    return SEVERITIES.get(key(inherited) if given in UNSET else given, 'medium')


def _source(raw: object, place: str) -> str | None:
    return text(mapping(raw, place).get('name'), place + '.name')


def _finding(diagnostic: dict[str, Any], severity: object, source: str | None, reviewer: str) -> dict[str, Any]:
    """A native finding from a Diagnostic (`source`: its own source name, or the result's)."""
    code = mapping(diagnostic.get('code'), '.code')
    rule = text(code.get('value'), '.code.value')
    if source and source != reviewer:  # a report that mixes tools: say which one
        rule = f'{source}/{rule}' if rule else source
    message = text(diagnostic.get('message'), '.message')
    if not message and not rule:
        raise Invalid('.message', 'missing or empty', 'give each diagnostic a message')
    finding: dict[str, Any] = {
        'title': title(message or rule or ''),
        'severity': _severity(diagnostic.get('severity'), severity),
    }
    if message and message != finding['title']:
        finding['message'] = message
    if rule:
        finding['rule'] = rule
    location = _location(diagnostic.get('location'), '.location')
    if location:
        finding['location'] = location
    related_key = 'relatedLocations' if 'relatedLocations' in diagnostic else 'related_locations'
    related = []
    for i, raw in enumerate(items(diagnostic.get(related_key), '.' + related_key)):
        place = f'.{related_key}[{i}]'
        found = _location(mapping(raw, place).get('location'), place + '.location')
        if found:
            related.append(found)
    if related:
        finding['related'] = related
    suggestions = items(diagnostic.get('suggestions'), '.suggestions')
    if suggestions:
        # the replacement text as given (a space to insert is one); an empty one, a deletion,
        # says nothing without its range
        replacement = mapping(suggestions[0], '.suggestions[0]').get('text')
        text(replacement, '.suggestions[0].text')  # a string, or the problem
        if replacement:
            finding['suggestion'] = replacement
    # original_output (the tool's own line) and images are not kept
    return ordered(finding)


def _diagnostics(data: str, origin: str) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """Each diagnostic with the prefix its problems are reported under, and the DiagnosticResult around
    them (empty for rdjsonl)."""
    try:
        whole = loads(data, origin)
    except json.JSONDecodeError as e:
        lines = [x for x in data.split('\n') if x.strip()]
        if e.msg != 'Extra data' and len(lines) > 1 and not _is_json(lines[0], origin):
            # one document written over many lines (rdjson) with a syntax error in it
            raise GateError(f'{origin}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}; fix the syntax') from None
    else:
        # a DiagnosticResult, even an empty one ({} or just its source); else one Diagnostic
        if isinstance(whole, dict) and ('diagnostics' in whole or set(whole) <= {'source', 'severity'}):
            found = items(whole.get('diagnostics'), '$.diagnostics')
            return [(f'{origin}::$.diagnostics[{i}]', d) for i, d in enumerate(found)], whole
        if isinstance(whole, dict) and _is_diagnostic(whole):
            return [(f'{origin}:1: $', whole)], {}
        what = ("an object with none of reviewdog's fields (diagnostics, message, location)"
                if isinstance(whole, dict) else f'{kind(whole)}, not reviewdog diagnostics')
        raise GateError(f'{origin}: {what}; write an rdjson DiagnosticResult object, '
                        f'or one rdjsonl Diagnostic object a line')
    # rdjsonl: split on LF only (as reviewdog's bufio.Scanner does), so that a U+2028 inside
    # a JSON string stays in its line. reviewdog drops every line from the first one longer
    # than 64 KiB (bufio.MaxScanTokenSize); this reader takes lines of any length.
    found = []
    for n, line in enumerate(data.split('\n'), 1):
        if not line.strip():
            continue
        try:
            found.append((f'{origin}:{n}: $', loads(line, origin, first_line=n)))
        except json.JSONDecodeError as e:
            raise GateError(f'{origin}:{n}:{e.colno}: not valid JSON: {e.msg}; '
                            f'write one reviewdog Diagnostic object a line') from None
    return found, {}


def _is_json(line: str, origin: str) -> bool:
    try:
        loads(line, origin)
    except json.JSONDecodeError:
        return False
    return True


def _is_diagnostic(document: dict[str, Any]) -> bool:
    keys = ('message', 'location', 'code', 'suggestions', 'original_output', 'originalOutput')
    return any(k in document for k in keys)


def read(data: str, origin: str) -> dict[str, Any]:
    try:
        diagnostics, result = _diagnostics(data, origin)
        severity = result.get('severity')
        if isinstance(severity, (dict, list)):
            raise Invalid('$.severity', f'{kind(severity)} where a severity belongs', 'write ERROR, WARNING or INFO')
        source = _source(result.get('source'), '$.source')
    except Invalid as e:
        raise GateError(f'{origin}::{e.place}: {e.what}; {e.remedy}') from None
    problems: list[tuple[int, str]] = []  # (which diagnostic, the problem): listed in document order
    checked = []
    for n, (where, diagnostic) in enumerate(diagnostics):
        if not isinstance(diagnostic, dict):
            problems.append((n, f'{where}: {kind(diagnostic)}, not a Diagnostic object; '
                                f'write each diagnostic as a JSON object'))
            continue
        try:
            checked.append((n, where, diagnostic, _source(diagnostic.get('source'), '.source') or source))
        except Invalid as e:
            problems.append((n, f'{where}{e.place}: {e.what}; {e.remedy}'))
    names = {name for _, _, _, name in checked}
    reviewer = source or (names.pop() if len(names) == 1 else None) or 'reviewdog'
    findings = []
    for n, where, diagnostic, name in checked:
        try:
            findings.append(_finding(diagnostic, severity, name, reviewer))
        except Invalid as e:
            problems.append((n, f'{where}{e.place}: {e.what}; {e.remedy}'))
    if problems:
        raise GateError(first([problem for _, problem in sorted(problems)]))
    columns = any('start_column' in f.get('location', {}) for f in findings)
    return report({'name': reviewer, 'kind': 'tool'}, findings, [COLUMNS_NOTE] if columns else [])


def parse(data: bytes, origin: str) -> dict[str, Any]:
    return read(decode(data, origin), origin)
