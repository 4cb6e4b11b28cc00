"""The fast check must agree with jsonschema, the reference, on valid and invalid documents."""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from findings_gate import schema
from findings_gate.commands import demo
from findings_gate.decide import policy
from findings_gate.documents import parse_yaml
from findings_gate.schema_check import compile_schema, equal

ROOT = Path(__file__).parent.parent
DOCUMENTS = {d['$id']: d for d in (json.loads(p.read_text()) for p in sorted((ROOT / 'schemas').glob('*.json')))}
VALUES: list[Any] = [None, True, False, 0, 1, 1.0, 2.5, -1, '', 'x', 'CWE-79', 'CWE-79\n', 'high', 'tool',
                     [], ['x'], ['x', 'x'], {}, {'x': 1}]


def reference(schema_doc: dict[str, Any], others: dict[str, Any] | None = None) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(d)) for uri, d in (others or {}).items())
    return Draft202012Validator(schema_doc, registry=registry)


def mutations(document: Any) -> Iterator[Any]:
    """The document with one thing changed: each value replaced, each key removed or added."""
    yield document
    for path in _paths(document):
        parent = _at(document, path[:-1]) if path else None
        for value in VALUES:
            yield _replaced(document, path, value)
        if isinstance(parent, dict):
            changed = copy.deepcopy(document)
            del _at(changed, path[:-1])[path[-1]]
            yield changed
        target = _at(document, path)
        if isinstance(target, dict):
            changed = copy.deepcopy(document)
            _at(changed, path)['unexpected'] = 1
            yield changed
        if isinstance(target, list) and target:
            changed = copy.deepcopy(document)
            _at(changed, path).append(copy.deepcopy(target[0]))
            yield changed


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:2]):
            yield from _paths(value, (*path, i))


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    _at(changed, path[:-1])[path[-1]] = copy.deepcopy(value)
    return changed


def agree(schema_doc: dict[str, Any], documents: list[Any], others: dict[str, Any] | None = None) -> int:
    """Compare the fast check with jsonschema on every mutation; return how many were invalid."""
    check = compile_schema(schema_doc, others)
    assert check is not None
    validator = reference(schema_doc, others)
    invalid = 0
    for document in documents:
        for changed in mutations(document):
            expected = not any(validator.iter_errors(changed))
            assert check(changed) == expected, json.dumps(changed)[:500]
            invalid += not expected
    return invalid


def report_documents() -> list[Any]:
    found = [json.loads(p.read_text()) for p in sorted((ROOT / 'tests' / 'prose').glob('*.json'))[:4]]
    found += list(demo.REPORTS.values())
    found.append({
        'version': 1, 'reviewer': {'name': 'n', 'kind': 'tool', 'model': 'm', 'version': '1'},
        'change': {'revision': 'abc', 'base': 'def', 'id': 7, 'files': ['a.py']},
        'complete': False, 'verdict': 'no-findings', 'notes': ['n'], 'findings': [],
    })
    found.append({
        'version': 1, 'reviewer': {'name': 'n', 'kind': 'llm'},
        'findings': [{
            'title': 't', 'severity': 'low', 'confidence': 'high', 'category': 'other',
            'cwe': ['CWE-79', 'CWE-89'], 'cwe_names': {'CWE-79': 'XSS'}, 'rule': 'r',
            'location': {'path': 'a.py', 'start_line': 2, 'end_line': 3, 'start_column': 1,
                         'end_column': 4, 'symbol': 's', 'side': 'old'},
            'related': [{'path': 'b.py'}], 'suggestion': 's', 'fingerprint': 'f',
            'fingerprints': {'k': 'v'}, 'suppression': {'kind': 'external', 'justification': 'j'},
            'source': {'start_line': 1, 'end_line': 2},
        }],
    })
    return found


def test_every_packaged_schema_compiles() -> None:
    for uri, document in DOCUMENTS.items():
        assert compile_schema(document, DOCUMENTS) is not None, (
            f'{uri} uses a keyword schema_check.py does not compile: every document now goes '
            f'through jsonschema, which is slow; teach schema_check.py the keyword')


def test_the_report_check_agrees_with_jsonschema() -> None:
    assert agree(DOCUMENTS['urn:findings-gate:report:1'], report_documents()) > 1000


def test_the_policy_check_agrees_with_jsonschema() -> None:
    examples = sorted((ROOT / 'docs' / 'examples').glob('policy-*.yaml'))
    assert ROOT / 'docs' / 'examples' / 'policy-strict.yaml' in examples
    documents = [policy.parse_default_document(), *(parse_yaml(p.read_text(), p.name) for p in examples)]
    assert agree(DOCUMENTS['urn:findings-gate:policy:1'], documents) > 100


def test_the_decision_check_follows_references_into_the_report_schema() -> None:
    finding = {'title': 't', 'severity': 'low'}
    document = {
        'version': 1, 'verdict': 'pass', 'change': {'description': 'd', 'files': []},
        'policy': 'p', 'reports': [], 'conditions': [],
        'findings': [{'report': 'r', 'reviewer': {'name': 'n', 'kind': 'llm'}, 'finding': finding,
                      'placement': 'added', 'grounding': {'status': 'grounded', 'reasons': []},
                      'action': 'warn', 'rule': 'x'}],
        'summary': {'block': 0, 'warn': 1, 'ignore': 0, 'placements': {'added': 1}},
    }
    assert agree(DOCUMENTS['urn:findings-gate:decision:1'], [document], DOCUMENTS) > 10


KEYWORDS = {
    '$defs': {'node': {'type': 'object', 'properties': {'next': {'$ref': '#/$defs/node'}},
                       'additionalProperties': False}},
    'type': 'object',
    'properties': {
        'n': {'type': ['integer', 'null'], 'minimum': 0, 'maximum': 10},
        'x': {'type': 'number', 'exclusiveMinimum': 0, 'exclusiveMaximum': 3},
        's': {'type': 'string', 'minLength': 1, 'maxLength': 3, 'pattern': '^[a-z]+$'},
        'e': {'enum': [1, 'x', None, [1], {'a': 1}]},
        'c': {'const': {'a': [1, True]}},
        'a': {'type': 'array', 'items': {'type': 'string'}, 'minItems': 1, 'maxItems': 2, 'uniqueItems': True},
        'u': {'type': 'array', 'uniqueItems': True},
        'o': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]},
        'one': {'oneOf': [{'type': 'integer'}, {'type': 'number'}]},
        'all': {'allOf': [{'type': 'string'}, {'minLength': 2}]},
        'not': {'not': {'type': 'string'}},
        'cond': {'if': {'type': 'string'}, 'then': {'minLength': 2}, 'else': {'type': 'integer'}},
        'm': {'type': 'object', 'minProperties': 1, 'maxProperties': 2, 'propertyNames': {'pattern': '^[a-z]$'},
              'patternProperties': {'^x': {'type': 'integer'}}, 'additionalProperties': {'type': 'string'},
              'dependentRequired': {'a': ['b']}},
        'node': {'$ref': '#/$defs/node'},
        'yes': True,
        'no': False,
    },
    'required': ['n'],
}


def test_every_keyword_agrees_with_jsonschema() -> None:
    documents = [
        {'n': 1, 'x': 1, 's': 'ab', 'e': [1], 'c': {'a': [1, True]}, 'a': ['x'], 'u': [1, True, '1'],
         'o': 'x', 'one': 1.5, 'all': 'ab', 'not': 1, 'cond': 'ab', 'm': {'x': 1, 'a': 'b'},
         'node': {'next': {'next': {}}}},
        {'n': None, 'e': {'a': 1.0}, 'cond': 3, 'm': {'b': 'x'}, 'u': [[1], [1.0]]},
    ]
    assert agree(KEYWORDS, documents) > 100


def test_equality_is_json_s() -> None:
    assert equal(1, 1.0) and not equal(1, True) and not equal(0, False) and equal(True, True)
    assert equal({'a': [1]}, {'a': [1.0]}) and not equal([1], [True]) and not equal('1', 1)


@pytest.mark.parametrize('schema_doc', [
    {'type': 'object', 'unevaluatedProperties': False},  # a keyword it does not compile
    {'$ref': 'urn:elsewhere#/x'},  # a document it was not given
    {'$ref': '#anchor'},
    {'properties': {'a': {'$id': 'urn:inner', 'type': 'string'}}},  # a new base inside
    {'type': 'decimal'},
])
def test_a_schema_it_cannot_compile_gets_no_check(schema_doc: dict[str, Any]) -> None:
    assert compile_schema(schema_doc) is None


def test_problems_still_come_from_jsonschema() -> None:
    document = {'version': 1, 'reviewer': {'name': 'n', 'kind': 'llm'},
                'findings': [{'title': 't', 'severity': 'severe'}]}
    assert schema.problems('report', document) == [
        ('$.findings[0].severity', "'severe' is not one of ['critical', 'high', 'medium', 'low', 'info']")]
    document['findings'][0]['severity'] = 'low'
    assert schema.problems('report', document) == []
