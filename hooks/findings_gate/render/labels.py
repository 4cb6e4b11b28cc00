"""The words every output shares: an action's label and a placement's heading."""
from __future__ import annotations

LABELS = {'block': 'BLOCK', 'warn': 'WARN', 'ignore': 'NOTE'}
HEADINGS = {
    'added': 'on added or changed lines',
    'context': 'next to a change',
    'symbol': 'in a function or class the change touched',
    'deleted': 'on removed lines',
    'file': 'elsewhere in a changed file',
    'untouched': 'in files this change does not touch',
    'unlocated': 'with no usable location',
}


def configured(commit: str | None) -> str:
    """Where the policy, the waivers and the baseline came from, as a clause ('' for the work tree)."""
    return f'configuration from commit {commit[:12]}' if commit else ''
