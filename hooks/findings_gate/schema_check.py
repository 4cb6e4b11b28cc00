"""A yes-or-no check of a document against a JSON Schema, compiled once into closures.

jsonschema stays the reference: it finds the problems and words the messages.
But it is slow where the gate is hot (bench/run.py): importing it and building a
validator took 60 ms of the 60 ms a pre-commit run may take, and checking 100,000
findings took 11 s. So schema.py first asks this check; only a document it says
no to goes to jsonschema, which then gives every problem (or none, and the
document is valid after all).

The keywords compiled are those of Draft 2020-12 that the packaged schemas use,
with jsonschema's meaning (its types, its equality: 1 == 1.0, True != 1; `pattern`
as `re.search`; `format` not asserted, as jsonschema's default). A schema with
any other keyword, or a `$ref` to a document it was not given, gets no check
(`compile_schema` returns None): jsonschema decides alone.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

Check = Callable[[Any], bool]

# keywords that only annotate: they never make a document invalid
_ANNOTATIONS = frozenset((
    '$schema', '$id', '$comment', '$defs', 'title', 'description', 'default', 'examples',
    'deprecated', 'readOnly', 'writeOnly', 'format',
))
# handled together with `properties` or `if`
_WITH_OTHERS = frozenset(('properties', 'patternProperties', 'additionalProperties', 'then', 'else'))


class Unsupported(Exception):
    """The schema uses a keyword (or a reference) this module does not compile."""


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _integer(x: object) -> bool:
    return (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())


TYPES: dict[str, Check] = {
    'object': lambda x: isinstance(x, dict),
    'array': lambda x: isinstance(x, list),
    'string': lambda x: isinstance(x, str),
    'integer': _integer,
    'number': _number,
    'boolean': lambda x: isinstance(x, bool),
    'null': lambda x: x is None,
}


def equal(one: Any, two: Any) -> bool:
    """JSON equality as jsonschema has it: 1 == 1.0, but True is not 1."""
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[k], two[k]) for k in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    return bool(one == two)


def _unique(items: list[Any]) -> bool:
    if all(isinstance(x, str) for x in items):
        return len(set(items)) == len(items)
    return not any(equal(a, b) for i, a in enumerate(items) for b in items[i + 1:])


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)

    def every(x: Any) -> bool:
        for check in checks:
            if not check(x):
                return False
        return True
    return every


def compile_schema(root: Any, others: Mapping[str, Any] | None = None) -> Check | None:
    """A function telling whether a document is valid against `root`, None if it cannot be compiled.

    `others` are the documents its `$ref`s may name, by their `$id`.
    """
    documents = dict(others or {})
    base = root.get('$id', '') if isinstance(root, dict) else ''
    documents[base] = root
    try:
        return _build(_Context(documents, {}), root, base)
    except Unsupported:
        return None


class _Context(NamedTuple):
    documents: dict[str, Any]  # by $id
    refs: dict[str, Check]  # compiled, by absolute URI


def _ref(ctx: _Context, uri: str, base: str) -> Check:
    """The check of the schema a `$ref` names: `#/json/pointer` in this document or another's `$id#...`."""
    where, _, pointer = uri.partition('#')
    where = where or base
    if where not in ctx.documents or pointer[:1] not in ('', '/'):
        raise Unsupported(uri)  # another document, an anchor
    key = f'{where}#{pointer}'
    if key not in ctx.refs:
        node = ctx.documents[where]
        for part in filter(None, pointer.split('/')):
            part = part.replace('~1', '/').replace('~0', '~')
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise Unsupported(uri) from None
        cell: list[Check] = []
        ctx.refs[key] = lambda x: cell[0](x)  # for a schema that refers to itself
        cell.append(_build(ctx, node, where))
        ctx.refs[key] = cell[0]
    return ctx.refs[key]


def _build(ctx: _Context, schema: Any, base: str) -> Check:
    if isinstance(schema, bool):
        return (lambda x: True) if schema else (lambda x: False)
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    node: dict[str, Any] = schema
    if '$id' in node and ctx.documents.get(node['$id']) is not node:
        raise Unsupported('$id inside a schema')  # a new base for the references in it
    fused = _fused(node)
    if fused is not None:
        return fused
    members = 'properties' in node or 'patternProperties' in node or 'additionalProperties' in node
    typed_object = members and node.get('type') == 'object'  # one check for both
    checks = [_keyword(ctx, key, value, node, base) for key, value in node.items()
              if key not in _ANNOTATIONS and key not in _WITH_OTHERS and not (typed_object and key == 'type')]
    if members:
        checks.append(_members(ctx, node, base, typed_object))
    return _all(checks)


def _fused(schema: Mapping[str, Any]) -> Check | None:
    """One function for the commonest leaves (a text, a line number), instead of one per keyword.

    100,000 findings are checked in 0.2 s instead of 0.3 s.
    """
    keys = set(schema) - _ANNOTATIONS
    kind = schema.get('type')
    if keys == {'type', 'minLength'} and kind == 'string':
        least = schema['minLength']
        return lambda x: isinstance(x, str) and len(x) >= least
    if keys == {'type', 'minimum'} and kind == 'integer':
        lowest = schema['minimum']
        return lambda x: _integer(x) and x >= lowest
    if keys == {'enum'} and all(isinstance(v, str) for v in schema['enum']):
        names = frozenset(schema['enum'])
        return lambda x: isinstance(x, str) and x in names
    return None


def _keyword(ctx: _Context, key: str, value: Any, schema: Mapping[str, Any], base: str) -> Check:
    if key == 'type':
        names = [value] if isinstance(value, str) else list(value)
        if any(name not in TYPES for name in names):
            raise Unsupported(f'type {value!r}')
        kinds = [TYPES[name] for name in names]
        if len(kinds) == 1:
            return kinds[0]
        return lambda x: any(kind(x) for kind in kinds)
    if key == 'enum':
        values = list(value)
        if all(isinstance(v, str) for v in values):
            strings = frozenset(values)
            return lambda x: isinstance(x, str) and x in strings
        return lambda x: any(equal(x, v) for v in values)
    if key == 'const':
        return lambda x: equal(x, value)
    if key == '$ref':
        return _ref(ctx, value, base)
    if key in ('allOf', 'anyOf', 'oneOf'):
        subs = [_build(ctx, s, base) for s in value]
        if key == 'allOf':
            return _all(subs)
        if key == 'anyOf':
            return lambda x: any(s(x) for s in subs)
        return lambda x: sum(1 for s in subs if s(x)) == 1
    if key == 'not':
        sub = _build(ctx, value, base)
        return lambda x: not sub(x)
    if key == 'if':
        condition = _build(ctx, value, base)
        then = _build(ctx, schema.get('then', True), base)
        otherwise = _build(ctx, schema.get('else', True), base)
        return lambda x: then(x) if condition(x) else otherwise(x)
    return _bound(ctx, key, value, base)


def _bound(ctx: _Context, key: str, value: Any, base: str) -> Check:
    """The keywords that apply to one type of value and let the others pass."""
    if key == 'minLength':
        return lambda x: not isinstance(x, str) or len(x) >= value
    if key == 'maxLength':
        return lambda x: not isinstance(x, str) or len(x) <= value
    if key == 'pattern':
        search = re.compile(value).search
        return lambda x: not isinstance(x, str) or search(x) is not None
    if key == 'minimum':
        return lambda x: not _number(x) or x >= value
    if key == 'maximum':
        return lambda x: not _number(x) or x <= value
    if key == 'exclusiveMinimum':
        return lambda x: not _number(x) or x > value
    if key == 'exclusiveMaximum':
        return lambda x: not _number(x) or x < value
    if key == 'minItems':
        return lambda x: not isinstance(x, list) or len(x) >= value
    if key == 'maxItems':
        return lambda x: not isinstance(x, list) or len(x) <= value
    if key == 'uniqueItems':
        return (lambda x: not isinstance(x, list) or _unique(x)) if value else (lambda x: True)
    if key == 'items':
        item = _build(ctx, value, base)
        return lambda x: not isinstance(x, list) or all(map(item, x))
    if key == 'required':
        names = list(value)
        return lambda x: not isinstance(x, dict) or all(name in x for name in names)
    if key == 'minProperties':
        return lambda x: not isinstance(x, dict) or len(x) >= value
    if key == 'maxProperties':
        return lambda x: not isinstance(x, dict) or len(x) <= value
    if key == 'dependentRequired':
        pairs = [(name, list(needed)) for name, needed in value.items()]
        return lambda x: not isinstance(x, dict) or all(
            n in x for name, needed in pairs if name in x for n in needed)
    if key == 'propertyNames':
        name_check = _build(ctx, value, base)
        return lambda x: not isinstance(x, dict) or all(map(name_check, x))
    raise Unsupported(key)


def _members(ctx: _Context, schema: Mapping[str, Any], base: str, typed: bool) -> Check:
    """properties, patternProperties and additionalProperties: each member by its name.

    `typed`: the schema's type is object, and this check says so too.
    """
    named = {name: _build(ctx, sub, base) for name, sub in schema.get('properties', {}).items()}
    patterns = [(re.compile(p).search, _build(ctx, sub, base))
                for p, sub in schema.get('patternProperties', {}).items()]
    extra = schema.get('additionalProperties', True)
    other = None if extra is True else _build(ctx, extra, base)
    closed = extra is False and not patterns
    names = frozenset(named)

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return not typed
        if closed:  # the commonest: only the properties named, each checked
            if not names.issuperset(x):
                return False
            for name, value in x.items():
                if not named[name](value):
                    return False
            return True
        for name, value in x.items():
            known = named.get(name)
            if known is not None and not known(value):
                return False
            matched = False
            for search, sub in patterns:
                if search(name) is not None:
                    matched = True
                    if not sub(value):
                        return False
            if other is not None and known is None and not matched and not other(value):
                return False
        return True
    return check
