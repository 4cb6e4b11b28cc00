"""Nothing softened by accident: a tool that did not run, and a verdict that contradicts the
findings a review states, are conditions the policy decides; neither is a pass.

- A SARIF log with `runs: []`, or a run whose invocation says `executionSuccessful:
  false`, is the condition `tool_failed` (block by default), whatever results it holds.
- A prose review that states CWE findings with their severity and also says "LGTM.",
  "the change looks secure" or opens with "No security defects are detected." keeps
  every finding; the report's verdict is `contradictory`, the condition
  `contradictory_verdict` (warn by default).

Each through the console script on a real change, at pre-commit and in CI.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate import schema
from findings_gate.cli import main
from tests.conftest import Repo

FAILED_RUN = {'version': '2.1.0', 'runs': [{
    'tool': {'driver': {'name': 'scanner', 'rules': [{'id': 'sqli'}]}},
    'invocations': [{'executionSuccessful': False, 'toolExecutionNotifications': [
        {'level': 'error', 'message': {'text': 'could not parse app.py'}}]}],
    'results': [],
}]}
NO_RUNS = {'version': '2.1.0', 'runs': []}
FINDINGS = '''\
1. **CWE-89: SQL Injection** (severity: high) - `find_user()` in `app.py` line 2 builds the query
   from the user's input.
2. **CWE-78: OS Command Injection** (severity: critical) - `find_user()` in `app.py` line 2 passes the
   name to a shell.
'''
CONTRADICTIONS = {
    'opens-no-defects': f'No security defects are detected.\n\n{FINDINGS}',
    'lgtm': f'{FINDINGS}\nLGTM.\n',
    'looks-secure': f'## Findings\n\n{FINDINGS}\nOverall, the change looks secure.\n',
}


@pytest.fixture
def change(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'def find_user(db, name):\n    return db.execute("SELECT 1")\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('app.py', 'def find_user(db, name):\n    return db.execute(f"SELECT {name}")\n')
    repo.git('add', '-A')
    return repo


def _github(monkeypatch: pytest.MonkeyPatch, repo: Repo, tmp_path: Path) -> None:
    """GitHub Actions' variables and event payload for a pull request from `topic`."""
    base, head = repo.git('rev-parse', 'main').strip(), repo.git('rev-parse', 'HEAD').strip()
    event = tmp_path / 'event.json'
    event.write_text(json.dumps({'pull_request': {'base': {'sha': base, 'ref': 'main'},
                                                  'head': {'sha': head, 'ref': 'topic'}}}))
    for name, value in {'GITHUB_ACTIONS': 'true', 'CI': 'true', 'GITHUB_EVENT_NAME': 'pull_request',
                        'GITHUB_EVENT_PATH': str(event), 'GITHUB_SHA': head, 'GITHUB_BASE_REF': 'main',
                        'GITHUB_HEAD_REF': 'topic', 'GITHUB_WORKSPACE': str(repo.root),
                        'GITHUB_STEP_SUMMARY': str(tmp_path / 'summary.md')}.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(('log', 'message'), [
    (NO_RUNS, '$.runs: empty; no tool ran (a log with no runs)'),
    (FAILED_RUN, '$.runs[0]: scanner did not run successfully (executionSuccessful: false): could not parse app.py'),
], ids=['no-runs', 'execution-failed'])
def test_a_tool_that_did_not_run_blocks(log: dict, message: str, change: Repo,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    change.write('.reviews/scan.sarif', json.dumps(log))
    change.git('add', '-A')
    assert main(['check']) == 1
    out = capsys.readouterr().out
    assert f'.reviews/scan.sarif: BLOCK tool_failed: {message}' in out.splitlines()
    assert main(['check', '--format', 'json']) == 1
    decision = json.loads(capsys.readouterr().out)
    assert [(c['kind'], c['action']) for c in decision['conditions']] == [('tool_failed', 'block')]
    assert decision['reports'][0]['failures'] == [message]
    assert schema.problems('decision', decision) == []


def test_a_tool_that_did_not_run_blocks_in_ci(change: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    change.write('.reviews/scan.sarif', json.dumps(NO_RUNS))
    change.commit('the change and its scan')
    _github(monkeypatch, change, tmp_path)
    assert main(['check', '--ci']) == 1
    out = capsys.readouterr().out
    head = change.git('rev-parse', 'HEAD').strip()[:12]
    assert (f'::error title=BLOCK tool_failed::{head}:.reviews/scan.sarif: $.runs: empty; no tool ran '
            f'(a log with no runs)') in out.splitlines()


def test_the_policy_decides_a_failed_tool(change: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    change.write('.findings-gate.yaml', 'version: 1\ntool_failed: warn\n')
    change.write('.reviews/scan.sarif', json.dumps(FAILED_RUN))
    change.git('add', '-A')
    assert main(['check']) == 0
    assert '.reviews/scan.sarif: WARN tool_failed: $.runs[0]: scanner' in capsys.readouterr().out


@pytest.mark.parametrize('review', CONTRADICTIONS.values(), ids=CONTRADICTIONS.keys())
def test_a_verdict_does_not_erase_the_findings_a_review_states(review: str, change: Repo,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    change.write('.reviews/review.md', review)
    change.git('add', '-A')
    assert main(['check']) == 1
    lines = capsys.readouterr().out.splitlines()
    found = [line for line in lines if line.startswith('app.py:2: ')]
    assert [line.split(' [')[0] for line in found] == [
        'app.py:2: BLOCK block-severe-on-change: SQL Injection in find_user',
        'app.py:2: BLOCK block-severe-on-change: OS Command Injection in find_user']
    assert ('.reviews/review.md: WARN contradictory_verdict: review\'s review states 2 findings and also that '
            'there are none; each is decided as a finding') in lines
    assert main(['check', '--format', 'json']) == 1
    decision = json.loads(capsys.readouterr().out)
    assert schema.problems('decision', decision) == []
    assert decision['reports'][0]['verdict'] == 'contradictory'
    assert main(['import', '.reviews/review.md']) == 0
    document = json.loads(capsys.readouterr().out)
    assert document['verdict'] == 'contradictory'
    assert [(f['severity'], f['cwe']) for f in document['findings']] == [('high', ['CWE-89']),
                                                                         ('critical', ['CWE-78'])]


def test_the_policy_decides_a_contradictory_verdict_in_ci(change: Repo, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    change.git('stash', '-q')
    change.git('checkout', '-q', 'main')
    change.write('.findings-gate.yaml', 'version: 1\ncontradictory_verdict: block\n')  # no rule: findings ignored
    change.commit('policy')
    change.git('checkout', '-q', 'topic')
    change.git('reset', '-q', '--hard', 'main')
    change.git('stash', 'pop', '-q')
    change.write('.reviews/review.md', CONTRADICTIONS['lgtm'])
    change.commit('the change and its review')
    _github(monkeypatch, change, tmp_path)
    assert main(['check', '--ci', '--format', 'text']) == 1
    out = capsys.readouterr().out
    head = change.git('rev-parse', 'HEAD').strip()[:12]
    assert f"{head}:.reviews/review.md: BLOCK contradictory_verdict: review's review states 2 findings" in out


def test_a_verdict_on_the_rest_is_no_contradiction(change: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    change.write('.reviews/review.md', f'{FINDINGS}\nApart from these, LGTM.\n')
    change.git('add', '-A')
    assert main(['check']) == 1
    out = capsys.readouterr().out
    assert 'contradictory_verdict' not in out and out.count('BLOCK block-severe-on-change') == 2


def test_a_native_report_can_say_it_is_contradictory_and_must_then_hold_findings(
        change: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    finding = {'title': 'SQL injection', 'severity': 'high', 'location': {'path': 'app.py', 'start_line': 2}}
    report = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'}, 'verdict': 'contradictory'}
    change.write('.reviews/a.json', json.dumps({**report, 'findings': [finding]}))
    change.write('.reviews/b.json', json.dumps({**report, 'findings': []}))
    change.git('add', '-A')
    assert main(['check']) == 1
    out = capsys.readouterr().out.splitlines()
    assert (".reviews/a.json: WARN contradictory_verdict: bot's review states 1 finding and also that there "
            'are none; each is decided as a finding') in out
    assert ("  .reviews/b.json::$.findings: must hold the findings the review states when verdict is "
            "'contradictory'") in out


def test_a_condition_names_the_reviewer_and_the_commit_of_its_note(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'a = 1\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('app.py', 'a = 2\n')
    head = repo.commit('change')
    (tmp_path / 'r.json').write_text(json.dumps({'version': 1, 'reviewer': {'name': 'security-llm', 'kind': 'llm'},
                                                 'complete': False, 'findings': []}))
    assert main(['attach', str(tmp_path / 'r.json')]) == 0
    capsys.readouterr()
    assert main(['check', '--base', 'main']) == 0
    assert (f"note:{head[:12]}#1: WARN incomplete_report: security-llm's review, the note on commit {head[:12]}, "
            f"was cut off (complete: false)") in capsys.readouterr().out.splitlines()
