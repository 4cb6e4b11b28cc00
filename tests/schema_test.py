from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from findings_gate import schema

ROOT = Path(__file__).parent.parent
NAMES = ('report', 'policy', 'decision', 'waivers', 'baseline', 'replay')


@pytest.mark.parametrize('name', NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema_with_an_id(name: str) -> None:
    document = json.loads((ROOT / 'schemas' / f'{name}.schema.json').read_text())
    Draft202012Validator.check_schema(document)
    assert document['$schema'] == 'https://json-schema.org/draft/2020-12/schema'
    assert document['$id'] == f'urn:findings-gate:{name}:1'


def test_references_resolve_locally() -> None:
    # the decision schema refers into the report schema: no network is involved
    finding = {'title': 't', 'severity': 'bad'}
    document = {
        'version': 1, 'verdict': 'pass', 'change': {'description': 'd', 'files': []},
        'policy': 'p', 'reports': [], 'conditions': [],
        'findings': [{'report': 'r', 'reviewer': {'name': 'n', 'kind': 'llm'}, 'finding': finding,
                      'placement': 'added', 'grounding': {'status': 'grounded', 'reasons': []},
                      'action': 'warn', 'rule': 'x'}],
        'summary': {'block': 0, 'warn': 1, 'ignore': 0, 'placements': {'added': 1}},
    }
    assert [w for w, _ in schema.problems('decision', document)] == ['$.findings[0].finding.severity']


def test_the_checkout_finds_its_schemas() -> None:
    assert schema.schema_dir() == ROOT / 'schemas'


def test_the_wheel_ships_the_schemas_inside_the_package(tmp_path: Path) -> None:
    subprocess.run(
        (sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w', str(tmp_path), str(ROOT)),
        check=True, capture_output=True,
    )
    [wheel] = tmp_path.glob('findings_gate-*.whl')
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in NAMES:
        assert f'findings_gate/schemas/{name}.schema.json' in names
    assert 'findings_gate/cli.py' in names


def test_every_condition_is_in_the_decision_schema_and_has_a_policy_key() -> None:
    from findings_gate.model import CONDITIONS

    decision = json.loads((ROOT / 'schemas' / 'decision.schema.json').read_text())
    assert decision['properties']['conditions']['items']['properties']['kind']['enum'] == list(CONDITIONS)
    keys = json.loads((ROOT / 'schemas' / 'policy.schema.json').read_text())['properties']
    assert set(CONDITIONS) <= set(keys)


@pytest.mark.parametrize(('name', 'document', 'hint'), [
    ('policy', {'version': 1, 'defualt': 'block'}, "did you mean 'default' for 'defualt'?"),
    ('policy', {'version': 1, 'rules': [{'name': 'r', 'action': 'warn', 'placment': 'added'}]},
     "did you mean 'placement' for 'placment'?"),
    ('report', {'version': 1, 'reviewer': {'name': 'a', 'kind': 'llm'},
                'findings': [{'title': 't', 'severity': 'high', 'location': {'file': 'a.py', 'line': 3}}]},
     "did you mean 'path' for 'file', 'start_line' for 'line'?"),
])
def test_a_misspelt_or_foreign_key_gets_the_key_it_likely_means(name: str, document: object, hint: str) -> None:
    [(_, message)] = schema.problems(name, document)
    assert message.endswith(hint)


def test_a_key_far_from_any_gets_no_guess() -> None:
    [(_, message)] = schema.problems('policy', {'version': 1, 'zzzzzz': 1})
    assert 'did you mean' not in message
