"""Input formats: each turns raw report bytes into a native report document."""
from __future__ import annotations

from collections.abc import Callable

from findings_gate.formats import native

Parser = Callable[[bytes, str], object]

FORMATS: dict[str, Parser] = {
    'native': native.parse,
}


def detect(data: bytes) -> str:
    """The name of the format `data` is in."""
    return 'native'
