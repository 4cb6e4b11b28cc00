"""A key written twice in one object or mapping: an error naming the key and its line, never the
last value silently kept (a finding's `severity: critical` later written `severity: info`).

Through the real gate on a real repository: a report with a key twice is an invalid
report, blocked by the default policy; a policy, a waivers file or a baseline with
one is exit 2.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from findings_gate import documents
from findings_gate.cli import main
from tests.conftest import Repo

FINDING = '{"title": "SQL injection", "severity": "critical", "cwe": ["CWE-89"],\n' \
          '     "location": {"path": "app.py", "start_line": 1},\n     "severity": "info"}'
NATIVE_JSON = '{"version": 1, "reviewer": {"name": "bot", "kind": "llm"},\n "findings": [\n    ' + FINDING + ']}\n'
NATIVE_YAML = '''\
version: 1
reviewer: {name: bot, kind: llm}
findings:
  - title: SQL injection
    severity: critical
    location: {path: app.py, start_line: 1}
    severity: info
'''
SARIF = '''\
{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner"}},
  "results": [{"ruleId": "sqli", "level": "error", "message": {"text": "SQL injection"},
               "level": "none"}]}]}
'''
RDJSONL = ('{"message": "one", "location": {"path": "app.py", "range": {"start": {"line": 1}}}}\n'
           '{"message": "two", "severity": "ERROR", "location": {"path": "app.py"}, "severity": "INFO"}\n')
CODECLIMATE = ('[{"type": "issue", "check_name": "sqli", "description": "SQL injection", "severity": "blocker",\n'
               '  "location": {"path": "app.py", "lines": {"begin": 1}}, "severity": "info"}]\n')


@pytest.fixture
def staged(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 2\n')
    repo.git('add', 'app.py')
    return repo


@pytest.mark.parametrize(('name', 'text', 'problem'), [
    ('r.json', NATIVE_JSON, "r.json:5:6: the key 'severity' is written twice in one object (first on line 3)"),
    ('r.yaml', NATIVE_YAML, "r.yaml:7:5: the key 'severity' is written twice in one mapping (first on line 5)"),
    ('r.sarif.json', SARIF, "r.sarif.json:3:16: the key 'level' is written twice in one object (first on line 2)"),
    ('r.rdjsonl.json', RDJSONL, "r.rdjsonl.json:2:73: the key 'severity' is written twice in one object "
                                "(first on line 2)"),
    ('r.cc.json', CODECLIMATE, "r.cc.json:2:58: the key 'severity' is written twice in one object "
                               "(first on line 1)"),
], ids=['native-json', 'native-yaml', 'sarif', 'rdjsonl', 'codeclimate'])
def test_a_report_with_a_key_twice_is_invalid_and_blocks(name: str, text: str, problem: str, staged: Repo,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    staged.write(f'.reviews/{name}', text)
    assert main(['check']) == 1
    out = capsys.readouterr().out
    assert f'  .reviews/{problem}; keep one' in out.splitlines(), out
    assert f'.reviews/{name}: BLOCK invalid_report: not a valid report (1 problem)' in out


def test_validate_names_the_key_and_its_line(staged: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    staged.write('r.json', NATIVE_JSON)
    assert main(['validate', 'r.json']) == 1
    assert capsys.readouterr().out == (
        "r.json:5:6: the key 'severity' is written twice in one object (first on line 3); keep one\n")


@pytest.mark.parametrize(('name', 'text', 'error'), [
    ('.findings-gate.yaml', 'version: 1\ndefault: block\ninvalid_report: block\ndefault: ignore\n',
     ".findings-gate.yaml:4:1: the key 'default' is written twice in one mapping (first on line 2)"),
    ('.findings-gate.yaml', '{"version": 1, "default": "block",\n "default": "ignore"}\n',
     ".findings-gate.yaml:2:2: the key 'default' is written twice in one mapping (first on line 1)"),
    ('.findings-gate/waivers.yaml', 'version: 1\nwaivers:\n  - {reason: r, owner: o, expires: 2099-01-01,\n'
                                    '     rule: x, path: app.py, rule: y}\n',
     ".findings-gate/waivers.yaml:4:29: the key 'rule' is written twice in one mapping (first on line 4)"),
    ('.findings-gate/baseline.json', '{"version": 1, "findings": [],\n "findings": []}\n',
     ".findings-gate/baseline.json:2:2: the key 'findings' is written twice in one object (first on line 1)"),
], ids=['policy-yaml', 'policy-json', 'waivers', 'baseline'])
def test_configuration_with_a_key_twice_is_an_error(name: str, text: str, error: str, staged: Repo,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    staged.write(name, text)
    staged.write('.reviews/r.json', json.dumps({'version': 1, 'reviewer': {'name': 'b', 'kind': 'llm'},
                                                'findings': []}))
    assert main(['check']) == 2
    assert capsys.readouterr() == ('', f'findings-gate: error: {error}; keep one\n')


def test_merge_keys_and_equal_keys_in_different_mappings_are_fine(staged: Repo,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    staged.write('.findings-gate.yaml', 'version: 1\nrules:\n  - &r {name: a, severity: high, action: block}\n'
                                        '  - <<: *r\n    name: b\n    action: warn\n')
    assert main(['policy', 'check']) == 0
    assert capsys.readouterr().out.startswith('.findings-gate.yaml: valid policy\n')


def _walked(value: object) -> int:
    """The depth check_depth's walk counts: levels of arrays and objects."""
    if isinstance(value, dict):
        return 1 + max(map(_walked, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_walked, value), default=0)
    return 0


_TRICKY = st.text(alphabet='[]{}"\\\n/:,é\u2028 abn', max_size=8)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TRICKY, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.sampled_from([None, 2]), st.booleans())
def test_the_depth_read_from_the_text_is_the_walks(value: object, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert documents.depth(text) == min(_walked(value), documents.MAX_DEPTH + 1)
    assert documents.depth(text.encode()) == documents.depth(text)


@pytest.mark.parametrize('text', [r'["\\", [["\"]"]]]', r'{"k\\":[1]}', r'["\\\"[", []]', '"[[["', '[' * 150 + ']' * 150])
def test_the_depth_of_escapes_and_brackets_in_strings(text: str) -> None:
    assert documents.depth(text) == min(_walked(json.loads(text)), documents.MAX_DEPTH + 1)
