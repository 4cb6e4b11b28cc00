"""Input formats: each turns raw report bytes into a native report document."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from findings_gate.formats import native, text

Parser = Callable[[bytes, str], Any]

FORMATS: dict[str, Parser] = {
    'native': native.parse,
    'text': text.parse,
}

# the first line of a native report written as YAML names one of its keys
_NATIVE_YAML = re.compile(
    rb'^(?:\s*#[^\n]*\n|\s*\n|---\s*\n)*\s*["\']?(?:version|reviewer|findings|change|complete|'
    rb'verdict|notes|\$schema)["\']?\s*:',
)


def detect(data: bytes) -> str:
    """The name of the format `data` is in: structured documents by their first bytes, else prose."""
    head = data[:4096].lstrip(b'\xef\xbb\xbf \t\r\n')
    if head[:1] == b'{' or re.match(rb'\[\s*[\[{"\]\d-]', head) or _NATIVE_YAML.match(head):
        return 'native'
    return 'text'
