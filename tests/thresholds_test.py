"""One-flag thresholds (`--fail-on`, `--placements`) and `--base auto`, on real git."""
from __future__ import annotations

import json

import pytest

from findings_gate.cli import main
from tests.conftest import Repo, fetch_origin

REPORT = {'version': 1, 'reviewer': {'name': 'sec-bot', 'kind': 'tool'}, 'findings': [
    {'title': 'eval of input', 'severity': 'high', 'rule': 'B307', 'location': {'path': 'app.py', 'start_line': 2}},
]}


def _branch(repo: Repo) -> None:
    """main with app.py, and a branch `feature` whose commit adds a line the report flags."""
    repo.write('app.py', 'def run(cmd):\n    return cmd\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'feature')
    repo.write('app.py', 'def run(cmd):\n    return eval(cmd)\n')
    repo.write('.reviews/bot.json', json.dumps(REPORT))
    repo.commit('the change')


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(['check', *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_fail_on_blocks_from_the_severity_it_names(repo: Repo, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _branch(repo)
    monkeypatch.chdir(repo.root)
    assert _check(capsys, '--base', 'main')[0] == 1
    code, out, _ = _check(capsys, '--base', 'main', '--fail-on', 'critical')
    assert code == 0
    assert 'app.py:2: WARN warn-in-changed-files: eval of input' in out
    code, out, _ = _check(capsys, '--base', 'main', '--placements', 'context')
    assert code == 0  # added lines no longer count
    code, out, _ = _check(capsys, '--base', 'main', '--fail-on', 'high', '--format', 'json')
    assert code == 1
    assert json.loads(out)['findings'][0]['rule'] == 'fail-on'


def test_a_flag_a_policy_file_already_says_is_accepted_one_it_does_not_is_an_error(
        repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write('.findings-gate.yaml', 'version: 1\nrules:\n  - name: block-high\n    severity: high\n'
                                      '    placement: [added, context]\n    action: block\n')
    _branch(repo)
    monkeypatch.chdir(repo.root)
    code, out, _ = _check(capsys, '--base', 'main', '--fail-on', 'high', '--placements', 'context,added')
    assert (code, 'BLOCK block-high' in out) == (1, True)
    code, out, err = _check(capsys, '--base', 'main', '--placements', 'added')
    assert (code, out) == (2, '')
    assert err == ('findings-gate: error: --placements added conflicts with the policy .findings-gate.yaml, '
                   "whose rules decide what blocks (blocking rules: 'block-high') and none blocks what the "
                   'flag says; drop the flag, or change the policy\n')


@pytest.mark.parametrize(('args', 'error'), [
    (('--fail-on', 'severe'), "--fail-on 'severe': not a severity; name one of critical, high, medium, low, info"),
    (('--placements', 'added,near'), "--placements 'added,near': near is not a placement; name some of "
                                     'added,context,symbol,deleted,file,untouched,unlocated, comma-separated'),
])
def test_a_wrong_flag_is_one_line_and_exit_2(repo: Repo, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], error: str) -> None:
    _branch(repo)
    monkeypatch.chdir(repo.root)
    assert _check(capsys, '--base', 'main', *args) == (2, '', f'findings-gate: error: {error}\n')


def test_base_auto_is_the_upstream_then_origin_head_then_the_default_branch(
        repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _branch(repo)
    monkeypatch.chdir(repo.root)
    repo.git('branch', '-m', 'main', 'trunk')
    code, _, err = _check(capsys, '--base', 'auto')
    assert (code, err) == (2, 'findings-gate: error: --base auto: the current branch has no upstream, origin/HEAD '
                              'is not set, and there is no main or master branch; pass --base REF, or set an '
                              'upstream (git branch --set-upstream-to)\n')
    repo.git('config', 'init.defaultBranch', 'trunk')
    assert '(--base auto: trunk, the default branch)' in _check(capsys, '--base', 'auto')[1]
    fetch_origin(repo)
    repo.git('remote', 'set-head', 'origin', 'trunk')
    assert '(--base auto: origin/trunk, origin/HEAD)' in _check(capsys, '--base', 'auto')[1]
    repo.git('branch', '-q', '--set-upstream-to', 'origin/feature')
    code, out, _ = _check(capsys, '--base', 'auto')
    assert code == 0  # against its own upstream the branch changes nothing
    assert '(--base auto: origin/feature, the upstream of the current branch)' in out
