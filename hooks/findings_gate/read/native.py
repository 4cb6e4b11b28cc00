"""The native report, as JSON or YAML text; and the document every other format's reader makes."""
from __future__ import annotations

from typing import Any

from findings_gate import documents


def parse(data: bytes, origin: str) -> object:
    """The native report document in `data`: JSON when it looks like JSON, YAML otherwise."""
    return documents.parse(data, origin)


def report(reviewer: dict[str, Any], findings: list[dict[str, Any]], notes: list[str], *,
           complete: bool | None = None, verdict: str | None = None,
           failures: list[str] | None = None) -> dict[str, Any]:
    """A native report document, as the other formats' readers make them."""
    document: dict[str, Any] = {'version': 1, 'reviewer': reviewer}
    if complete is not None:
        document['complete'] = complete
    document['verdict'] = verdict or ('findings' if findings else 'no-findings')
    if failures:
        document['failures'] = failures
    if notes:
        document['notes'] = notes
    document['findings'] = findings
    return document
