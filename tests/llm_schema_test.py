"""`findings-gate schema`: the packaged schemas, and the report schema in the subset models'
structured-output modes take, held to the full schema on every report example of the project."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from findings_gate import llm_schema, read, schema
from findings_gate.cli import main

ROOT = Path(__file__).parent.parent
SEEDS = ROOT.parent / 'shared' / 'fixtures' / 'seeds'
# OpenAI's Structured Outputs, "Supported schemas": the keywords a strict schema may use
STRICT_KEYWORDS = {'type', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'anyOf',
                   'description', 'minimum', 'minItems', 'pattern', 'title'}


def _reports_in(value: Any) -> list[Any]:
    """The native reports among the texts of a golden case (its files and notes)."""
    if isinstance(value, dict):
        return [r for v in value.values() for r in _reports_in(v)]
    if isinstance(value, str) and read.detect(value.encode()) == 'native':
        try:
            document = read.parse(value.replace('@CHANGE@', 'HEAD').encode(), 'case')
        except Exception:  # a case about a broken report
            return []
        return [document] if isinstance(document, dict) and not schema.problems('report', document) else []
    return []


def examples() -> list[tuple[str, Any]]:
    """Every valid report the project holds: the documented one, the golden cases', the prose
    readings kept in tests/prose, and the seeds as the prose reader reads them."""
    found = [('docs/examples/report.yaml', read.parse((ROOT / 'docs/examples/report.yaml').read_bytes(), 'x'))]
    for case in sorted((ROOT / 'tests/cases').glob('*/case.yaml')):
        found += [(f'{case.parent.name}#{i}', d) for i, d in enumerate(_reports_in(yaml.safe_load(case.read_text())))]
    read_as = [(p.name, json.loads(p.read_text())) for p in sorted((ROOT / 'tests/prose').glob('*.json'))]
    found += [(name, document) for name, document in read_as if 'error' not in document]  # not a report
    if SEEDS.is_dir():
        found += [(p.name, read.parse(p.read_bytes(), p.name, 'text')) for p in sorted(SEEDS.glob('*.txt'))]
    return found


def _as_llm(document: Any, node: dict[str, Any]) -> Any:
    """`document` as a model answering in the LLM schema writes it: every property it leaves out null."""
    if 'anyOf' in node:
        node = node['anyOf'][0] if document is not None else node['anyOf'][1]
    if 'properties' in node and isinstance(document, dict):
        return {k: _as_llm(document[k], sub) if k in document else None for k, sub in node['properties'].items()}
    if 'items' in node and isinstance(document, list):
        return [_as_llm(v, node['items']) for v in document]
    return document


def _asked(document: Any, node: dict[str, Any]) -> Any:
    """`document` without what the LLM schema does not ask for."""
    if 'anyOf' in node:
        node = node['anyOf'][0]
    if 'properties' in node and isinstance(document, dict):
        return {k: _asked(v, node['properties'][k]) for k, v in document.items() if k in node['properties']}
    if 'items' in node and isinstance(document, list):
        return [_asked(v, node['items']) for v in document]
    return document


def _nodes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node, *(n for k, v in node.items() if k not in ('enum', 'required') for n in _nodes(v))]
    if isinstance(node, list):
        return [n for v in node for n in _nodes(v)]
    return []


def test_the_llm_schema_keeps_to_strict_structured_outputs() -> None:
    strict = llm_schema.for_llm()
    Draft202012Validator.check_schema(strict)
    assert strict['type'] == 'object'
    schemas = [n for n in _nodes(strict) if 'type' in n or 'anyOf' in n]
    for node in schemas:
        assert set(node) <= STRICT_KEYWORDS, node
        if 'properties' in node:
            assert node['additionalProperties'] is False
            assert node['required'] == list(node['properties'])
    assert '$ref' not in json.dumps(strict) and '$defs' not in strict


@pytest.mark.parametrize(('name', 'document'), examples(), ids=lambda v: v if isinstance(v, str) else '')
def test_the_llm_schema_accepts_every_report_example_and_the_full_schema_what_it_gives(name: str, document: Any) -> None:
    strict = llm_schema.for_llm()
    assert schema.problems('report', document) == []
    answer = _as_llm(document, strict)
    assert list(Draft202012Validator(strict).iter_errors(answer)) == []
    kept = llm_schema.drop_nulls(answer)
    assert schema.problems('report', kept) == []
    assert kept == _asked(document, strict)  # nothing lost but what a reviewer is not asked for


def test_examples_cover_the_project() -> None:
    names = [name for name, _ in examples()]
    assert 'docs/examples/report.yaml' in names
    assert any('#' in name for name in names) and any(name.endswith('.json') for name in names)


def test_what_the_llm_schema_does_not_ask_is_what_the_gate_fills_in_or_a_map() -> None:
    full = schema.document('report')
    strict = llm_schema.for_llm()
    assert set(full['properties']) - set(strict['properties']) == {'$schema', 'change'}
    finding = strict['properties']['findings']['items']['properties']
    assert set(full['$defs']['finding']['properties']) - set(finding) == {'cwe_names', 'fingerprints', 'source'}


def test_a_null_the_full_schema_would_refuse_is_dropped_and_the_rest_still_checked() -> None:
    answer = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm', 'model': None, 'version': None},
              'complete': None, 'verdict': None, 'failures': None, 'notes': None,
              'findings': [{'title': 'x', 'severity': 'low', 'location': {'path': 'a.py', 'start_line': 0}}]}
    assert schema.problems('report', answer) != []
    assert schema.problems('report', llm_schema.drop_nulls(answer)) == [
        ('$.findings[0].location.start_line', '0 is less than the minimum of 1')]


@pytest.mark.parametrize('name', ['report', 'policy', 'waivers', 'baseline', 'decision'])
def test_schema_prints_each_packaged_schema_as_it_is(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['schema', name]) == 0
    assert capsys.readouterr().out == (ROOT / 'schemas' / f'{name}.schema.json').read_text()


def test_schema_report_for_llm_and_the_prompt_that_asks_for_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['schema', 'report', '--for-llm']) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == llm_schema.for_llm()
    assert main(['schema', 'report', '--prompt']) == 0
    prompt = capsys.readouterr().out
    assert printed.strip() in prompt and llm_schema.SCHEMA_MARK not in prompt
    assert 'one JSON document and nothing else' in prompt


def test_schema_llm_options_are_for_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['schema', 'policy', '--for-llm']) == 2
    assert capsys.readouterr().err == (
        'findings-gate: error: schema policy: --for-llm and --prompt are for the report schema; '
        'run findings-gate schema report --for-llm\n')
