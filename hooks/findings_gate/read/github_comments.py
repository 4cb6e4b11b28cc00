"""GitHub pull request review comments: `gh api repos/O/R/pulls/N/comments --paginate`.

Checked against GitHub's own description of the response (schemas/vendor/).
A comment is anchored where GitHub puts it: `path`, `line` (and `start_line` for
a range) on the side `side` names, in the blob of `commit_id`. An outdated
comment (`line` is null) keeps `original_line` in `original_commit_id`, so it is
read there and freshness moves it to the gated revision, or marks it stale. A
file comment (`subject_type: file`) names the file only. A reply reads as a note
unless the prose reader finds a finding in it.
"""
from __future__ import annotations

from typing import Any

from findings_gate.read import comments

SCHEMA = 'vendor/github-pull-review-comments'


def entry(comment: dict[str, Any]) -> comments.Entry:
    user = comment['user'] or {}  # null: the account was deleted
    login = user.get('login') or 'ghost'
    line, first, commit = comment.get('line'), comment.get('start_line'), comment['commit_id']
    if line is None and comment.get('original_line') is not None:  # outdated
        line, first, commit = comment['original_line'], comment.get('original_start_line'), comment['original_commit_id']
    side = comment.get('side') or 'RIGHT'
    if comment.get('start_side') not in (None, side):
        first = None  # a range from one side to the other: its last line is on `side`
    return comments.Entry(
        name=login, kind=comments.kind(login, user.get('type') == 'Bot'), revision=commit, base=None,
        body=comment['body'],
        anchor=comments.location(comment['path'], first, line, 'old' if side == 'LEFT' else 'new'),
        fingerprint=f'github-comment:{comment["id"]}', root=comment.get('in_reply_to_id') is None,
    )


def parse_all(data: bytes, origin: str) -> list[tuple[str, dict[str, Any]]]:
    return comments.reports(map(entry, comments.load(data, origin, SCHEMA)), origin)
