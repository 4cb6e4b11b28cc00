"""The five seed reviews, end to end, on the real Neutron change they review.

neutron 15.0.0 is the base and 15.1.0 the change (tests/neutron.py builds the
repository from the wheels); the seeds are attached to the change as git notes.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from findings_gate import schema
from findings_gate.cli import main
from tests.neutron import NeutronRepo, neutron_repo  # noqa: F401 (a fixture)

SEEDS = Path(__file__).parent.parent.parent / 'shared' / 'fixtures' / 'seeds'
STRICT_POLICY = Path(__file__).parent.parent / 'docs' / 'examples' / 'policy-strict.yaml'
SERVER = 'neutron/services/trunk/rpc/server.py'
PLUGIN = 'neutron/services/trunk/plugin.py'
NOT_IN_TRUNK_PY = '`{}` is not in trunk.py; it is defined in ' + SERVER
CWE_703 = ("CWE-703 is 'Improper Check or Handling of Exceptional Conditions', not "
           "'Protection Mechanism Failure' (CWE-693's name)")
CWE_710 = ("CWE-710 is 'Improper Adherence to Coding Standards', not "
           "'Improper Check or Handling of Exceptional Conditions' (CWE-703's name)")
PLUGIN_BY_OTHERS = f'the review names no file; taken as {PLUGIN}, where its other findings are'

# per seed: (title, path, lines, placement, grounding, reasons), in the review's order
EXPECTED = {
    'seed-000': [
        ('Improper Access Control in trunk_by_port_provider', SERVER, (53, 55), 'file', 'partly',
         [NOT_IN_TRUNK_PY.format('trunk_by_port_provider')]),
        ('Improper Interaction Between Multiple Entities in update_subport_bindings', SERVER, (82, 103),
         'file', 'partly', [NOT_IN_TRUNK_PY.format('update_subport_bindings')]),
        ('Improper Control of a Resource Through its Lifetime in update_trunk_status', SERVER, (118, 123),
         'symbol', 'partly', [NOT_IN_TRUNK_PY.format('update_trunk_status')]),
        ('Incorrect Calculation in trunk_by_port_provider', SERVER, (53, 55), 'file', 'partly',
         [NOT_IN_TRUNK_PY.format('trunk_by_port_provider')]),
        ('Protection Mechanism Failure in trunk_by_port_provider', SERVER, (53, 55), 'file', 'partly',
         [CWE_703, NOT_IN_TRUNK_PY.format('trunk_by_port_provider')]),
        ('Improper Check or Handling of Exceptional Conditions in trunk_by_port_provider', SERVER, (53, 55),
         'file', 'partly', [CWE_710, NOT_IN_TRUNK_PY.format('trunk_by_port_provider')]),
    ],
    'seed-001': [],
    'seed-002': [],
    'seed-003': [
        ('Improper Access Control in _trigger_trunk_status_change', PLUGIN, (418, 436), 'file', 'partly',
         [f'the review names no file; `_trigger_trunk_status_change` is defined in {PLUGIN}']),
        ('Improper Control of a Resource Through its Lifetime in update_trunk', PLUGIN, (241, 258), 'file',
         'partly', [f'the review names no file; `update_trunk` is defined in {PLUGIN}']),
        ('Insufficient Control Flow Management', PLUGIN, (67, 98), 'file', 'partly', [PLUGIN_BY_OTHERS]),
        ('Protection Mechanism Failure', PLUGIN, (431, 435), 'file', 'partly', [PLUGIN_BY_OTHERS]),
    ],
    'seed-004': [],
}


@pytest.fixture
def reviewed(neutron_repo: NeutronRepo, tmp_path: Path,  # noqa: F811
             monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of the Neutron repository with the five seeds attached to the change."""
    if not SEEDS.is_dir():
        pytest.skip(f'the seed reviews are not beside this checkout ({SEEDS})')
    clone = tmp_path / 'neutron'
    subprocess.run(('git', 'clone', '-q', '-b', 'change', str(neutron_repo.path), str(clone)), check=True)
    subprocess.run(('git', '-C', str(clone), 'branch', '-q', 'main', 'origin/main'), check=True)
    monkeypatch.chdir(clone)
    for seed in sorted(SEEDS.glob('seed-*.txt')):
        assert main(['attach', str(seed)]) == 0
    return clone


def decide(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(['check', '--base', 'main', '--format', 'json', *args])
    document = json.loads(capsys.readouterr().out)
    assert schema.problems('decision', document) == []
    return code, document


def by_seed(document: dict) -> dict[str, list[dict]]:
    reports = {r['origin']: r['reviewer']['name'] for r in document['reports']}
    found: dict[str, list[dict]] = {name: [] for name in EXPECTED}
    for finding in document['findings']:
        found[reports[finding['report']]].append(finding)
    return found


def test_each_seed_read_placed_and_grounded(reviewed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, document = decide(capsys)
    assert sorted(r['reviewer']['name'] for r in document['reports']) == sorted(EXPECTED)
    for name, findings in by_seed(document).items():
        got = [(f['finding']['title'], f['path'], (f['lines']['start'], f['lines']['end']), f['placement'],
                f['grounding']['status'], f['grounding']['reasons']) for f in findings]
        assert got == EXPECTED[name], name


def test_seed_verdicts_and_completeness(reviewed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, document = decide(capsys)
    reports = {r['reviewer']['name']: r for r in document['reports']}
    assert {n: (r['verdict'], r['complete'], r['findings']) for n, r in reports.items()} == {
        'seed-000': ('findings', False, 6), 'seed-001': ('no-findings', True, 0),
        'seed-002': ('no-findings', True, 0), 'seed-003': ('findings', True, 4),
        'seed-004': ('no-findings', True, 0),
    }


def test_the_default_policy_warns(reviewed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = decide(capsys)
    assert (code, document['verdict']) == (0, 'warn')
    assert {(f['action'], f['rule']) for f in document['findings']} == {('warn', 'warn-in-changed-files')}
    assert [(c['kind'], c['action']) for c in document['conditions']] == [('incomplete_report', 'warn')]


def test_the_strict_policy_example_blocks(reviewed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = decide(capsys, '--policy', str(STRICT_POLICY))
    assert (code, document['verdict']) == (1, 'block')
    blocked = [(f['finding']['title'], f['rule']) for f in document['findings'] if f['action'] == 'block']
    assert blocked == [('Improper Control of a Resource Through its Lifetime in update_trunk_status',
                        'block-security-in-touched-code')]
    assert [(c['kind'], c['action']) for c in document['conditions']] == [('incomplete_report', 'block')]


def test_the_text_output_shows_the_grounding(reviewed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(['check', '--base', 'main']) == 0
    out = capsys.readouterr().out
    assert (f'{SERVER}:118: WARN warn-in-changed-files: Improper Control of a Resource Through its '
            f'Lifetime in update_trunk_status [seed-000]\n'
            f'    partly: `update_trunk_status` is not in trunk.py; it is defined in {SERVER}\n') in out
