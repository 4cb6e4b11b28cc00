"""Reports whose paths are not the repository's: mapped, or decided no softer than if they were placed.

An analyser run in a container names `/github/workspace/src/app.py`, one run in a
subdirectory names `app.py`; a SARIF log names its root as the analysing machine
had it; macOS spells é in two code points, a person types `SRC/App.py`. Each
case through the console script on real git.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from findings_gate.cli import main
from tests.conftest import Repo, gitlab_merge_request

VECTORS = Path(__file__).parent / 'vectors'
BANDIT = VECTORS / 'bandit-1.9.4'  # bandit -f sarif -r /github/workspace/src, as a container action runs it
RUFF = VECTORS / 'ruff-0.17.6'  # ruff in /workspace


def _branch(repo: Repo, monkeypatch: pytest.MonkeyPatch, base: dict[str, str], change: dict[str, str]) -> str:
    """Commit `base` on main and `change` on a branch; return the base commit."""
    monkeypatch.chdir(repo.root)
    for path, text in base.items():
        repo.write(path, text)
    first = repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    for path, text in change.items():
        repo.write(path, text)
    repo.commit('the change')
    return first


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(['check', '--no-notes', '--format', 'json', *args])
    return code, json.loads(capsys.readouterr().out)


def _placed(decision: dict[str, Any]) -> list[tuple[str | None, str, str]]:
    return [(f.get('path'), f['placement'], f['rule']) for f in decision['findings']]


def _report(tmp_path: Path, document: dict[str, Any], name: str = 'review.json') -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding='utf-8')
    return str(path)


def _tool(path: str, line: int, severity: str = 'high') -> dict[str, Any]:
    return {'version': 1, 'reviewer': {'name': 'scanner', 'kind': 'tool'},
            'findings': [{'title': 'shell injection', 'severity': severity, 'rule': 'B602',
                          'location': {'path': path, 'start_line': line}}]}


@pytest.fixture
def github(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Repo:
    """A pull request on GitHub Actions adding src/app.py, with the variables the runner sets."""
    base = _branch(repo, monkeypatch, {'README.md': 'hello\n'}, {'src/app.py': (BANDIT / 'src/app.py').read_text()})
    head = repo.git('rev-parse', 'HEAD').strip()
    event = tmp_path / 'event.json'
    event.write_text(json.dumps({'pull_request': {'base': {'sha': base}, 'head': {'sha': head}}}))
    for name, value in {
        'CI': 'true', 'GITHUB_ACTIONS': 'true', 'GITHUB_EVENT_NAME': 'pull_request',
        'GITHUB_EVENT_PATH': str(event), 'GITHUB_WORKSPACE': str(repo.root), 'GITHUB_SHA': head,
        'GITHUB_REF': 'refs/pull/7/merge', 'GITHUB_REPOSITORY': 'octo/app', 'RUNNER_OS': 'Linux',
    }.items():
        monkeypatch.setenv(name, value)
    return repo


def test_a_container_analysers_finding_blocks_and_says_which_source_root_to_pass(
        github: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, decision = _check(capsys, '--ci', '--report', str(BANDIT / 'bandit.sarif'))
    assert (code, decision['verdict']) == (1, 'block')
    assert _placed(decision) == [(None, 'unlocated', 'warn-unlocated'), (None, 'unlocated', 'block-severe-unplaced')]
    assert decision['findings'][1]['reason'] == (
        "'/github/workspace/src/app.py' is outside the repository; if the analyser saw the repository at "
        '/github/workspace, pass --source-root /github/workspace')


def test_a_source_root_places_a_container_analysers_findings(
        github: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, decision = _check(capsys, '--ci', '--report', str(BANDIT / 'bandit.sarif'),
                            '--source-root', '/github/workspace')
    assert _placed(decision) == [('src/app.py', 'added', 'warn-in-changed-files'),
                                 ('src/app.py', 'added', 'block-severe-on-change')]
    assert decision['findings'][1]['lines'] == {'start': 5, 'end': 5}
    assert code == 1


def test_a_source_root_inside_the_repository_for_an_analyser_run_in_a_subdirectory(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """GitLab CI; ruff ran in services/api and wrote `app.py`; the change edits services/web/app.py too."""
    base = _branch(repo, monkeypatch, {'services/web/app.py': 'x = 1\n'},
                   {'services/api/app.py': (RUFF / 'app.py').read_text(), 'services/web/app.py': 'x = 2\n'})
    for name, value in {**gitlab_merge_request(repo, base, 'main'), 'CI_PROJECT_DIR': str(repo.root)}.items():
        monkeypatch.setenv(name, value)
    _, decision = _check(capsys, '--ci', '--report', str(RUFF / 'gitlab.json'))
    assert {f['reason'] for f in decision['findings']} == {"'app.py' matches 2 files"}
    code, decision = _check(capsys, '--ci', '--report', str(RUFF / 'gitlab.json'), '--source-root', 'services/api')
    assert {(path, placement) for path, placement, _ in _placed(decision)} == {('services/api/app.py', 'added')}
    assert (code, len(decision['findings'])) == (0, 6)


def test_the_policys_path_map(repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _branch(repo, monkeypatch, {'.findings-gate.yaml': 'version: 1\npath_map: {/workspace: .}\n'},
            {'app.py': (RUFF / 'app.py').read_text()})
    _, decision = _check(capsys, '--base', 'main', '--report', str(RUFF / 'rdjson.json'))
    assert {(path, placement) for path, placement, _ in _placed(decision)} == {('app.py', 'added')}


def test_a_path_map_into_the_parent_directory_is_refused(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _branch(repo, monkeypatch, {'.findings-gate.yaml': 'version: 1\npath_map: {/workspace: ../other}\n'}, {})
    assert main(['check', '--base', 'main']) == 2
    assert capsys.readouterr().err == (
        "findings-gate: error: .findings-gate.yaml::$.path_map['/workspace']: '../other' is not a directory "
        'of the repository; write it from the repository root, . for the root\n')


def test_a_sarif_logs_source_root_stands_for_the_repository(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CodeQL-style log made on another machine: src/app.py under %SRCROOT%, which was /home/runner/..."""
    _branch(repo, monkeypatch, {}, {'src/app.py': (BANDIT / 'src/app.py').read_text()})
    log = {'version': '2.1.0', 'runs': [{
        'tool': {'driver': {'name': 'CodeQL', 'rules': [
            {'id': 'py/command-line-injection', 'properties': {'security-severity': '9.8'}}]}},
        'originalUriBaseIds': {'%SRCROOT%': {'uri': 'file:///home/runner/work/app/app/'}},
        'results': [{'ruleId': 'py/command-line-injection', 'ruleIndex': 0, 'level': 'error',
                     'message': {'text': 'This command line depends on a user-provided value.'},
                     'locations': [{'physicalLocation': {
                         'artifactLocation': {'uri': 'src/app.py', 'uriBaseId': '%SRCROOT%'},
                         'region': {'startLine': 5}}}]}],
    }]}
    code, decision = _check(capsys, '--base', 'main', '--report', _report(tmp_path, log, 'codeql.sarif'))
    assert _placed(decision) == [('src/app.py', 'added', 'block-severe-on-change')]
    assert code == 1


def test_a_name_in_another_unicode_form_is_the_same_file(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    composed = unicodedata.normalize('NFC', 'src/café.py')
    _branch(repo, monkeypatch, {}, {composed: 'import os\nos.system(input())\n'})
    decomposed = unicodedata.normalize('NFD', composed)  # as an analyser on macOS writes it
    assert decomposed != composed
    code, decision = _check(capsys, '--base', 'main', '--report', _report(tmp_path, _tool(decomposed, 2)))
    assert _placed(decision) == [(composed, 'added', 'block-severe-on-change')]
    assert code == 1


def test_a_path_that_differs_only_in_case_is_unlocated_with_a_hint(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _branch(repo, monkeypatch, {}, {'src/app.py': 'import os\nos.system(input())\n'})
    code, decision = _check(capsys, '--base', 'main', '--report', _report(tmp_path, _tool('SRC/App.py', 2)))
    assert _placed(decision) == [(None, 'unlocated', 'block-severe-unplaced')]
    assert decision['findings'][0]['reason'] == (
        "'SRC/App.py' is not in the repository; src/app.py differs from it only in case")
    assert code == 1


def test_prose_that_names_code_that_is_not_there_still_warns(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _branch(repo, monkeypatch, {}, {'src/app.py': 'import os\nos.system(input())\n'})
    review = {**_tool('src/server.py', 2), 'reviewer': {'name': 'a model', 'kind': 'llm'}}
    code, decision = _check(capsys, '--base', 'main', '--report', _report(tmp_path, review))
    assert _placed(decision) == [(None, 'unlocated', 'warn-ungrounded')]
    assert code == 0
