"""A candidate policy decided beside the policy (`check --shadow-policy`, `shadow:`), and `action: monitor`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate import schema
from findings_gate.cli import main
from tests.conftest import Repo

POLICY = '''version: 1
rules:
  - {name: block-critical, severity: critical, action: block}
  - {name: warn-high, severity: high, action: warn}
default: ignore
'''
# blocks high findings too, and monitors the low ones
CANDIDATE = '''version: 1
rules:
  - {name: block-high, severity: high, action: block}
  - {name: watch-low, severity: low, action: monitor}
default: ignore
'''


def _finding(title: str, severity: str, line: int) -> dict[str, object]:
    return {'title': title, 'severity': severity, 'location': {'path': 'app.py', 'start_line': line}}


def _change(repo: Repo, policy: str = POLICY) -> str:
    """A staged change with a report of a high and a low finding on its added lines; the report's path."""
    repo.write('.findings-gate.yaml', policy)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 1\ny = eval(input())\nz = 2\n')
    repo.git('add', 'app.py')
    report = repo.root.parent / 'r.json'
    report.write_text(json.dumps({'version': 1, 'reviewer': {'name': 'bot', 'kind': 'tool'}, 'findings': [
        _finding('injection', 'high', 2), _finding('naming', 'low', 3)]}))
    return str(report)


def test_a_shadow_policy_differing_on_one_rule_is_shown_without_changing_the_exit_code(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    report = _change(repo)
    (repo.root.parent / 'candidate.yaml').write_text(CANDIDATE)
    candidate = str(repo.root.parent / 'candidate.yaml')
    assert main(['check', '--report', report, '--shadow-policy', candidate]) == 0
    out = capsys.readouterr().out
    assert (f'-- 2 decided otherwise by the shadow policy {candidate} (its verdict: block; '
            f'the exit code follows the policy)\n'
            'app.py:2: WARN warn-high -> BLOCK block-high: injection [bot]\n'
            'app.py:3: NOTE default -> MONITOR watch-low: naming [bot]\n') in out

    assert main(['check', '--report', report, '--shadow-policy', candidate, '--format', 'json']) == 0
    document = json.loads(capsys.readouterr().out)
    assert schema.problems('decision', document) == []
    assert document['verdict'] == 'warn'
    assert document['shadow']['verdict'] == 'block'
    assert [(d['decided']['rule'], d['shadow']) for d in document['shadow']['differences']] == [
        ('warn-high', {'action': 'block', 'rule': 'block-high'}),
        ('default', {'action': 'monitor', 'rule': 'watch-low'})]

    assert main(['check', '--report', report, '--shadow-policy', candidate, '--format', 'sarif']) == 0
    run = json.loads(capsys.readouterr().out)['runs'][0]
    assert run['properties']['shadow'] == {'policy': candidate, 'verdict': 'block', 'differences': 2}
    assert [r['properties'].get('shadow') for r in run['results']] == [
        {'action': 'block', 'policyRule': 'block-high'}, {'action': 'monitor', 'policyRule': 'watch-low'}]

    assert main(['check', '--report', report, '--shadow-policy', candidate, '--format', 'markdown']) == 0
    markdown = capsys.readouterr().out
    assert '\n### Shadow policy ' in markdown
    assert 'Its verdict: BLOCKED; the gate follows the policy. 2 findings decided otherwise.' in markdown
    assert '| WARN | BLOCK | <code>app\\.py:2</code> added | warn\\-high | block\\-high | injection |' in markdown


def test_the_policy_key_shadow_names_a_candidate_in_the_repository(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate/candidate.yaml', CANDIDATE)
    report = _change(repo, POLICY + 'shadow: .findings-gate/candidate.yaml\n')
    assert main(['check', '--report', report]) == 0
    assert '-- 2 decided otherwise by the shadow policy ' in capsys.readouterr().out


def test_a_shadow_key_naming_no_file_is_an_error(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    report = _change(repo, POLICY + 'shadow: candidate.yaml\n')
    assert main(['check', '--report', report]) == 2
    err = capsys.readouterr().err
    assert err.startswith('findings-gate: error: ')
    assert '::$.shadow: candidate.yaml is not in the work tree; commit the candidate policy there, ' \
           'or set `shadow: null`' in err


def test_a_monitored_finding_is_recorded_in_json_and_sarif_never_shown_and_never_blocks(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    report = _change(repo, POLICY.replace('action: warn}', 'action: monitor}'))
    assert main(['check', '--report', report]) == 0
    out = capsys.readouterr().out
    assert 'injection' not in out
    assert '2 findings' not in out and '1 finding and 1 monitored' in out
    for fmt in ('github', 'markdown', 'gitlab', 'rdjson', 'junit', 'html'):
        assert main(['check', '--report', report, '--format', fmt]) == 0
        assert 'injection' not in capsys.readouterr().out, fmt

    assert main(['check', '--report', report, '--format', 'json']) == 0
    document = json.loads(capsys.readouterr().out)
    assert schema.problems('decision', document) == []
    assert [(d['finding']['title'], d['action'], d['rule']) for d in document['monitored']] == [
        ('injection', 'monitor', 'warn-high')]
    assert [d['finding']['title'] for d in document['findings']] == ['naming']

    assert main(['check', '--report', report, '--format', 'sarif']) == 0
    run = json.loads(capsys.readouterr().out)['runs'][0]
    assert [r['message']['text'] for r in run['results'] if 'injection' in r['message']['text']] == []
    [monitored] = run['properties']['monitored']
    assert (monitored['title'], monitored['action'], monitored['policyRule'], monitored['line']) == (
        'injection', 'monitor', 'warn-high', 2)


def test_monitor_blocks_nothing_even_for_a_critical_finding(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    report = _change(repo, 'version: 1\nrules: [{name: watch, severity: low, action: monitor}]\n')
    assert main(['check', '--report', report]) == 0
    assert 'findings-gate: passed: 0 block, 0 warn, 0 note; 0 findings and 2 monitored' in capsys.readouterr().out


def test_a_saved_diff_outside_a_repository_takes_the_candidate_only_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'change.diff').write_text('diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n'
                                          '@@ -1 +1,2 @@\n x = 1\n+y = eval(input())\n')
    (tmp_path / 'r.json').write_text(json.dumps({'version': 1, 'reviewer': {'name': 'bot', 'kind': 'tool'},
                                                 'findings': [_finding('injection', 'high', 2)]}))
    (tmp_path / 'p.yaml').write_text(POLICY + 'shadow: candidate.yaml\n')
    (tmp_path / 'candidate.yaml').write_text(CANDIDATE)
    argv = ['check', '--diff-file', 'change.diff', '--report', 'r.json', '--policy', 'p.yaml']
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        'findings-gate: error: p.yaml::$.shadow: candidate.yaml is a file of the repository, and a saved diff '
        'outside one has none; pass --shadow-policy FILE, or gate in the repository\n')
    assert main([*argv, '--shadow-policy', 'candidate.yaml']) == 0
    assert 'app.py:2: WARN warn-high -> BLOCK block-high: injection [bot]\n' in capsys.readouterr().out
