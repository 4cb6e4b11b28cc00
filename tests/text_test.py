"""The prose reader, on reviews written for these tests and on the five seed reviews."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate.read import sources
from findings_gate.errors import GateError
from findings_gate.read import detect
from findings_gate.read import prose
from findings_gate.model import Report

PROSE = Path(__file__).parent / 'prose'
SEEDS = Path(__file__).parent.parent.parent / 'shared' / 'fixtures' / 'seeds'
REVIEWS = sorted(p for p in PROSE.iterdir() if p.suffix in ('.md', '.txt'))


def summary(document: dict) -> dict:
    """What a reader checks first: verdict, completeness, and each finding's claims."""
    return {
        'verdict': document['verdict'],
        'complete': document['complete'],
        'kind': document['reviewer']['kind'],
        'notes': len(document.get('notes', [])),
        'findings': [
            [f['title'], f['severity'], f.get('cwe', []),
             {k: v for k, v in f.get('location', {}).items() if k != 'start_column'}]
            for f in document['findings']
        ],
    }


@pytest.mark.parametrize('path', REVIEWS, ids=[p.name for p in REVIEWS])
def test_each_review_reads_as_recorded(path: Path, request: pytest.FixtureRequest) -> None:
    """tests/prose/<review>.json records the whole reading; --update-golden rewrites it."""
    try:
        document: object = prose.parse(path.read_bytes(), path.name)
    except GateError as e:
        document = {'error': str(e)}
    expected = path.with_suffix(path.suffix + '.json')
    got = json.dumps(document, indent=2, ensure_ascii=False) + '\n'
    if request.config.getoption('--update-golden'):
        expected.write_text(got)
    assert got == expected.read_text()


@pytest.mark.parametrize('path', REVIEWS, ids=[p.name for p in REVIEWS])
def test_each_reading_is_a_valid_native_report(path: Path) -> None:
    assert detect(path.read_bytes()) == 'text'
    report = sources.read(sources.Source(path.name, path.read_bytes()))
    if path.name == 'unreadable.txt':
        assert not isinstance(report, Report)
    else:
        assert isinstance(report, Report), report


EXPECTED = {
    'coderabbit-style.md': {
        'verdict': 'findings', 'complete': True, 'kind': 'human', 'notes': 2, 'findings': [
            ['Session token compared with `==` instead of a constant-time comparison', 'medium',
             ['CWE-208'], {'path': 'src/server/auth.ts', 'symbol': 'verifySession'}]]},
    'human-lgtm.txt': {'verdict': 'no-findings', 'complete': True, 'kind': 'human', 'notes': 1,
                       'findings': []},
    'llm-no-vulns.txt': {'verdict': 'no-findings', 'complete': True, 'kind': 'llm', 'notes': 2,
                         'findings': []},
    'qualified-no.md': {'verdict': 'findings', 'complete': True, 'kind': 'human', 'notes': 0, 'findings': [
        ['Reflected XSS', 'medium', ['CWE-79'], {'path': 'templates/search.html', 'start_line': 12, 'end_line': 12}],
        ['Open redirect', 'medium', [], {'path': 'views.py', 'start_line': 30, 'end_line': 34}]]},
    'prompt-echo.txt': {'verdict': 'findings', 'complete': True, 'kind': 'human', 'notes': 0, 'findings': [
        ['Use of Hard-coded Credentials in connect', 'medium', ['CWE-798'],
         {'path': 'db/client.py', 'start_line': 9, 'end_line': 9, 'symbol': 'connect'}]]},
    'truncated-fence.md': {'verdict': 'findings', 'complete': False, 'kind': 'human', 'notes': 0,
                           'findings': [['OS Command Injection in backup', 'medium', ['CWE-78'],
                                         {'symbol': 'backup'}]]},
}


@pytest.mark.parametrize('name', EXPECTED)
def test_what_a_reader_checks_first(name: str) -> None:
    assert summary(prose.parse((PROSE / name).read_bytes(), name)) == EXPECTED[name]


def test_scanner_text_is_read_as_a_tool_report() -> None:
    bandit = prose.parse((PROSE / 'bandit.txt').read_bytes(), 'bandit.txt')
    assert bandit['reviewer']['kind'] == 'tool'
    assert [(f['rule'], f['severity'], f['cwe'], f['location']['path'], f['location']['start_line'])
            for f in bandit['findings']] == [
        ('B608', 'medium', ['CWE-89'], 'app/db.py', 31), ('B602', 'high', ['CWE-78'], 'app/tasks.py', 14)]
    gcc = prose.parse((PROSE / 'gcc-warnings.txt').read_bytes(), 'gcc-warnings.txt')
    assert [(f.get('rule'), f['severity'], f['location']['start_column']) for f in gcc['findings']] == [
        ('-Wsign-compare', 'medium', 12), ('-Wimplicit-function-declaration', 'high', 5), (None, 'info', 9)]


def test_every_finding_says_where_in_the_review_it_was_read() -> None:
    for path in REVIEWS[:-1]:
        try:
            document = prose.parse(path.read_bytes(), path.name)
        except GateError:
            continue
        lines = path.read_text().split('\n')
        for finding in document['findings']:
            span = finding['source']
            assert 1 <= span['start_line'] <= span['end_line'] <= len(lines), path


# the five seeds: what a careful security engineer reads in each
SEED_FINDINGS = {
    'seed-000.txt': [
        (['CWE-284'], {'CWE-284': 'Improper Access Control'}, 'trunk.py', 'trunk_by_port_provider', None),
        (['CWE-435'], {'CWE-435': 'Improper Interaction Between Multiple Entities'}, 'trunk.py',
         'update_subport_bindings', None),
        (['CWE-664'], {'CWE-664': 'Improper Control of a Resource Through its Lifetime'}, 'trunk.py',
         'update_trunk_status', None),
        (['CWE-682'], {'CWE-682': 'Incorrect Calculation'}, 'trunk.py', 'trunk_by_port_provider', None),
        (['CWE-703'], {'CWE-703': 'Protection Mechanism Failure'}, 'trunk.py', 'trunk_by_port_provider', None),
        (['CWE-710'], {'CWE-710': 'Improper Check or Handling of Exceptional Conditions'}, 'trunk.py',
         'trunk_by_port_provider', None),
    ],
    'seed-001.txt': [],
    'seed-002.txt': [],
    'seed-003.txt': [
        (['CWE-284'], {'CWE-284': 'Improper Access Control'}, None, '_trigger_trunk_status_change', (418, 436)),
        (['CWE-664'], {'CWE-664': 'Improper Control of a Resource Through its Lifetime'}, None, 'update_trunk',
         (241, 258)),
        (['CWE-691'], {'CWE-691': 'Insufficient Control Flow Management'}, None, None, (67, 98)),
        (['CWE-693'], {'CWE-693': 'Protection Mechanism Failure'}, None, None, (431, 435)),
    ],
    'seed-004.txt': [],
}


def read_seed(name: str) -> dict:
    if not SEEDS.is_dir():
        pytest.skip(f'the seed reviews are not beside this checkout ({SEEDS})')
    return prose.parse((SEEDS / name).read_bytes(), name)


@pytest.mark.parametrize('name', SEED_FINDINGS)
def test_seed_findings(name: str) -> None:
    document = read_seed(name)
    got = []
    for f in document['findings']:
        loc = f.get('location', {})
        lines = (loc['start_line'], loc['end_line']) if 'start_line' in loc else None
        got.append((f['cwe'], f['cwe_names'], loc.get('path'), loc.get('symbol'), lines))
    assert got == SEED_FINDINGS[name]
    assert document['verdict'] == ('findings' if SEED_FINDINGS[name] else 'no-findings')
    assert document['reviewer']['kind'] == 'llm'


def test_seed_000_is_cut_off_and_its_remedies_are_its_suggestions() -> None:
    document = read_seed('seed-000.txt')
    assert document['complete'] is False
    assert [f['source']['start_line'] for f in document['findings']] == [2, 3, 4, 5, 6, 7]
    assert document['findings'][0]['suggestion'].startswith('Implement proper access control')
    assert 'notes' not in document


def test_seeds_001_002_004_keep_their_advice_as_notes() -> None:
    for name, count in (('seed-001.txt', 9), ('seed-002.txt', 8), ('seed-004.txt', 10)):
        document = read_seed(name)
        assert document['complete'] is True
        assert len(document['notes']) == count, name


def test_seed_003_reads_solutions_and_keeps_general_improvements_apart() -> None:
    document = read_seed('seed-003.txt')
    assert document['complete'] is True
    assert [f['suggestion'][:20] for f in document['findings']] == [
        'Implement role-based', 'Implement transactio', 'Ensure that the syst', 'Add checks to verify']
    assert document['notes'][0].startswith('Error Handling and Logging:')
    assert 'doesn’t' in document['findings'][1]['message']  # mojibake repaired


@pytest.mark.parametrize(('review', 'complete'), [
    ('The fix is done.', True),
    ('1. Use parameterized queries', True),
    ('## Summary', True),
    ('The handler does not close the file when the', False),
    ('This could lead to a leak of the session data and allows an attacker to', False),
    ('It is introduced due', False),
    ('See the snippet:\n```python\nx = 1\n', False),
    ('- **Severity**: High, since the', False),
    ('The function returns (', False),
])
def test_truncation(review: str, complete: bool) -> None:
    assert prose.truncated(review.split('\n')) is not complete


@pytest.mark.parametrize('conclusion', [
    'No security defects are detected in the code.',
    'No vulnerabilities were found.',
    'I did not find any security issues in this change.',
    "I didn't identify any vulnerabilities.",
    'There are no security vulnerabilities in the provided code.',
    'The code does not appear to contain any security flaws.',
    'Nothing to report.',
    'LGTM',
    'The change looks secure.',
    "**Conclusion:** '''No security defects are detected in the code'''.",
    'Vulnerabilities found: none',
    'The code is free of known security vulnerabilities.',
    'No issues.',
    "I couldn't find any problems with this patch.",
])
def test_paraphrases_of_no_defects(conclusion: str) -> None:
    review = f'{conclusion}\n\nSome thoughts:\n1. Consider more logging around `connect` (line 12).\n'
    document = prose.read(review, 'r.txt')
    assert (document['verdict'], document['findings'], len(document['notes'])) == ('no-findings', [], 1)


@pytest.mark.parametrize('statement', [
    'No critical issues were found, but one injection remains.',
    'No other defects were found.',
    'If no security defects are detected, say so.',
])
def test_qualified_or_conditional_statements_are_not_a_verdict(statement: str) -> None:
    review = f'{statement}\n\n1. CWE-89: SQL Injection - `find_user()` in `db.py` line 4 concatenates input.\n'
    document = prose.read(review, 'r.txt')
    assert document['verdict'] == 'findings'
    assert document['findings'][0]['location'] == {
        'path': 'db.py', 'start_line': 4, 'end_line': 4, 'symbol': 'find_user'}


def test_an_unreadable_text_is_an_error_not_a_pass() -> None:
    with pytest.raises(GateError, match='states no finding, no advice and no verdict'):
        prose.read('Thanks, will look tomorrow.\n', 'r.txt')


@pytest.mark.parametrize(('review', 'cwes'), [
    ('No security defects are detected.\n\n### 1. CWE-78: OS Command Injection\n- **Severity**: Critical\n'
     '- **Location**: `tasks.py`, line 14, `backup()`\n- **Description**: the name is passed to a shell.\n',
     [['CWE-78']]),
    ('| Issue | CWE | Severity | Location |\n|---|---|---|---|\n| SQL injection | CWE-89 | High | db.py:4 |\n\nLGTM.\n',
     [['CWE-89']]),
    ('**CWE-798 Hard-coded credentials (Critical)** in `config.py` line 3.\n\nOverall, the change looks secure.\n',
     [['CWE-798']]),
    ('Based on the provided code, I have identified the following:\n\n1. CWE-89 (SQL Injection) - High: '
     '`find_user` at line 4 of `db.py` builds SQL from input.\n\nIn conclusion, no security defects are '
     'detected in the code.\n', [['CWE-89']]),
    ('No security defects are detected.\n\n1. CWE-89: SQL Injection - `find_user()` in `db.py` line 4 '
     'concatenates user input.\n', [['CWE-89']]),
    ('The change looks secure. However, CWE-22 path traversal with high severity exists in `files.py` line 9.\n',
     [['CWE-22']]),
], ids=['fields', 'table', 'bold-line', 'llm-dash-level', 'defect-at-a-place', 'one-paragraph'])
def test_a_stated_finding_survives_any_verdict(review: str, cwes: list[list[str]]) -> None:
    document = prose.read(review, 'r.md')
    assert document['verdict'] == 'contradictory'
    assert [f['cwe'] for f in document['findings']] == cwes


@pytest.mark.parametrize('review', [
    'No security defects are detected.\n\n1. Consider CWE-20 input validation in `db.py` line 4 (low).\n',
    'No security defects are detected.\n\nTo prevent CWE-89 (high), keep using parameterized queries.\n',
])
def test_advice_that_names_a_cwe_is_no_finding_under_a_verdict_of_none(review: str) -> None:
    document = prose.read(review, 'r.md')
    assert (document['verdict'], document['findings']) == ('no-findings', [])
