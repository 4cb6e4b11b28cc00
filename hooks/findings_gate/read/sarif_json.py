"""SARIF values read leniently: a field of the wrong type reads as if it were absent.

The reader notes what it leaves out; `kind_of` names a value in those notes.
"""
from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def as_dict(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(' ', 1)[0].rstrip(' ,;:') + '…'


def kind_of(value: Any) -> str:
    """How an error names a JSON value: 'a number (42)', 'a list', 'null'."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return f'a boolean ({str(value).lower()})'
    if isinstance(value, (int, float)):
        return f'a number ({value})'
    if isinstance(value, str):
        return f'a string ({cut(value, 40)!r})'
    return 'a list' if isinstance(value, list) else 'an object'
