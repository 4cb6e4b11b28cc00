"""The report schema as a model's structured-output mode takes it, made from schemas/report.schema.json.

It follows the strictest of those modes, OpenAI's Structured Outputs ("Supported
schemas"): the root is an object; every object says `additionalProperties: false`
and lists every property in `required`, a property the report may leave out being
nullable instead (`null` stands for "not said"); `$ref` is inlined; and only
`type`, `enum`, `properties`, `required`, `additionalProperties`, `items`, `anyOf`,
`description`, `minimum`, `minItems` and `pattern` are used. `minLength: 1` becomes
the pattern `[\\s\\S]` (one character, any). A map (an object of free keys:
`cwe_names`, `fingerprints`) has no strict form, and is not asked for; nor is what
the gate fills in (`change`) or what only a prose review has (`source`).

What the subset cannot say, the full schema checks after the nulls are dropped
(`drop_nulls`): a CWE id given twice, an `end_line` without a `start_line`, and
findings under the verdict `no-findings`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from findings_gate import schema

# what a reviewer is not asked for, and why
NOT_ASKED = {
    '$schema': 'where the schema is: not part of a review',
    'change': 'what was reviewed: the gate fills it in from the diff it gave the reviewer',
    'source': 'where in a prose review a finding was read: a document has no such place',
}
_KEPT = ('description', 'minimum', 'minItems', 'pattern')
_JSON_TYPES = {bool: 'boolean', int: 'integer', float: 'number', str: 'string'}
PROMPT = Path(__file__).with_name('review_prompt.md')
SCHEMA_MARK = '{report_schema}'  # where the prompt shows the schema


def for_llm() -> dict[str, Any]:
    """The report schema in the structured-output subset."""
    full = schema.document('report')
    return {'title': full['title'], **_strict(full, full['$defs'])}


def _strict(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if '$ref' in node:  # local references only (#/$defs/name), and none is a cycle
        node = {**defs[node['$ref'].rsplit('/', 1)[1]], **{k: v for k, v in node.items() if k != '$ref'}}
    out: dict[str, Any] = {k: node[k] for k in _KEPT if k in node}
    if 'const' in node:
        out['enum'] = [node['const']]
    elif 'enum' in node:
        out['enum'] = list(node['enum'])
    if 'type' in node:
        out['type'] = node['type']
    elif 'enum' in out:
        out['type'] = _JSON_TYPES[type(out['enum'][0])]
    if node.get('minLength') == 1 and 'pattern' not in node:
        out['pattern'] = r'[\s\S]'
    if 'items' in node:
        out['items'] = _strict(node['items'], defs)
    if 'properties' in node:
        asked = {name: sub for name, sub in node['properties'].items() if name not in NOT_ASKED and not _map(sub, defs)}
        needed = set(node.get('required', ()))
        out['properties'] = {name: _strict(sub, defs) if name in needed else _nullable(_strict(sub, defs))
                             for name, sub in asked.items()}
        out['required'] = list(asked)
        out['additionalProperties'] = False
    return out


def _map(node: dict[str, Any], defs: dict[str, Any]) -> bool:
    """Whether `node` is an object of free keys."""
    if '$ref' in node:
        node = defs[node['$ref'].rsplit('/', 1)[1]]
    return node.get('type') == 'object' and 'properties' not in node


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    if isinstance(node.get('type'), str) and node['type'] not in ('object', 'array'):
        return {**node, 'type': [node['type'], 'null'], **({'enum': [*node['enum'], None]} if 'enum' in node else {})}
    return {'anyOf': [node, {'type': 'null'}]}


def drop_nulls(document: Any) -> Any:
    """`document` without the properties whose value is null: a report as the full schema reads it."""
    if isinstance(document, dict):
        return {k: drop_nulls(v) for k, v in document.items() if v is not None}
    if isinstance(document, list):
        return [drop_nulls(v) for v in document]
    return document


def prompt(text: str | None = None) -> str:
    """The request's prompt: `text`, else the built-in one; the schema shown where it says {report_schema}."""
    import json

    text = PROMPT.read_text(encoding='utf-8') if text is None else text
    return text.replace(SCHEMA_MARK, json.dumps(for_llm(), indent=2)) if SCHEMA_MARK in text else text
