"""Format detection by content: a sample of every format, as the tools and people write them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from findings_gate import read
from findings_gate.errors import GateError
from findings_gate.read import detect
from tests import codeclimate_read_test as cc
from tests import rdjson_read_test as rd

PROSE = Path(__file__).parent / 'prose'
SARIF_CORPUS = Path(__file__).parent.parent.parent / 'shared' / 'corpus' / 'sarif'


NATIVE_JSON = json.dumps({
    'version': 1, 'reviewer': {'name': 'gpt', 'kind': 'llm'},
    'findings': [{'title': 'SQL injection', 'severity': 'high', 'location': {'path': 'a.py', 'start_line': 3}}],
}, indent=2)

NATIVE = [
    pytest.param(NATIVE_JSON, id='native-json'),
    pytest.param(json.dumps(json.loads(NATIVE_JSON)), id='native-json-one-line'),
    pytest.param('{"$schema": "https://example.invalid/report.schema.json", "version": 1, '
                 '"reviewer": {"name": "a", "kind": "human"}, "findings": []}', id='native-json-schema-first'),
    pytest.param('{"version": 1}', id='native-json-incomplete'),  # the schema says what is missing
    pytest.param('\ufeff{"findings": [], "version": 1, "reviewer": {"name": "a", "kind": "tool"}}',
                 id='native-json-bom'),
    pytest.param('version: 1\nreviewer: {name: gpt, kind: llm}\nfindings: []\n', id='native-yaml'),
    pytest.param('# review of abc123\n---\nreviewer:\n  name: alice\n  kind: human\nversion: 1\nfindings:\n'
                 '  - title: t\n    severity: low\n', id='native-yaml-comment-and-marker'),
    pytest.param("'findings': []\n'version': 1\n", id='native-yaml-quoted-keys'),
    pytest.param('verdict: no-findings\nversion: 1\nreviewer: {name: a, kind: human}\nfindings: []\n',
                 id='native-yaml-verdict-first'),
    pytest.param('{"version": 1, "reviewer": {"name": "x", "kind": "tool"}, "findings": [{"title": "t", '
                 '"severity": "low", "message": "see \\"runs\\": and \\"diagnostics\\":"}]}',
                 id='native-json-quoting-other-keys'),
]

TEXT = [pytest.param(p.read_bytes(), id=f'prose-{p.name}') for p in sorted(PROSE.iterdir())
        if p.suffix in ('.md', '.txt')] + [
    pytest.param('The change looks fine to me. LGTM.\n', id='prose-lgtm'),
    pytest.param('## Review\n\n1. **SQL injection** in `views.py` line 42.\n', id='prose-markdown'),
    pytest.param('- [ ] views.py:42 builds SQL from user input\n', id='prose-task-list'),
    pytest.param('[WARNING] /src/main/java/App.java:[12,5] unchecked call\n', id='prose-maven-warning'),
    pytest.param('---\ntitle: Security review\n---\n\nNo issues found.\n', id='prose-front-matter'),
    pytest.param('src/a.c:12:5: warning: unused variable `x` [-Wunused-variable]\n', id='prose-gcc'),
    pytest.param('[1] SQL injection in views.py:42\n[2] Missing auth check in admin.py:10\n',
                 id='prose-bracketed-numbers'),
    pytest.param('[2024-05-01 10:02] alice: the handler in views.py builds SQL from user input\n',
                 id='prose-chat-log'),
    pytest.param('[ ] views.py:42 builds SQL from user input\n[x] tests added\n',
                 id='prose-checkbox'),
    pytest.param('{code}\nquery = "SELECT * FROM t WHERE id=" + id\n{code}\nThis is SQL injection.\n',
                 id='prose-jira-code-block'),
    pytest.param('---\nreviewer: alice\n---\n\n# Review of PR 12\n\n1. SQL injection in views.py line 4\n',
                 id='prose-front-matter-naming-the-reviewer'),
]

SARIF_INLINE = json.dumps({
    '$schema': 'https://json.schemastore.org/sarif-2.1.0.json', 'version': '2.1.0',
    'runs': [{'tool': {'driver': {'name': 'bandit'}}, 'results': []}],
})
SARIF = [pytest.param(SARIF_INLINE, id='sarif-inline'),
         pytest.param('{"version": "2.1.0", "runs": []}', id='sarif-no-schema')] + [
    pytest.param(p.read_bytes(), id=f'sarif-{p.name}') for p in sorted(SARIF_CORPUS.glob('*.sarif'))
    if 'INVALID_JSON' not in p.name  # broken on purpose: not JSON at all
]

RDJSON = [
    pytest.param(rd.README_RDJSON, id='rdjson-reviewdog-readme'),
    pytest.param(json.dumps(rd.PARSER_EXAMPLE), id='rdjson-reviewdog-parser-example'),
    pytest.param(rd.ESLINT_RDJSON, id='rdjson-eslint'),
    pytest.param('{"source": {"name": "clean"}, "diagnostics": []}', id='rdjson-empty'),
]

RDJSONL = [
    pytest.param(rd.GOLANGCI_RDJSONL, id='rdjsonl-golangci'),
    pytest.param('{"message": "<msg>", "location": {"path": "<file path>", "range": {"start": {"line": 14, '
                 '"column": 15}}}, "severity": "ERROR"}\n', id='rdjsonl-one-line'),
    pytest.param('\n{"message": "a", "severity": "ERROR"}\r\n\r\n{"message": "b"}\r\n', id='rdjsonl-crlf-blank'),
]

CODECLIMATE = [
    pytest.param(cc.GITLAB_EXAMPLE, id='codeclimate-gitlab-docs'),
    pytest.param(cc.PHPSTAN, id='codeclimate-phpstan'),
    pytest.param(cc.ESLINT_GITLAB, id='codeclimate-eslint-gitlab'),
    pytest.param(cc.CODECLIMATE_ANALYZE, id='codeclimate-analyze'),
    pytest.param('[{"description": "d", "fingerprint": "f", "location": {"path": "a.py", "lines": {"begin": 1}}}]',
                 id='codeclimate-gitlab-minimal'),
    pytest.param('[]', id='codeclimate-empty-array'),
    pytest.param(cc.RUBOCOP_STREAM, id='codeclimate-engine-nul-stream'),
    pytest.param('{"type": "issue", "check_name": "Rubocop/Style/X", "description": "d", "categories": ["Style"], '
                 '"location": {"path": "a.rb", "lines": {"begin": 1}}}', id='codeclimate-one-issue-object'),
]

BANDIT_JSON = json.dumps({
    'errors': [], 'generated_at': '2024-05-01T10:00:00Z', 'metrics': {'_totals': {'loc': 10}},
    'results': [{'code': '1 import subprocess\n', 'filename': 'a.py', 'issue_confidence': 'HIGH',
                 'issue_cwe': {'id': 78, 'link': 'https://cwe.mitre.org/data/definitions/78.html'},
                 'issue_severity': 'LOW', 'issue_text': 'Consider possible security implications.',
                 'line_number': 1, 'line_range': [1], 'test_id': 'B404', 'test_name': 'blacklist'}],
})
ESLINT_JSON = json.dumps([{
    'filePath': '/src/a.js', 'messages': [{'ruleId': 'no-unused-vars', 'severity': 2, 'message': "'x' is unused.",
                                           'line': 1, 'column': 7, 'endLine': 1, 'endColumn': 8}],
    'suppressedMessages': [], 'errorCount': 1, 'warningCount': 0,
}])
GOLANGCI_JSON = json.dumps({'Issues': [{'FromLinter': 'errcheck', 'Text': 'Error return value is not checked',
                                        'Pos': {'Filename': 'main.go', 'Line': 15, 'Column': 9}}],
                            'Report': {'Linters': [{'Name': 'errcheck', 'Enabled': True}]}})
SEMGREP_JSON = json.dumps({
    'errors': [], 'paths': {'scanned': ['app.py']},
    'results': [{'check_id': 'python.lang.security.audit.eval-detected.eval-detected',
                 'path': 'app.py', 'start': {'line': 5, 'col': 5, 'offset': 73},
                 'end': {'line': 5, 'col': 22, 'offset': 90},
                 'extra': {'message': 'Detected the use of eval().', 'severity': 'WARNING'}}],
    'version': '1.56.0',
})

UNKNOWN = [
    pytest.param('[1, 2]', id='unknown-array-of-numbers'),
    pytest.param('{"foo": 1}', id='unknown-object'),
    pytest.param(BANDIT_JSON, id='unknown-bandit-json'),
    pytest.param(ESLINT_JSON, id='unknown-eslint-json'),
    pytest.param(GOLANGCI_JSON, id='unknown-golangci-lint-json'),
    pytest.param(SEMGREP_JSON, id='unknown-semgrep-json'),
]


def as_bytes(data: str | bytes) -> bytes:
    return data.encode() if isinstance(data, str) else data


@pytest.mark.parametrize('data', NATIVE)
def test_native(data: str | bytes) -> None:
    assert detect(as_bytes(data)) == 'native'


@pytest.mark.parametrize('data', TEXT)
def test_prose(data: str | bytes) -> None:
    assert detect(as_bytes(data)) == 'text'


@pytest.mark.parametrize('data', SARIF)
def test_sarif(data: str | bytes) -> None:
    assert detect(as_bytes(data)) == 'sarif'


def test_the_sarif_corpus_is_read() -> None:
    if not SARIF_CORPUS.is_dir():
        pytest.skip(f'the SARIF corpus is not beside this checkout ({SARIF_CORPUS})')
    assert len(SARIF) > 10


@pytest.mark.parametrize('data', RDJSON)
def test_rdjson(data: str | bytes) -> None:
    assert detect(as_bytes(data)) == 'rdjson'


@pytest.mark.parametrize('data', RDJSONL)
def test_rdjsonl(data: str | bytes) -> None:
    assert detect(as_bytes(data)) == 'rdjsonl'


@pytest.mark.parametrize('data', CODECLIMATE)
def test_codeclimate(data: str | bytes) -> None:
    assert detect(as_bytes(data)) == 'codeclimate'


@pytest.mark.parametrize('data', UNKNOWN)
def test_unknown_json_is_refused_by_name(data: str | bytes) -> None:
    assert detect(as_bytes(data)) == 'unknown'
    with pytest.raises(GateError) as e:
        read.parse(as_bytes(data), 'out.json')
    hint = read.tool_output(as_bytes(data))
    assert (hint is None) == (data in ('[1, 2]', '{"foo": 1}'))  # each tool's own JSON is named
    assert str(e.value) == (f'out.json: {hint}, which the gate reads (or pass --report-format)' if hint else (
        'out.json: not a report in a known format (tried native, text, sarif, rdjson, rdjsonl, codeclimate, '
        'github-comments, github-reviews, gitlab-discussions, gerrit-comments); '
        'pass --report-format or write a native report'))


def test_broken_json_says_where() -> None:
    with pytest.raises(GateError) as e:
        read.parse(b'{"version": 1, "findings": [}', 'r.json')
    assert str(e.value) == 'r.json:1:29: not valid JSON: Expecting value; fix the syntax'


def test_one_diagnostic_without_a_location_needs_its_format_named() -> None:
    # nothing in it says rdjsonl that semgrep's JSON (message, severity WARNING) does not say too
    data = b'{"message": "build failed: missing go.sum entry", "severity": "ERROR"}\n'
    assert detect(data) == 'unknown'
    assert read.parse(data, 'r.jsonl', 'rdjsonl')['findings'] == [
        {'title': 'build failed: missing go.sum entry', 'severity': 'high'}]


def test_only_the_first_64_kib_is_looked_at() -> None:
    padding = ' ' * 70000
    assert detect(f'{{{padding}"diagnostics": []}}'.encode()) == 'unknown'
    assert detect(f'{{"diagnostics": [{padding}]}}'.encode()) == 'rdjson'


@pytest.mark.parametrize(('data', 'module'), [
    (rd.README_RDJSON, 'rdjson'), (rd.GOLANGCI_RDJSONL, 'rdjson'), (cc.GITLAB_EXAMPLE, 'codeclimate'),
])
def test_detected_formats_reach_their_reader(data: str, module: str) -> None:
    reader = {'rdjson': rd.read, 'codeclimate': cc.read}[module]
    assert read.parse(data.encode(), 'r.json') == reader(data)


def test_an_analysers_own_json_says_to_run_it_for_sarif(tmp_path: Path) -> None:
    (tmp_path / 'a.py').write_text('import subprocess\nsubprocess.call("ls", shell=True)\n')
    bandit = subprocess.run([str(Path(sys.executable).parent / 'bandit'), '-q', '-f', 'json', 'a.py'], cwd=tmp_path,
                            capture_output=True)  # real bandit (the test extra), exit 1: it found something
    (tmp_path / 'bandit.json').write_bytes(bandit.stdout)
    ruff = Path(__file__).parent / 'vectors' / 'ruff-0.17.6' / 'json.json'  # ruff check --output-format json
    for path, hint in ((tmp_path / 'bandit.json', "bandit's JSON: run bandit with -f sarif (pip install 'bandit[sarif]')"),
                       (ruff, "ruff's JSON: run ruff check with --output-format sarif")):
        done = subprocess.run([sys.executable, '-m', 'findings_gate', 'validate', path.name], cwd=path.parent,
                              capture_output=True, text=True)
        assert (done.returncode, done.stdout) == (
            1, f'{path.name}: {hint}, which the gate reads (or pass --report-format)\n')
