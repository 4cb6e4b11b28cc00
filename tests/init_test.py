"""`findings-gate init`: the starter policy, its schemas, and the hooks to add."""
from __future__ import annotations

import json

import pytest

from findings_gate import schema
from findings_gate.cli import main
from findings_gate.commands import init
from findings_gate.decide import policy
from tests.conftest import Repo


def test_the_default_policy_writes_out_every_key_of_the_schema() -> None:
    assert policy.DEFAULT.startswith('# yaml-language-server: $schema=./.findings-gate/policy.schema.json\n')
    # every top-level key is written out, so that a policy leaving one out takes the default's value
    written = policy.parse_default_document()
    for key in json.loads((schema.schema_dir() / 'policy.schema.json').read_text())['properties']:
        assert key == '$schema' or key in written, key


def test_init_writes_the_policy_and_schemas_and_will_not_overwrite(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    assert main(['init']) == 0
    out = capsys.readouterr().out
    assert '- id: findings-gate-push' in out
    assert (repo.root / '.findings-gate.yaml').read_text() == policy.DEFAULT
    for name in init.SCHEMAS:
        assert (repo.root / '.findings-gate' / name).read_text() == (schema.schema_dir() / name).read_text()
    assert main(['policy', 'check']) == 0
    assert capsys.readouterr().out == '.findings-gate.yaml: valid policy\n'
    assert main(['init']) == 2
    assert capsys.readouterr().err == ('findings-gate: error: .findings-gate.yaml: a policy is already there; '
                                       'edit it, or pass --force to replace it\n')
    (repo.root / '.findings-gate.yaml').write_text('version: 1\n')
    assert main(['init', '--force']) == 0
    assert (repo.root / '.findings-gate.yaml').read_text() == policy.DEFAULT


@pytest.mark.parametrize('name', ['.findings-gate.yml', '.findings-gate.yaml'])
def test_init_will_not_write_a_policy_beside_an_existing_one(
        name: str, repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write(name, 'version: 1\ndefault: block\n')
    assert main(['init']) == 2
    assert capsys.readouterr() == ('', f'findings-gate: error: {name}: a policy is already there; edit it, '
                                       f'or pass --force to replace it\n')
    assert sorted(p.name for p in repo.root.iterdir() if p.name != '.git') == [name]
    assert main(['init', '--force']) == 0  # replaces it under its own name: no second policy to take over
    assert (repo.root / name).read_text() == policy.DEFAULT
    assert sorted(p.name for p in repo.root.iterdir() if p.name.startswith('.findings-gate')) == [
        '.findings-gate', name]


def test_init_refuses_where_a_file_holds_the_schemas_directory(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate', 'notes\n')
    assert main(['init']) == 2
    assert capsys.readouterr() == ('', (
        'findings-gate: error: .findings-gate: a file, where the directory of the schemas, the waivers and the '
        'baseline belongs; move the file, then run init again\n'))
    assert not (repo.root / '.findings-gate.yaml').exists()


def test_policy_check_names_a_file_where_the_configuration_directory_belongs(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', 'version: 1\n')
    repo.write('.findings-gate', 'notes\n')
    assert main(['policy', 'check']) == 2
    assert capsys.readouterr() == ('', (
        'findings-gate: error: .findings-gate: a file, where the directory of the waivers file '
        '.findings-gate/waivers.yaml belongs; move the file, or set `waivers` in the policy to another path\n'))


def test_init_makes_notes_follow_amended_and_rebased_commits(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    assert main(['init']) == 0
    assert main(['init', '--force']) == 0  # once
    assert repo.git('config', '--get-all', 'notes.rewriteRef') == 'refs/notes/reviews\n'
    out = capsys.readouterr().out
    assert out.count('set git config notes.rewriteRef refs/notes/reviews') == 1
    repo.write('a.py', 'a = 1\n')
    reviewed = repo.commit()
    repo.write('review.json', json.dumps({'version': 1, 'reviewer': {'name': 'ann', 'kind': 'human'}, 'findings': []}))
    assert main(['attach', 'review.json']) == 0
    repo.git('commit', '-q', '--amend', '-m', 'reworded')
    amended = json.loads(repo.git('notes', '--ref=refs/notes/reviews', 'show', 'HEAD'))
    assert amended['change']['revision'] == reviewed  # carried over, and still naming what was reviewed
