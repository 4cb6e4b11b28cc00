"""The prose reader, on reviews written for these tests and on the five seed reviews."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate.errors import GateError
from findings_gate.model import Report
from findings_gate.read import detect, prose, sources

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


def places(document: dict) -> list[tuple]:
    """Each finding's file, lines and severity."""
    return [(f.get('location', {}).get('path'), f.get('location', {}).get('start_line'),
             f.get('location', {}).get('end_line'), f['severity']) for f in document['findings']]


@pytest.mark.parametrize(('review', 'expected'), [
    ('src/a.py:12\n**alice**:\nThis does not check the length before copying, an overflow.\n',
     [('src/a.py', 12, 12, 'medium')]),
    ('src/a.py\n```diff\n@@ -8,3 +10,4 @@ def f():\n     x = 1\n-    y = 2\n+    y = read()\n+    run(y)\n```\n'
     '**alice**:\nThis runs whatever the user sent, a command injection.\n',
     [('src/a.py', 12, 12, 'medium')]),
    ('src/a.py:40\n**helper[bot]**:\nThe loop skips the last element.\n\n- `src/a.py#L31-L33`: start at 0.\n'
     '- `tests/a_test.py#L5`: add a case.\n', [('src/a.py', 31, 33, 'medium')]),
    ('src/a.py (line 12)\nCode context:\n@@ -1,2 +1,3 @@\n a\n+b\n**alice** commented:\nThis is wrong: '
     'the lock is never released.\n', [('src/a.py', 12, 12, 'medium')]),
], ids=['path-line', 'hunk-counted', 'body-overrides', 'export'])
def test_a_thread_is_placed_by_its_anchor_unless_its_body_names_a_place(review: str, expected: list) -> None:
    assert places(prose.read(review, 'r.md')) == expected


@pytest.mark.parametrize('review', [
    'src/a.py:3\n**alice**:\nIs this moved somewhere else?\n',
    'src/a.py:3\n**alice**:\n```suggestion\nname = value\n```\n',
], ids=['question', 'bare-suggestion'])
def test_a_thread_without_a_defect_is_a_note_not_a_refusal(review: str) -> None:
    document = prose.read(review, 'r.md')
    assert (document['verdict'], document['findings']) == ('no-findings', [])


@pytest.mark.parametrize(('mark', 'severity'), [
    ('**<sub><sub>![P1 Badge](https://img.shields.io/badge/P1-orange?style=flat)</sub></sub>  Drops input**', 'high'),
    ('<img alt="P2" src="https://example.com/badges/p2.svg"> **Drops input**', 'medium'),
    ('![security-high](https://example.com/security-high-priority.svg) ![high](https://example.com/high-priority.svg)',
     'high'),
    ('_⚠️ Potential issue_ | _🟠 Major_\n\n**Drops input.**', 'high'),
    ('_⚠️ Potential issue_ | _🟡 Minor_', 'low'),
    ('### Drops input\n\n**Critical Severity**', 'critical'),
    ('**issue (bug_risk):** Drops input.', 'medium'),
], ids=['codex', 'greptile', 'gemini', 'coderabbit-major', 'coderabbit-minor', 'bugbot', 'sourcery'])
def test_a_review_bots_mark_makes_a_finding_of_its_severity(mark: str, severity: str) -> None:
    review = f'src/a.ts:7\n**reviewer[bot]**:\n{mark}\n\nThe handler resolves before the answer arrives.\n'
    assert places(prose.read(review, 'r.md')) == [('src/a.ts', 7, 7, severity)]


def test_the_analyser_results_a_bot_quotes_are_one_finding_each() -> None:
    review = ('src/run.py\n**coderabbitai[bot]**:\n_⚠️ Potential issue_ | _🟠 Major_\n\n**Shell execution of input.**\n\n'
              '<details>\n<summary>🪛 Ruff</summary>\n\n95-95: `subprocess` call with `shell=True` identified\n\n'
              '103-103: `subprocess` call with `shell=True` identified\n\n</details>\n')
    assert places(prose.read(review, 'r.md')) == [('src/run.py', 95, 95, 'high'), ('src/run.py', 103, 103, 'high')]


def test_a_bugbot_locations_block_is_one_finding_per_place() -> None:
    review = ('src/a.rs:994\n**cursor[bot]**:\n### Sync drops a publish\n\n**Medium Severity**\n\n'
              'It clears the flag.\n\n<!-- LOCATIONS START\nsrc/a.rs#L734-L739\nsrc/a.rs#L712-L718\nLOCATIONS END -->\n')
    assert places(prose.read(review, 'r.md')) == [('src/a.rs', 734, 739, 'medium'), ('src/a.rs', 712, 718, 'medium')]


@pytest.mark.parametrize(('review', 'expected'), [
    ('/home/me/project/src/app.js\n  4:9   error  \'a\' is assigned a value but never used  no-unused-vars\n'
     '  7:1   warning  Unexpected console statement  no-console\n',
     [('/home/me/project/src/app.js', 4, 4, 'high'), ('/home/me/project/src/app.js', 7, 7, 'medium')]),
    ('./app/views.py\n  15:12  HIGH  py/no-pickle (CWE-502) pickle.loads() deserializes untrusted data\n'
     '        return pickle.loads(request.data)\n  15:12  CRITICAL  py/taint (CWE-502) request data reaches pickle\n',
     [('app/views.py', 15, 15, 'high'), ('app/views.py', 15, 15, 'critical')]),
    ('WARNING in src/routes/a.js\n  Line 13:10:  \'user\' is assigned a value but never used  no-unused-vars\n',
     [('src/routes/a.js', 13, 13, 'medium')]),
    ('```\n[/src/app/api.go:93] - G304 (CWE-22): Potential file inclusion via variable '
     '(Confidence: HIGH, Severity: MEDIUM)\n[/src/app/run.go:51] - G204 (CWE-78): Subprocess launched with variable '
     '(Confidence: HIGH, Severity: HIGH)\n```\n', [('/src/app/api.go', 93, 93, 'medium'), ('/src/app/run.go', 51, 51, 'high')]),
    ('Possible SQL injection vector through string-based query construction.\n\nLocation: app/db.py:373\n',
     [('app/db.py', 373, 373, 'medium')]),
    ('*** CID 1396237:    (TAINTED_SCALAR)\n/lib/pdb/tpi.c: 2316 in parse_types()\n2316     parse(x);\n'
     '*** CID 1396237:    (TAINTED_SCALAR)\n/lib/pdb/tpi.c: 2316 in parse_types()\n',
     [('lib/pdb/tpi.c', 2316, 2316, 'medium')]),
    ('|Lines|Severity|Category|File|Link|\n---|---|---|---|---\n[90](https://github.com/o/r/blob/main/src/A.java#L90)'
     ' |Medium|Unchecked_Input|src/A.java|link|\n', [('src/A.java', 90, 90, 'medium')]),
    ('✗ [Medium] Path Traversal\n  Path: src/app.js, line 12\n  Info: input reaches fs.readFile.\n\n'
     '✗ [High] SQL Injection\n  Path: src/db.js, line 40\n', [('src/app.js', 12, 12, 'medium'), ('src/db.js', 40, 40, 'high')]),
    ('  src/app.py\n     python.lang.security.audit.subprocess-shell-true\n        Found subprocess with shell=True.\n\n'
     '         12┆ subprocess.call(cmd, shell=True)\n          ⋮┆----------------------------------------\n'
     '         40┆ subprocess.run(x, shell=True)\n', [('src/app.py', 12, 12, 'medium'), ('src/app.py', 40, 40, 'medium')]),
], ids=['eslint-stylish', 'stylish-cwe', 'create-react-app', 'gosec', 'bandit-location', 'coverity', 'linked-row',
        'snyk-cli', 'semgrep-cli'])
def test_every_pasted_scanner_result_is_its_own_finding(review: str, expected: list) -> None:
    document = prose.read(review, 'r.md')
    assert places(document) == expected
    assert document['reviewer']['kind'] == 'tool'


def test_a_scanner_results_cwe_is_its_own() -> None:
    review = '```\n[/src/api.go:93] - G304 (CWE-22): Potential file inclusion via variable\n```\n'
    assert [f['cwe'] for f in prose.read(review, 'r.md')['findings']] == [['CWE-22']]


@pytest.mark.parametrize('review', [
    'LGTM\n', 'Looks fine to me, ship it.\n', 'I found no problems with this change.\n',
    'Scan completed with zero findings.\n', 'Nice catch! Thank you!\n', 'Verdict: PASS\n',
    'Copilot reviewed 3 out of 3 changed files in this pull request and generated no comments.\n',
])
def test_a_short_approval_is_a_verdict_of_no_findings(review: str) -> None:
    document = prose.read(review, 'r.md')
    assert (document['verdict'], document['findings']) == ('no-findings', [])


@pytest.mark.parametrize('review', [
    'The code LGTM, but this newly created file lacks the SPDX licence identifier.\n',
    'Add a reference to the spec here.\nOtherwise LGTM,\nReviewed-by: A Reviewer <a@example.com>\n',
    'The name from the URL is concatenated into the query, so I could easily inject my own SQL into this.\n\n'
    "I'm good if we decide to merge this now.\n",
], ids=['lgtm-but', 'otherwise-lgtm', 'fine-to-merge'])
def test_an_approval_that_excepts_a_defect_keeps_it_and_is_contradictory(review: str) -> None:
    document = prose.read(review, 'r.md')
    assert document['verdict'] == 'contradictory'
    assert len(document['findings']) == 1


@pytest.mark.parametrize(('review', 'expected'), [
    ('# [Security] pickle used for data deserialization\n\n**File:** `config.py` (line 247)\n\n'
     'pickle should not be used on untrusted input.\n', [('config.py', 247, 247, 'medium')]),
    ('# Hardcoded API key in source files\n\nI found a hardcoded live API key.\n\n**Affected files:**\n'
     '- `verification.py` (line 5)\n- `verify.js` (line 5)\n\nRotate the key.\n',
     [('verification.py', 5, 5, 'medium'), ('verify.js', 5, 5, 'medium')]),
    ('# B602 on package.py\n\nhttps://github.com/o/r/blob/00a71723bbefb191c3fb622b3e34c693a2ca4930/package.py'
     '#L945C1-L945C36\n\nShell=True causes a critical bandit finding.\n', [('package.py', 945, 945, 'critical')]),
    ('# XSS: dangerouslySetInnerHTML renders descriptions\n\nThe descriptions are not sanitized.\n\n'
     '| File | Line | What |\n|---|---|---|\n| `src/pages/[id].tsx` | 447-449 | `desc` |\n| `src/potd.tsx` | 258 | `d` |\n',
     [('src/pages/[id].tsx', 447, 449, 'medium'), ('src/potd.tsx', 258, 258, 'medium')]),
    ('# Dashboard: stored XSS via innerHTML\n\n## Summary\n\n`dashboard.py` renders names from the database with '
     '`innerHTML`.\n\n### Suggested fix\n\nEscape the values in `buildFilterUI`, `renderSessionsTable`, and '
     '`renderModelCostTable`.\n',
     [('dashboard.py', None, None, 'medium')] * 3),
], ids=['file-field', 'one-per-place', 'permalink-column', 'table-rows', 'functions-in-one-sentence'])
def test_an_issue_that_reports_a_defect_is_a_finding_where_it_says(review: str, expected: list) -> None:
    assert places(prose.read(review, 'r.md')) == expected


@pytest.mark.parametrize(('text', 'cwes'), [
    ('The query is built by string concatenation, an SQL injection.', ['CWE-89']),
    ('It renders the name with innerHTML: stored XSS.', ['CWE-79']),
    ('It calls subprocess.run(cmd, shell=True) on the name.', ['CWE-78']),
    ('The key was written in the repository.', ['CWE-798']),
    ('It reads the file the user names.', []),
])
def test_a_weakness_named_plainly_implies_its_cwe(text: str, cwes: list[str]) -> None:
    from findings_gate.read.prose import mentions
    assert mentions.implied_cwes(text) == cwes


def test_a_name_before_a_cwe_id_reads_as_a_name() -> None:
    from findings_gate.read.prose import mentions
    assert mentions.cwe_names('it runs subprocess.call(cmd, shell=True) (CWE-78).') == {}
    assert mentions.cwe_names('OS Command Injection (CWE-78) in run.') == {'CWE-78': 'OS Command Injection'}


@pytest.mark.parametrize(('review', 'complete'), [
    ('The handler trusts the header and the attacker can set it to any val', False),
    ('Found one issue.\n\n```python\nrun(x)\n', False),
    ('Found one issue.\n\n<details>\n<summary>Fix</summary>\n\nUse a list.\n', False),
    ('The loop drops the last element and the count is wrong...', False),
    ('| Line | Severity | File |\n|---|---|---|\n| 4 | High | src/a', False),
    ('Found one issue.\n\n```python\nrun(x)\n```', True),
    ('src/a.js\n  4:9  error  unused  no-unused-vars', True),
])
def test_a_text_is_incomplete_only_where_the_copy_cut_it(review: str, complete: bool) -> None:
    assert prose.truncated(review.split('\n')) is not complete


def test_reading_is_linear_in_the_text() -> None:
    """An 80 KB paragraph naming CWE-89 many times and a list past item 999 read in one pass each:
    the name readers look only near each id, and every numbered item is its own unit."""
    from findings_gate.read.prose import mentions
    calls = []
    search = mentions._NAME_BEFORE.search

    class Counting:
        def search(self, text: str, pos: int = 0, endpos: int = 2 ** 31) -> object:
            calls.append(min(endpos, len(text)) - pos)
            return search(text, pos, endpos)

    paragraph = ' '.join(f'Query {i} concatenates input, SQL Injection (CWE-89).' for i in range(1500))
    original, mentions._NAME_BEFORE = mentions._NAME_BEFORE, Counting()
    try:
        mentions.cwe_names(paragraph)
    finally:
        mentions._NAME_BEFORE = original
    assert len(paragraph) > 80_000 and max(calls, default=0) < 400
    items = '\n'.join(f'{i}. CWE-89 (high): `db.py` line {i} concatenates input.' for i in range(1, 1201))
    assert len(prose.read(items, 'r.md')['findings']) == 1200


def test_a_mailed_patch_reviews_inline_comments_are_findings_at_the_quoted_lines() -> None:
    review = ('On Thu, Mar 17, 2022 at 02:21:06PM -0700, A Developer wrote:\n'
              '> diff --git a/fs/x/mount.c b/fs/x/mount.c\n> --- a/fs/x/mount.c\n> +++ b/fs/x/mount.c\n'
              '> @@ -650,6 +650,9 @@ int mount(void)\n>  \tint a;\n> +\t/* reserve blocks */\n> +\tb = 1;\n\n'
              'The comment says blocks, but this reserves inodes; the wording is wrong.\n\n'
              '>  \treturn 0;\n\nOtherwise LGTM,\nReviewed-by: A Reviewer <a@example.com>\n')
    document = prose.read(review, 'r.txt')
    assert document['verdict'] == 'contradictory'
    assert places(document) == [('fs/x/mount.c', 652, 652, 'medium')]
