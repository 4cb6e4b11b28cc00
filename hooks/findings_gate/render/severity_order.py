"""The order of findings where the most severe come first: the Markdown summary's
table, GitHub annotations and SARIF results.
"""
from __future__ import annotations

from findings_gate.model import SEVERITIES, Decided

_ORDER = {'block': 0, 'warn': 1, 'ignore': 2}


def order(d: Decided) -> tuple[int, int, str, int, str]:
    """Most severe first: block before warn before ignore, then by severity, then by place."""
    placed = d.placed
    return (_ORDER[d.action], SEVERITIES.index(placed.finding.severity), placed.path or '',
            placed.lines[0] if placed.lines else 0, placed.finding.title)
