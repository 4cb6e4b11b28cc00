"""The packaged JSON Schemas, resolved through a local registry (never the network)."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from findings_gate.errors import GateError

_HERE = Path(__file__).parent
# a wheel ships the schemas inside the package; a checkout or an editable
# install keeps them at the top of the repository
_PLACES = (_HERE / 'schemas', _HERE.parent.parent / 'schemas')


def schema_dir() -> Path:
    for place in _PLACES:
        if (place / 'report.schema.json').is_file():
            return place
    raise GateError('the packaged schemas are missing; reinstall findings-gate')


@functools.cache
def _registry() -> Any:
    from referencing import Registry, Resource

    resources = [(uri, Resource.from_contents(document)) for uri, document in _documents().items()]
    return Registry().with_resources(resources)


def _own(name: str) -> Any:
    """Schema `name`: one of the project's (`report`), or a code host's (`vendor/...`, `hosts/...`)."""
    return json.loads(text(name))


def document(name: str) -> Any:
    """The packaged schema `name`, read."""
    return _own(name)


def text(name: str) -> str:
    """The text of the packaged schema `name`, as the file holds it."""
    return (schema_dir() / f'{name}.schema.json').read_text(encoding='utf-8')


@functools.cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    if '/' in name:  # a code host's: whole in itself
        return Draft202012Validator(_own(name))
    uri = f'urn:findings-gate:{name}:1'
    schema = _registry().contents(uri)
    return Draft202012Validator(schema, registry=_registry())


def _leaf(error: Any) -> Any:
    """For oneOf / anyOf, the alternative the document came closest to."""
    while error.context:
        error = max(error.context, key=lambda e: (len(e.relative_path), e.validator != 'type'))
    return error


def _message(error: Any) -> str:
    # a schema can say in its own words what a rule means: `$comment`
    comment = error.schema.get('$comment') if isinstance(error.schema, dict) else None
    message: str = error.message
    if comment:
        scalar = isinstance(error.instance, (str, int, float, bool)) or error.instance is None
        message = f'{error.instance!r}: {comment}' if scalar else comment
    if len(message) > 200:
        message = message[:197] + '...'
    if error.validator == 'additionalProperties' and isinstance(error.instance, dict):
        message += _did_you_mean(error.instance, error.schema)
    return message


# keys other tools and formats use for what the native report calls otherwise
_ALIASES = {'file': 'path', 'filename': 'path', 'line': 'start_line', 'lineno': 'start_line',
            'end': 'end_line', 'column': 'start_column', 'col': 'start_column', 'level': 'severity',
            'description': 'message', 'cwe_id': 'cwe', 'cwes': 'cwe', 'check_id': 'rule', 'rule_id': 'rule',
            'fix': 'suggestion'}


def _did_you_mean(instance: dict[str, Any], where: dict[str, Any]) -> str:
    """'; did you mean ...?' for keys the object may not have that are near a key it may."""
    import difflib
    import re

    known = list(where.get('properties', {}))
    patterns = list(where.get('patternProperties', {}))
    hints = []
    for key in instance:
        if key in known or any(re.search(p, key) for p in patterns):
            continue
        alias = _ALIASES.get(key.lower())
        close = [alias] if alias in known else difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if close:
            hints.append(f'{close[0]!r} for {key!r}')
    return f'; did you mean {", ".join(hints)}?' if hints else ''


@functools.cache
def _documents() -> dict[str, Any]:
    """The packaged schemas by `$id` (the names they refer to each other by)."""
    documents = {}
    for path in sorted(schema_dir().glob('*.schema.json')):
        document = json.loads(path.read_text(encoding='utf-8'))
        documents[document.get('$id') or path.name] = document
    return documents


@functools.cache
def _check(name: str) -> Callable[[object], bool] | None:
    """The fast yes-or-no check of schema `name` (schema_check.py), or None."""
    from findings_gate import schema_check  # compiled only when a document is checked

    own = _own(name)
    # the others are read only for a schema that refers to them (the decision's)
    return schema_check.compile_schema(own) or schema_check.compile_schema(own, _documents())


def problems(name: str, document: object) -> list[tuple[str, str]]:
    """Every way `document` breaks schema `name`, as (json path, message), in document order.

    A document the fast check accepts has none; any other goes to jsonschema,
    which finds the problems (or none: the fast check may say no to a valid
    document it cannot vouch for, never yes to an invalid one).
    """
    check = _check(name)
    if check is not None and check(document):
        return []
    errors = sorted(
        (_leaf(e) for e in _validator(name).iter_errors(document)),
        key=lambda e: [(isinstance(p, str), p) for p in e.absolute_path],
    )
    return [(_path(e.absolute_path), _message(e)) for e in errors]


def _path(parts: Iterable[str | int]) -> str:
    """A JSON path on one line, as jsonschema writes it (`$.a[0].b`), with an odd key quoted: `$.a['x y']`."""
    path = '$'
    for part in parts:
        if isinstance(part, int):
            path += f'[{part}]'
        elif part.isprintable() and part and not any(c in part for c in " ./[]'\"\\"):
            path += f'.{part}'
        else:
            path += f'[{part!r}]'
    return path
