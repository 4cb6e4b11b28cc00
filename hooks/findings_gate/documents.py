"""JSON and YAML documents read within limits: reports, policies, waivers files, baselines.

A document is read whole into memory, so what it may hold is bounded: nesting
(`MAX_DEPTH` levels of arrays and objects, checked before anything is built),
the nodes YAML aliases may add (`MAX_ALIAS_NODES`: a "billion laughs" document
is refused before it is built), numbers Python can read, and text that is
UTF-8. Going past a limit is a GateError of one line.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from findings_gate import cache
from findings_gate.errors import GateError

MAX_DEPTH = 100  # levels of arrays and objects; SARIF, the deepest format read, needs about 20
MAX_ALIAS_NODES = 100_000  # nodes YAML aliases may add to a document
_BOMS = {b'\xff\xfe\x00\x00': 'UTF-32', b'\x00\x00\xfe\xff': 'UTF-32', b'\xff\xfe': 'UTF-16',
         b'\xfe\xff': 'UTF-16'}


def decode(data: bytes, origin: str) -> str:
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        bom = next((name for mark, name in _BOMS.items() if data.startswith(mark)), None)
        if bom:
            raise GateError(f'{origin}: {bom} text (it starts with a byte-order mark); '
                            f'save the report as UTF-8') from None
        if b'\0' in data[:8192]:
            raise GateError(f'{origin}: a binary file (NUL bytes), not a report; '
                            f'pass the report the reviewer wrote') from None
        raise GateError(
            f'{origin}: not UTF-8 text (byte {e.start}); save the report as UTF-8',
        ) from None


def too_deep(origin: str, where: str = '') -> GateError:
    return GateError(f'{origin}{where}: nested more than {MAX_DEPTH} levels deep; '
                     f'no report is, check what wrote it')


@contextlib.contextmanager
def json_limits(origin: str) -> Iterator[None]:
    """Around a JSON decoder: what Python cannot decode, as a GateError; syntax errors pass through."""
    try:
        yield
    except RecursionError:
        raise too_deep(origin) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of more than sys.get_int_max_str_digits() digits
        raise GateError(f'{origin}: a number too long to read (thousands of digits); '
                        f'no field of a report holds one') from None


_CONTAINERS = (dict, list)


def check_depth(value: object, origin: str) -> None:
    """A GateError if `value` nests arrays and objects more than MAX_DEPTH deep."""
    level: list[Any] = [value] if type(value) in _CONTAINERS else []  # level by level: no recursion
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise too_deep(origin)
        below: list[Any] = []
        for item in level:
            below += [c for c in (item.values() if type(item) is dict else item) if type(c) in _CONTAINERS]
        level = below
        depth += 1


def loads(text: str, origin: str) -> Any:
    """`json.loads` within the limits; a syntax error is the caller's to word (JSONDecodeError)."""
    with json_limits(origin):
        value = json.loads(text)
    if isinstance(value, (dict, list)) and text.count('[') + text.count('{') > MAX_DEPTH:
        check_depth(value, origin)
    return value


def parse(data: bytes, origin: str) -> object:
    """The document in `data`: JSON when it looks like JSON, YAML otherwise."""
    text = decode(data, origin)
    if text.lstrip()[:1] in ('{', '['):
        try:
            return loads(text, origin)
        except json.JSONDecodeError as e:
            raise GateError(
                f'{origin}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}; fix the syntax',
            ) from None
    return parse_yaml(text, origin)


def parse_yaml(text: str, origin: str) -> object:
    data = text.encode('utf-8', 'surrogatepass')
    kept = cache.get('yaml', data)
    if kept is not None:  # PyYAML's import alone is 13 ms
        return kept
    import yaml

    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    try:
        try:
            _check_yaml(yaml.parse(text, Loader=loader), origin)
        except yaml.YAMLError:
            # libyaml's scanner reads flow collections ahead of the events, and from PyYAML 6.0.4
            # refuses past 1,000 levels before the check sees the 101st. The Python parser yields
            # events as it reads, so the limits speak first whatever libyaml is bundled; a
            # document within them gets the C parser's own syntax error.
            with contextlib.suppress(yaml.YAMLError):
                _check_yaml(yaml.parse(text, Loader=yaml.SafeLoader), origin)
            raise
        document = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        where = f':{mark.line + 1}:{mark.column + 1}' if mark else ''
        problem = getattr(e, 'problem', None) or str(e).splitlines()[0]
        raise GateError(f'{origin}{where}: not valid YAML: {problem}; fix the syntax') from None
    except (ValueError, OverflowError) as e:  # a scalar that resolves to no value: 2024-13-45, huge numbers
        problem = repr(str(e).split(':')[0])[1:-1]
        raise GateError(f'{origin}: not valid YAML: a value cannot be read ({problem}); '
                        f'quote it to make it text') from None
    _check_keys(document, origin)
    cache.put('yaml', data, document)
    return document


def _check_yaml(events: Iterator[Any], origin: str) -> None:
    """Refuse, from the parser's events and before anything is built, a document nested too deeply
    or one whose aliases would multiply it (or contain themselves)."""
    import yaml

    # per open collection: its anchor, its nodes with aliases expanded, its height
    open_: list[list[Any]] = [[None, 0, 0]]
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, height) of what it names
    added = 0

    def where(event: Any) -> str:
        mark = event.start_mark
        return f':{mark.line + 1}:{mark.column + 1}' if mark else ''

    def add(nodes: int, height: int) -> None:
        parent = open_[-1]
        parent[1] += nodes
        parent[2] = max(parent[2], height)

    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(open_) > MAX_DEPTH:
                raise too_deep(origin, where(event))
            open_.append([event.anchor, 0, 0])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, nodes, height = open_.pop()
            if anchor is not None:
                anchors[anchor] = (nodes + 1, height + 1)
            add(nodes + 1, height + 1)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                anchors[event.anchor] = (1, 0)
            add(1, 0)
        elif isinstance(event, yaml.AliasEvent):
            if any(entry[0] == event.anchor for entry in open_):
                raise GateError(f'{origin}{where(event)}: the alias *{_name(event.anchor)} is inside '
                                f'the node it names; a report cannot contain itself')
            if event.anchor not in anchors:
                continue  # undefined: the loader says so
            nodes, height = anchors[event.anchor]
            if len(open_) - 1 + height > MAX_DEPTH:
                raise too_deep(origin, where(event))
            added += nodes
            if added > MAX_ALIAS_NODES:
                raise GateError(f'{origin}{where(event)}: YAML aliases expand to more than '
                                f'{MAX_ALIAS_NODES} nodes (an alias bomb?); write the values out')
            add(nodes, height)


def _name(anchor: str | None) -> str:
    return repr(anchor or '')[1:-1]


def _check_keys(document: object, origin: str) -> None:
    """Every key of a mapping is text, as in JSON: `79: x` must be written `'79': x`."""
    stack: list[tuple[object, str]] = [(document, '$')]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if not isinstance(key, str):
                    raise GateError(f'{origin}::{path}: the key {key!r} is not text; quote it')
                stack.append((value, f'{path}.{key}' if key.isidentifier() else f'{path}[{key!r}]'))
        elif isinstance(item, list):
            stack.extend((value, f'{path}[{i}]') for i, value in enumerate(item))
