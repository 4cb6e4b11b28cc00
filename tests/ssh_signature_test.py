"""Signed reports: `attach --sign`, `trust: {signers: FILE}` and `require: signed`, with keys
made by ssh-keygen here and real git.

The base commit's policy asks for ann's signed review of every change under
src/; its allowed-signers file lists ann's key. The CI job (GitLab) reads the
policy and the allowed signers from the base commit.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from findings_gate.cli import main
from tests.conftest import Repo, gitlab_merge_request

pytestmark = pytest.mark.skipif(shutil.which('ssh-keygen') is None, reason='no ssh-keygen on PATH')

POLICY = '''\
version: 1
rules:
  - {name: block-high, severity: high, action: block}
require:
  - {name: ann-signed, paths: ["src/**"], reviewer: ann, signed: true}
trust: {signers: .findings-gate/allowed_signers}
config_changed: block
'''
ANN = {'version': 1, 'reviewer': {'name': 'ann', 'kind': 'human'}, 'verdict': 'no-findings', 'findings': []}


def _key(directory: Path, name: str) -> tuple[Path, str]:
    """A new ed25519 key: the private key file, and the line that allows it to sign as `name`."""
    path = directory / name
    subprocess.run(('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', str(path)), check=True)
    kind, key = path.with_suffix('.pub').read_text().split()[:2]
    return path, f'{name} {kind} {key}\n'


@pytest.fixture
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    directory = tmp_path_factory.mktemp('keys')
    return {name: _key(directory, name) for name in ('ann', 'mallory')}


@pytest.fixture
def ci(repo: Repo, keys: dict[str, tuple[Path, str]], monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', POLICY)
    repo.write('.findings-gate/allowed_signers', keys['ann'][1])
    repo.write('src/app.py', 'def run(cmd):\n    return cmd\n')
    base = repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('src/app.py', 'import os\ndef run(cmd):\n    return os.system(cmd)\n')
    repo.commit('the change')
    for name, value in gitlab_merge_request(repo, base, 'main').items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv('CI_COMMIT_SHA', 'HEAD')
    return repo


def _attach(report: dict, *args: str) -> int:
    Path('../review.json').write_text(json.dumps(report))
    return main(['attach', '../review.json', *args])


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(['check', '--ci', '--format', 'text'])
    return code, capsys.readouterr().out


def _unmet(ci: Repo, why: str) -> str:
    head = ci.git('rev-parse', 'HEAD').strip()[:12]
    return ('change: BLOCK require: ann-signed: each changed file matching src/** needs 1 ann report by distinct '
            f'reviewers; 1 file has fewer; not counted: note:{head}#1 {why}\n  src/app.py\n')


def test_a_report_signed_by_its_reviewers_key_counts_and_an_unsigned_one_does_not(
        ci: Repo, keys: dict[str, tuple[Path, str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert _attach(ANN) == 0
    code, out = _check(capsys)
    assert code == 1
    assert _unmet(ci, 'is not signed (signed: true)') in out
    assert _attach(ANN, '--sign', str(keys['ann'][0])) == 0
    assert ', signed, a review of ' in capsys.readouterr().out
    assert len(ci.git('notes', '--ref=refs/notes/reviews', 'show', 'HEAD').splitlines()) == 1  # signed in its place
    main_tip = ci.git('rev-parse', 'main').strip()[:12]
    assert _check(capsys) == (0, 'findings-gate: passed: 0 block, 0 warn, 0 note; 0 findings from 1 report on '
                                 f'{main_tip}...{ci.git("rev-parse", "HEAD").strip()[:12]}; '
                                 f'configuration from commit {main_tip}\n')


def test_a_report_signed_by_another_key_or_altered_after_signing_counts_for_nothing(
        ci: Repo, keys: dict[str, tuple[Path, str]], capsys: pytest.CaptureFixture[str]) -> None:
    finding = {'title': 'shell injection', 'severity': 'high', 'location': {'path': 'src/app.py', 'start_line': 3}}
    assert _attach({**ANN, 'verdict': 'findings', 'findings': [finding]}, '--sign', str(keys['mallory'][0])) == 0
    code, out = _check(capsys)
    assert code == 1
    assert _unmet(ci, 'is signed, but the signature does not hold: no key the allowed signers list for ann '
                      'made it') in out
    assert 'src/app.py:3: BLOCK block-high: shell injection [ann]' in out  # its findings are still decided
    # ann's signed report, its finding taken out by someone who can push the notes ref
    ci.git('notes', '--ref=refs/notes/reviews', 'remove', 'HEAD')
    assert _attach({**ANN, 'verdict': 'findings', 'findings': [finding]}, '--sign', str(keys['ann'][0])) == 0
    code, out = _check(capsys)
    assert code == 1 and 'src/app.py:3: BLOCK block-high: shell injection [ann]' in out and 'require' not in out
    signed = json.loads(ci.git('notes', '--ref=refs/notes/reviews', 'show', 'HEAD'))
    signed['report'].update(verdict='no-findings', findings=[])
    ci.git('notes', '--ref=refs/notes/reviews', 'add', '-f', '-m', json.dumps(signed), 'HEAD')
    code, out = _check(capsys)
    assert code == 1
    # in ssh-keygen's words (OpenSSH 9.2: "Signature verification failed: incorrect signature")
    assert _unmet(ci, 'is signed, but the signature does not hold: ').split('\n')[0] in out


def test_a_change_cannot_add_its_own_key_to_the_allowed_signers(
        ci: Repo, keys: dict[str, tuple[Path, str]], capsys: pytest.CaptureFixture[str]) -> None:
    ci.write('.findings-gate/allowed_signers', keys['ann'][1] + keys['mallory'][1].replace('mallory', 'ann', 1))
    ci.commit('trust me too')
    assert _attach(ANN, '--sign', str(keys['mallory'][0])) == 0
    code, out = _check(capsys)
    assert code == 1
    assert 'does not hold: no key the allowed signers list for ann made it' in out
    assert ".findings-gate/allowed_signers: BLOCK config_changed: the change edits the gate's configuration" in out


def test_signed_requirements_need_the_allowed_signers_and_a_key_that_signs(
        ci: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    Path('p.yaml').write_text('version: 1\nrequire:\n  - {name: r, paths: ["**"], signed: true}\n')
    assert main(['policy', 'check', 'p.yaml']) == 1
    assert capsys.readouterr().out == (
        'p.yaml::$.require[0].signed: no signature can be checked without trust.signers; '
        'name the allowed-signers file there\n')
    assert _attach(ANN, '--sign', 'no-such-key') == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith('findings-gate: error: no-such-key: cannot sign with it: ')  # and ssh-keygen's reason
    assert line.endswith('; name an SSH private key, or a public key whose private key ssh-agent holds')
    assert ci.git('notes', '--ref=refs/notes/reviews', 'list') == ''


def test_the_json_output_says_whose_signature_holds(
        ci: Repo, keys: dict[str, tuple[Path, str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert _attach(ANN, '--sign', str(keys['ann'][0])) == 0
    assert _attach({**ANN, 'reviewer': {'name': 'bob', 'kind': 'human'}}) == 0
    assert _attach({**ANN, 'reviewer': {'name': 'ann', 'kind': 'llm'}}, '--sign', str(keys['mallory'][0])) == 0
    capsys.readouterr()
    assert main(['check', '--ci', '--format', 'json']) == 0
    reports = json.loads(capsys.readouterr().out)['reports']
    assert [(r['reviewer']['name'], r.get('signature')) for r in reports] == [
        ('ann', 'good'), ('bob', None), ('ann', 'no key the allowed signers list for ann made it')]
