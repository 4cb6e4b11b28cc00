"""JSON and YAML documents read within limits: reports, policies, waivers files, baselines.

A document is read whole into memory, so what it may hold is bounded: nesting
(`MAX_DEPTH` levels of arrays and objects, checked before anything is built),
the nodes YAML aliases may add (`MAX_ALIAS_NODES`: a "billion laughs" document
is refused before it is built), numbers Python can read, and text that is
UTF-8. Going past a limit is a GateError of one line.

A key written twice in one object or mapping is an error naming the key and
its line, in JSON as in YAML: both loaders would keep the last value and drop
the first without a word, and a finding, a rule or an action would be lost.
"""
from __future__ import annotations

import contextlib
import json
import re
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


class _DuplicateKey(Exception):
    """An object names a key twice: raised while decoding; where, found after (`duplicate_key`)."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # the check costs a Python call per object (0.5 s in 26 MB of SARIF); json has no other way
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _DuplicateKey
    return found


DECODER = json.JSONDecoder(object_pairs_hook=_object)  # for raw_decode, inside json_limits
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]')


def duplicate_key(text: str, origin: str, first_line: int = 1) -> GateError:
    """The error for the first key `text` names twice in one object, with the lines of both."""
    objects: list[dict[str, int] | None] = []  # per open object, its keys and where each is; None: an array
    string: re.Match[str] | None = None  # the last string, a key if a colon follows
    for token in _TOKENS.finditer(text):
        mark = token[0]
        if mark == ':' and string is not None and objects and objects[-1] is not None:
            key, keys = json.loads(string[0]), objects[-1]
            if key in keys:
                line, column = _place(text, string.start())
                first = _place(text, keys[key])[0]
                return GateError(f'{origin}:{line + first_line - 1}:{column}: the key {key!r} is written twice '
                                 f'in one object (first on line {first + first_line - 1}); keep one')
            keys[key] = string.start()
        string = token if mark[0] == '"' else None
        if mark in '{[':
            objects.append({} if mark == '{' else None)
        elif mark in '}]' and objects:
            objects.pop()
    return GateError(f'{origin}: a key is written twice in one object; keep one')  # not reached


def _place(text: str, at: int) -> tuple[int, int]:
    """(line, column) of offset `at`, from 1."""
    return text.count('\n', 0, at) + 1, at - text.rfind('\n', 0, at)


@contextlib.contextmanager
def json_limits(origin: str, text: str = '', first_line: int = 1) -> Iterator[None]:
    """Around a JSON decoder (DECODER, or `loads`) of `text`: what Python cannot decode and keys
    written twice, as a GateError; syntax errors pass through."""
    try:
        yield
    except _DuplicateKey:
        raise duplicate_key(text, origin, first_line) from None
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


# every byte but those of the structure (quotes and brackets), to delete; and the braces made brackets
_NOT_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}')
_BRACKETS = bytes.maketrans(b'{}', b'[]')
# the structure, backslashes and every character an escape may name (`\"`, `\\`, `\/`, `\n`, `\u`...):
# with these kept, each escape's backslash is still followed by its character
_NOT_ESCAPES = bytes(range(256)).translate(None, b'"[]{}\\/bfnrtu')


def depth(text: str | bytes) -> int:
    """How deep the valid JSON in `text` (or its UTF-8 bytes) nests arrays and objects, read from
    the text, counted up to MAX_DEPTH + 1: check_depth's number without a walk over every object
    of the decoded value. With bytes' C methods it took 0.09 to 0.12 s for 46 MB of SARIF where
    the walk over its 400,000 objects took 0.26 to 0.38 s in the same runs.

    What is left once every escape, every byte but a quote or a bracket, and the text of each
    string are taken out is the nesting alone; each pass then takes out the innermost pairs."""
    # no byte of a multi-byte UTF-8 character is ASCII
    data = text.encode('utf-8', 'surrogatepass') if isinstance(text, str) else text
    data = data.translate(_BRACKETS, _NOT_ESCAPES)  # a quarter of the bytes, in one pass
    # backslashes stand only in strings, in escapes: take out the escaped backslashes (pairs read
    # from the left, as a decoder reads escapes), then the escaped quotes
    if b'\\\\' in data:
        data = data.replace(b'\\\\', b'')
    if b'\\"' in data:
        data = data.replace(b'\\"', b'')
    # a string without brackets is left as two quotes side by side, taken out in pairs: what is left
    # still alternates opening and closing quotes
    data = data.translate(None, _NOT_STRUCTURE).replace(b'""', b'')
    if b'"' in data:
        data = b''.join(data.split(b'"')[::2])  # the brackets inside strings
    levels = 0
    while data and levels <= MAX_DEPTH:
        levels += 1
        data = data.replace(b'[]', b'')
    return levels


def loads(text: str, origin: str, first_line: int = 1, data: bytes | None = None) -> Any:
    """`json.loads` within the limits, every key once; a syntax error is the caller's to word
    (JSONDecodeError). `first_line`: the line of the report `text` starts on; `data`: the bytes
    `text` was decoded from, if the caller has them (the depth is read from them)."""
    # read before the value is built, so that its copies of the text are gone by then (peak memory)
    deep = text.count('[') + text.count('{') > MAX_DEPTH and depth(text if data is None else data) > MAX_DEPTH
    with json_limits(origin, text, first_line):
        value = json.loads(text, object_pairs_hook=_object)
    if deep:
        raise too_deep(origin)
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
    """Refuse, from the parser's events and before anything is built, a document nested too deeply,
    one whose aliases would multiply it (or contain themselves), or a mapping with a key twice."""
    import yaml

    # per open collection: its anchor, its nodes with aliases expanded, its height, and for a
    # mapping its keys (key -> line), None for a sequence; then how many nodes it holds
    open_: list[list[Any]] = [[None, 0, 0, None, 0]]
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, height) of what it names
    scalars: dict[str, str] = {}  # anchor -> the text of the scalar it names (an alias as a key)
    added = 0

    def where(event: Any) -> str:
        mark = event.start_mark
        return f':{mark.line + 1}:{mark.column + 1}' if mark else ''

    def add(nodes: int, height: int) -> None:
        parent = open_[-1]
        parent[1] += nodes
        parent[2] = max(parent[2], height)

    def key(event: Any) -> None:
        """A node starts: when it is a mapping's key, the mapping must not have it yet."""
        parent = open_[-1]
        parent[4] += 1
        keys = parent[3]
        if keys is None or parent[4] % 2 == 0:  # a sequence's item, or a value
            return
        if isinstance(event, yaml.ScalarEvent):
            text: str | None = None if event.value == '<<' and event.implicit[0] else event.value  # a merge
        else:
            text = scalars.get(event.anchor or '') if isinstance(event, yaml.AliasEvent) else None
        if text is None:
            return  # a merge key, or a collection as a key (refused when built)
        line = event.start_mark.line + 1 if event.start_mark else 0
        if text in keys:
            raise GateError(f'{origin}{where(event)}: the key {text!r} is written twice in one mapping '
                            f'(first on line {keys[text]}); keep one')
        keys[text] = line

    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            key(event)
            if len(open_) > MAX_DEPTH:
                raise too_deep(origin, where(event))
            open_.append([event.anchor, 0, 0, {} if isinstance(event, yaml.MappingStartEvent) else None, 0])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, nodes, height, _, _ = open_.pop()
            if anchor is not None:
                anchors[anchor] = (nodes + 1, height + 1)
            add(nodes + 1, height + 1)
        elif isinstance(event, yaml.ScalarEvent):
            key(event)
            if event.anchor is not None:
                anchors[event.anchor] = (1, 0)
                scalars[event.anchor] = event.value
            add(1, 0)
        elif isinstance(event, yaml.AliasEvent):
            key(event)
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
