"""`findings-gate init`: the starter policy, its schemas, and the hooks to add."""
from __future__ import annotations

import json

import pytest

from findings_gate import policy, schema, starter
from findings_gate.cli import main
from tests.conftest import Repo


def test_the_starter_policy_is_the_default_policy_with_comments() -> None:
    written = policy.parse(starter.POLICY, 'starter')
    default = policy.parse(policy.DEFAULT, 'starter')
    # rules hold compiled checks: compare them by what they were written as
    assert [(r.name, r.action, [(t.key, t.wanted) for t in r.tests]) for r in written.rules] == [
        (r.name, r.action, [(t.key, t.wanted) for t in r.tests]) for r in default.rules]
    assert written._replace(rules=()) == default._replace(rules=())
    assert starter.POLICY.startswith('# yaml-language-server: $schema=./.findings-gate/policy.schema.json\n')
    # every top-level key of the schema is written out (or shown commented) for the reader
    for key in json.loads((schema.schema_dir() / 'policy.schema.json').read_text())['properties']:
        assert key == '$schema' or f'\n{key}:' in starter.POLICY or f'\n# {key}:' in starter.POLICY, key


def test_init_writes_the_policy_and_schemas_and_will_not_overwrite(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    assert main(['init']) == 0
    out = capsys.readouterr().out
    assert '- id: findings-gate-push' in out
    assert (repo.root / '.findings-gate.yaml').read_text() == starter.POLICY
    for name in starter.SCHEMAS:
        assert (repo.root / '.findings-gate' / name).read_text() == (schema.schema_dir() / name).read_text()
    assert main(['policy', 'check']) == 0
    assert capsys.readouterr().out == '.findings-gate.yaml: valid policy\n'
    assert main(['init']) == 2
    assert capsys.readouterr().err == ('findings-gate: error: .findings-gate.yaml: a policy is already there; '
                                       'edit it, or pass --force to replace it\n')
    (repo.root / '.findings-gate.yaml').write_text('version: 1\n')
    assert main(['init', '--force']) == 0
    assert (repo.root / '.findings-gate.yaml').read_text() == starter.POLICY
