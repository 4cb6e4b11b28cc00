"""The text of a git note that holds reports: one report a line, as compact JSON.

A signed report is the line `{"report": {...}, "signature": "<SSH signature>"}`;
what was signed is the report as `payload` writes it. One line each, so that
`git notes merge -s cat_sort_uniq`, which sorts lines, keeps every report whole.
A note written by hand as one JSON or YAML document is one report.
"""
from __future__ import annotations

import json
from typing import Any, NamedTuple

from findings_gate import documents
from findings_gate.errors import GateError


class Entry(NamedTuple):
    data: bytes  # the report
    signature: str | None = None  # an armored SSH signature of `data`


def payload(document: Any) -> bytes:
    """What a signature of a report signs: its JSON with sorted keys, no spaces, ASCII only,
    which reading and writing it again gives back byte for byte."""
    return json.dumps(document, ensure_ascii=True, separators=(',', ':'), sort_keys=True).encode()


def line(document: Any, signature: str | None = None) -> str:
    """A report's line in a note."""
    if signature is not None:
        document = {'report': document, 'signature': signature}
    return json.dumps(document, ensure_ascii=False, separators=(',', ':'), sort_keys=True)


def _entry(text: str) -> Entry:
    if '"signature"' in text:  # only then can it be a signed report: read it to see
        try:
            document = documents.loads(text, 'a note')
        except (GateError, ValueError):
            document = None
        if (isinstance(document, dict) and set(document) == {'report', 'signature'}
                and isinstance(document['report'], dict) and isinstance(document['signature'], str)):
            return Entry(payload(document['report']), document['signature'])
    return Entry(text.encode('utf-8', 'surrogateescape'))


def entries(text: str) -> list[Entry]:
    """The reports a note holds, in their order."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not all(line.lstrip().startswith('{') for line in lines):
        return [Entry(text.encode('utf-8', 'surrogateescape'))]
    return [_entry(line) for line in lines]
