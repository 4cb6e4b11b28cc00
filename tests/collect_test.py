from __future__ import annotations

import io

import pytest

from findings_gate.model import Finding, InvalidReport, Location, Report, Reviewer
from findings_gate.read import sources

VALID = b'{"version": 1, "reviewer": {"name": "a", "kind": "tool"}, "findings": []}'


def read(data: bytes, origin: str = 'r.json') -> Report | InvalidReport:
    return sources.read(sources.Source(origin, data))


def test_a_full_report_becomes_records() -> None:
    data = b'''
version: 1
reviewer: {name: gpt, kind: llm, model: gpt-4, version: "2024-05"}
change: {revision: abc123, base: def456, id: 42, files: [a.py]}
complete: false
notes: [consider more tests]
findings:
  - title: t
    severity: high
    message: m
    confidence: low
    category: security
    cwe: [CWE-79, CWE-80]
    rule: R1
    location: {path: a.py, start_line: 3, end_line: 4, start_column: 2, end_column: 9, symbol: f, side: old}
    related: [{path: b.py, start_line: 1}]
    suggestion: s
    fingerprint: fp
    source: {start_line: 10, end_line: 12}
'''
    assert read(data) == Report(
        origin='r.json', reviewer=Reviewer('gpt', 'llm', 'gpt-4', '2024-05'),
        findings=(Finding(
            title='t', severity='high', message='m', confidence='low', category='security',
            cwe=('CWE-79', 'CWE-80'), rule='R1',
            location=Location('a.py', 3, 4, 2, 9, 'f', 'old'),
            related=(Location('b.py', 1),), suggestion='s', fingerprint='fp', source=(10, 12),
        ),),
        complete=False, verdict='findings', revision='abc123', base='def456', files=('a.py',),
    )


@pytest.mark.parametrize(('data', 'problem'), [
    (b'', 'r.json: empty; write a report there or remove it'),
    (b'  \n', 'r.json: empty; write a report there or remove it'),
    (b'\xff\xfe{}', 'r.json: UTF-16 text (it starts with a byte-order mark); save the report as UTF-8'),
    (b'{"a": "\xe9"}', 'r.json: not UTF-8 text (byte 7); save the report as UTF-8'),
    (b'[1, 2', "r.json:1:6: not valid JSON: Expecting ',' delimiter; fix the syntax"),
    (b'[1, 2]', 'r.json: not a report in a known format (tried native, text, sarif, rdjson, rdjsonl, '
                'codeclimate, github-comments, github-reviews, gitlab-discussions, gerrit-comments); '
                'pass --report-format or write a native report'),
    (b'version: 1\nreviewer: {name: a, kind: tool}\nfindings: []\ncreated: 2024-01-01\n',
     "r.json::$: Additional properties are not allowed ('created' was unexpected)"),
    (b'{"version": 1, "reviewer": {"name": "a", "kind": "tool"}, "findings": '
     b'[{"title": "t", "severity": "low", "location": {"end_line": 3}}]}',
     "r.json::$.findings[0].location: 'start_line' is a dependency of 'end_line'"),
])
def test_problems_are_one_line_each(data: bytes, problem: str) -> None:
    assert read(data) == InvalidReport('r.json', (problem,))


def test_yaml_syntax_errors_name_the_place() -> None:
    [problem] = read(b'version: 1\nb: [').problems  # type: ignore[union-attr]
    assert problem.startswith('r.json:3:1: not valid YAML: ')
    assert problem.endswith('; fix the syntax')


def test_a_byte_order_mark_is_fine() -> None:
    assert isinstance(read(b'\xef\xbb\xbf' + VALID), Report)


def test_problems_are_listed_in_document_order() -> None:
    findings = ','.join('{"title": "t", "severity": "x"}' for _ in range(12))
    data = f'{{"version": 1, "reviewer": {{"name": "a", "kind": "tool"}}, "findings": [{findings}]}}'
    result = read(data.encode())
    assert isinstance(result, InvalidReport)
    assert [p.split('::')[1].split(':')[0] for p in result.problems] == [
        f'$.findings[{i}].severity' for i in range(12)]


def test_oversized_reports_are_invalid_not_read(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('FINDINGS_GATE_MAX_REPORT_BYTES', '10')
    (tmp_path / 'big.json').write_bytes(VALID)
    [source] = sources.from_arguments(['big.json'])
    assert source.data == b''  # not read into memory
    assert sources.read(source) == InvalidReport(
        'big.json', (f'big.json: {len(VALID)} bytes, over the limit of 10 bytes for a report; '
                     f'split it, or raise FINDINGS_GATE_MAX_REPORT_BYTES',))


def test_standard_input() -> None:
    [source] = sources.from_arguments(['-'], io.BytesIO(VALID))
    assert source == sources.Source('-', VALID)


def test_notes_hold_one_report_per_line_or_one_document() -> None:
    found = sources.from_notes([('a' * 40, '{"x": 1}\n\n{"y": 2}\n'), ('b' * 40, 'version: 1\n')])
    assert found == [
        sources.Source('note:aaaaaaaaaaaa#1', b'{"x": 1}', commit='a' * 40),
        sources.Source('note:aaaaaaaaaaaa#2', b'{"y": 2}', commit='a' * 40),
        sources.Source('note:bbbbbbbbbbbb#1', b'version: 1\n', commit='b' * 40),
    ]
