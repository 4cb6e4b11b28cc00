"""GitLab merge request discussions: `GET /projects/:id/merge_requests/:iid/discussions`.

Checked against a schema written from GitLab's documentation (schemas/hosts/;
GitLab publishes none to validate against). A diff note is anchored by its
`position`: `new_line` in `new_path` (an added or unchanged line), or `old_line`
in `old_path` on the old side (a removed line); `line_range` gives a range's
first line. The revision is the `head_sha` of the merge request's version it
was written on. System notes ("added 1 commit") are not reviews and are
skipped. A note of a resolved thread keeps its findings, marked suppressed
(`suppressed:` in the policy decides them).
"""
from __future__ import annotations

import re
from typing import Any

from findings_gate.read import comments

SCHEMA = 'hosts/gitlab-discussions'
_BOT = re.compile(r'(?:project|group)_\d+_bot(?:_\w+)?', re.I)  # project and group access tokens


def _first(position: dict[str, Any], side: str) -> int | None:
    """The first line of a range, on `side`: its own number, or the one in its line code
    (`<sha>_<old>_<new>`)."""
    start = (position.get('line_range') or {}).get('start') or {}
    if start.get(f'{side}_line'):
        return int(start[f'{side}_line'])
    code = re.fullmatch(r'\w+_(\d+)_(\d+)', start.get('line_code') or '')
    return int(code.group(1 if side == 'old' else 2)) or None if code else None


def _anchor(position: dict[str, Any] | None) -> dict[str, Any]:
    if not position:
        return {}
    new, old = position.get('new_line'), position.get('old_line')
    if position['position_type'] == 'text' and new:
        return comments.location(position.get('new_path'), _first(position, 'new'), new)
    if position['position_type'] == 'text' and old:
        return comments.location(position.get('old_path'), _first(position, 'old'), old, 'old')
    return comments.location(position.get('new_path') or position.get('old_path'), None, None)


def parse_all(data: bytes, origin: str) -> list[tuple[str, dict[str, Any]]]:
    entries = []
    for discussion in comments.load(data, origin, SCHEMA):
        notes = [n for n in discussion['notes'] if not n.get('system')]
        for i, note in enumerate(notes):
            author = note['author']
            login = author['username']
            bot = bool(author.get('bot')) or bool(_BOT.fullmatch(login))
            position = note.get('position')
            resolver = (note.get('resolved_by') or {}).get('username')
            entries.append(comments.Entry(
                name=login, kind=comments.kind(login, bot),
                revision=(position or {}).get('head_sha') or note.get('commit_id'),
                base=(position or {}).get('base_sha'), body=note['body'], anchor=_anchor(position),
                fingerprint=f'gitlab-note:{note["id"]}', root=i == 0,
                resolved=('thread resolved on GitLab' + (f' by {resolver}' if resolver else ''))
                if notes[0].get('resolved') else None,
            ))
    return comments.reports(entries, origin)
