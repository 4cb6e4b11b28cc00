"""GitHub pull request reviews: `gh api repos/O/R/pulls/N/reviews --paginate`.

Checked against GitHub's own description of the response (schemas/vendor/).
Each review's body is read as prose, on the commit it reviewed (`commit_id`).
A reviewer's standing verdict is their last review that approved, requested
changes or was dismissed, as GitHub counts it: when it requests changes and its
body gives no finding, the request itself is one (rule `changes-requested`), so
that it is never lost; an approval with no finding is a no-findings verdict.
"""
from __future__ import annotations

from typing import Any

from findings_gate.read import comments

SCHEMA = 'vendor/github-pull-reviews'
_VERDICTS = ('APPROVED', 'CHANGES_REQUESTED', 'DISMISSED')


def parse_all(data: bytes, origin: str) -> list[tuple[str, dict[str, Any]]]:
    reviews = comments.load(data, origin, SCHEMA)
    standing = {}  # login -> the index of their last review with a verdict
    for i, review in enumerate(reviews):
        if review['state'] in _VERDICTS:
            standing[(review['user'] or {}).get('login') or 'ghost'] = i
    entries = []
    for i, review in enumerate(reviews):
        if not (review['body'] or '').strip() and review['state'] not in _VERDICTS[:2]:
            continue  # says nothing and decides nothing: the review of a few inline comments
        user = review['user'] or {}
        login = user.get('login') or 'ghost'
        entries.append(comments.Entry(
            name=login, kind=comments.kind(login, user.get('type') == 'Bot'),
            revision=review.get('commit_id'), base=None, body=review['body'] or '', anchor={},
            fingerprint=f'github-review:{review["id"]}', root=False,
            changes_requested=standing.get(login) == i and review['state'] == 'CHANGES_REQUESTED',
        ))
    return comments.reports(entries, origin)
