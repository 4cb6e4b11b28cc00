"""A report's fields checked strictly, as the rdjson and Code Quality readers need them.

A field of the wrong type or range raises `Invalid`, with where it is, what is
wrong and what to do; `first` makes the problems one line for a GateError.
`title` and `ordered` shape the native finding those readers build.
"""
from __future__ import annotations

import re
from typing import Any

_ORDER = ('title', 'severity', 'message', 'category', 'rule', 'location', 'related', 'suggestion', 'fingerprint')


class Invalid(Exception):
    """A field a reader cannot use: where it is (a JSON path below the item), what, what to do."""

    def __init__(self, place: str, what: str, remedy: str) -> None:
        super().__init__(place, what, remedy)
        self.place, self.what, self.remedy = place, what, remedy


def kind(value: object) -> str:
    """The JSON name of the type of `value`."""
    names = {dict: 'an object', list: 'an array', str: 'a string', bool: 'a boolean', type(None): 'null'}
    return names.get(type(value), 'a number')


def mapping(value: object, place: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(place, f'{kind(value)} where an object belongs', 'write it as a JSON object')
    return value


def items(value: object, place: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(place, f'{kind(value)} where an array belongs', 'write it as a JSON array')
    return value


def text(value: object, place: str) -> str | None:
    """A string field, stripped; None when it is missing or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(place, f'{kind(value)} where text belongs', 'write it as a JSON string')
    return value.strip() or None


def number(value: object, place: str) -> int | None:
    """A line or column: a whole number (protojson also takes one in a string); 0 means unset."""
    if isinstance(value, str) and re.fullmatch(r'\s*-?\d+\s*', value):
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        shown = repr(value) if not isinstance(value, (dict, list)) else kind(value)
        raise Invalid(place, f'{shown} is not a whole number', 'write lines and columns as numbers from 1')
    if value < 0:
        raise Invalid(place, f'{value} is negative', 'lines and columns count from 1')
    return value or None


def first(problems: list[str]) -> str:
    """The first problem, and how many more there are: a GateError is one line."""
    more = len(problems) - 1
    return problems[0] + (f' (and {more} more problem{"s" * (more > 1)} in this report)' if more else '')


def title(message: str) -> str:
    """The first line of a message, short enough to read as a title."""
    line = next((x.strip() for x in message.splitlines() if x.strip()), '')
    return line if len(line) <= 120 else line[:117].rstrip() + '...'


def ordered(finding: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(finding.items(), key=lambda kv: _ORDER.index(kv[0])))
