"""The native report, as JSON or YAML text."""
from __future__ import annotations

import json
from typing import Any

from findings_gate import cache
from findings_gate.errors import GateError


def decode(data: bytes, origin: str) -> str:
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        raise GateError(
            f'{origin}: not UTF-8 text (byte {e.start}); save the report as UTF-8',
        ) from None


def report(reviewer: dict[str, Any], findings: list[dict[str, Any]], notes: list[str], *,
           complete: bool | None = None, verdict: str | None = None) -> dict[str, Any]:
    """A native report document, as the other formats' readers make them."""
    document: dict[str, Any] = {'version': 1, 'reviewer': reviewer}
    if complete is not None:
        document['complete'] = complete
    document['verdict'] = verdict or ('findings' if findings else 'no-findings')
    if notes:
        document['notes'] = notes
    document['findings'] = findings
    return document


def parse(data: bytes, origin: str) -> object:
    """The document in `data`: JSON when it looks like JSON, YAML otherwise."""
    text = decode(data, origin)
    if text.lstrip()[:1] in ('{', '['):
        try:
            return json.loads(text)
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
        document = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        where = f':{mark.line + 1}:{mark.column + 1}' if mark else ''
        problem = getattr(e, 'problem', None) or str(e).splitlines()[0]
        raise GateError(f'{origin}{where}: not valid YAML: {problem}; fix the syntax') from None
    cache.put('yaml', data, document)
    return document
