"""`check --base-report`: the base's own report of the same tool stands for a baseline (real bandit output)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate.cli import main
from tests.analysers import bandit_sarif, ruff_sarif
from tests.conftest import Repo

BASE = 'import pickle\nimport subprocess\n\n\ndef load(x):\n    return pickle.loads(x)\n'
HEAD = 'import subprocess\n\n\ndef load(x):\n    subprocess.call(x, shell=True)\n    return x\n'
NEW_ONLY = 'version: 1\nrules:\n  - name: block-new\n    baseline: new\n    severity: low\n    action: block\n'


def _analysed(repo: Repo, tmp_path: Path, policy: str | None = None) -> tuple[str, str]:
    """main, and a branch `feature` that removes the pickle call and adds a shell call; bandit's
    SARIF of each commit saved outside the repository: (base report, head report)."""
    if policy is not None:
        repo.write('.findings-gate.yaml', policy)
    repo.write('app.py', BASE)
    repo.commit('base')
    (tmp_path / 'base.sarif').write_text(bandit_sarif(repo.root, 'app.py'))
    repo.git('checkout', '-q', '-b', 'feature')
    repo.write('app.py', HEAD)
    repo.commit('the change')
    (tmp_path / 'head.sarif').write_text(bandit_sarif(repo.root, 'app.py'))
    return str(tmp_path / 'base.sarif'), str(tmp_path / 'head.sarif')


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(['check', '--base', 'main', '--no-notes', *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_the_base_had_are_unchanged_and_the_ones_it_lost_are_fixed(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    base, head = _analysed(repo, tmp_path, NEW_ONLY)
    monkeypatch.chdir(repo.root)
    code, out, err = _check(capsys, '--report', head, '--base-report', base)
    assert (code, err) == (1, '')
    lines = out.splitlines()
    assert 'app.py:5:5: BLOCK block-new: subprocess call with shell=True identified, security issue [Bandit]' in lines
    assert ('app.py:1:1: NOTE default: Consider possible security implications associated with the subprocess '
            'module [Bandit] (baselined)') in lines
    assert "-- 2 in the base's reports, no longer found (fixed)" in lines
    assert lines[-1].endswith(f'; baseline --base-report {base}: 1 new, 1 unchanged, 2 fixed')
    decision = json.loads(_check(capsys, '--report', head, '--base-report', base, '--format', 'json')[1])
    assert sorted(f['baseline'] for f in decision['findings']) == ['new', 'unchanged']
    assert sorted(a['rule'] for a in decision['baseline']['absent']) == ['B301', 'B403']


def test_without_a_base_report_every_finding_is_new(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, head = _analysed(repo, tmp_path, NEW_ONLY)
    monkeypatch.chdir(repo.root)
    assert _check(capsys, '--report', head)[1].count('BLOCK block-new') == 2


def test_a_base_report_of_another_tool_is_an_error(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, head = _analysed(repo, tmp_path)
    monkeypatch.chdir(repo.root)
    (tmp_path / 'ruff.sarif').write_text(ruff_sarif(repo.root, 'app.py'))
    code, out, err = _check(capsys, '--report', head, '--base-report', str(tmp_path / 'ruff.sarif'))
    assert (code, out) == (2, '')
    assert err == (f"findings-gate: error: --base-report {tmp_path / 'ruff.sarif'}: a report of 'ruff', and this "
                   f"run has no report of it (it has 'Bandit'); pass the base's report of the same tool\n")


def test_a_base_report_that_names_another_commit_is_an_error(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    base, head = _analysed(repo, tmp_path)
    monkeypatch.chdir(repo.root)
    main_commit, head_commit = (repo.git('rev-parse', ref).strip() for ref in ('main', 'HEAD'))
    log = json.loads(Path(base).read_text())
    for commit, code in ((main_commit, 1), (head_commit, 2)):  # as GitHub's upload-sarif adds it
        log['runs'][0]['versionControlProvenance'] = [{'repositoryUri': 'https://example.com/r', 'revisionId': commit}]
        Path(base).write_text(json.dumps(log))
        got, out, err = _check(capsys, '--report', head, '--base-report', base)
        assert got == code, err
    assert err == (f'findings-gate: error: --base-report {base}: a report of commit {head_commit[:12]}, not of the '
                   f'base {main_commit[:12]}; pass the report of the base commit\n')
    native = {'version': 1, 'reviewer': {'name': 'Bandit', 'kind': 'tool'}, 'change': {'revision': 'f' * 40},
              'findings': []}
    Path(base).write_text(json.dumps(native))
    assert _check(capsys, '--report', head, '--base-report', base)[2] == (
        f'findings-gate: error: --base-report {base}: a report of commit ffffffffffff, not of the base '
        f'{main_commit[:12]}; pass the report of the base commit\n')


@pytest.mark.parametrize('why', ['baseline', 'diff-file', 'invalid'])
def test_a_base_report_that_cannot_stand_for_a_baseline_is_an_error(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        why: str) -> None:
    base, head = _analysed(repo, tmp_path)
    monkeypatch.chdir(repo.root)
    args = ['--report', head, '--base-report', base]
    if why == 'baseline':
        repo.write('.findings-gate/baseline.json', '{"version": 1, "findings": []}')
        expected = ('--base-report and the baseline .findings-gate/baseline.json both say which findings are old; '
                    'pass one: drop --base-report, or remove the baseline file')
    elif why == 'diff-file':
        (tmp_path / 'change.diff').write_text(repo.git('diff', 'main', 'HEAD'))
        capsys.readouterr()
        code = main(['check', '--diff-file', str(tmp_path / 'change.diff'), *args])
        assert (code, capsys.readouterr().err) == (2, 'findings-gate: error: --base-report needs the base commit, '
                                                      'which a saved diff or a new history does not name; gate a '
                                                      'range (--base REF)\n')
        return
    else:
        Path(base).write_text('{"version": 1}')
        expected = f"--base-report {base}::$: 'reviewer' is a required property"
    code, _, err = _check(capsys, *args)
    assert code == 2
    assert err.splitlines()[0] == f'findings-gate: error: {expected}'


def test_a_report_of_the_base_branch_tip_is_placed_on_that_commit(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, head = _analysed(repo, tmp_path, NEW_ONLY)
    monkeypatch.chdir(repo.root)
    repo.git('checkout', '-q', 'main')  # main moves on: two lines above the import move every finding down
    repo.write('app.py', '"""The app."""\n\n' + BASE)
    tip = repo.commit('main moves on')
    log = json.loads(bandit_sarif(repo.root, 'app.py'))
    log['runs'][0]['versionControlProvenance'] = [{'repositoryUri': 'https://example.com/r', 'revisionId': tip}]
    (tmp_path / 'tip.sarif').write_text(json.dumps(log))
    repo.git('checkout', '-q', 'feature')
    code, out, err = _check(capsys, '--report', head, '--base-report', str(tmp_path / 'tip.sarif'))
    assert (code, err) == (1, '')
    assert out.splitlines()[-1].endswith(': 1 new, 1 unchanged, 2 fixed')


def test_a_base_report_on_standard_input_beside_another_is_an_error(
        repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    assert _check(capsys, '--report', '-', '--base-report', '-') == (
        2, '', 'findings-gate: error: --base-report - and another input both want standard input; save one to a file\n')
