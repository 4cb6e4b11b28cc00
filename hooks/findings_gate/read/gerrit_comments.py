"""Gerrit change comments: `GET /changes/{change-id}/comments`, its `)]}'` line and all.

Checked against a schema written from Gerrit's REST documentation (schemas/hosts/;
Gerrit publishes none to validate against). The response maps each path to its
comments. A comment is anchored by `range` (its lines) or `line` (0 or none: the
whole file), on the old side when `side` is PARENT. The revision is the patch
set's commit: `commit_id` of a comment on the patch set itself (on PARENT it
names the parent). Gerrit's own paths (`/COMMIT_MSG`, `/PATCHSET_LEVEL`, ...) are
no file of the repository: such a comment is anchored nowhere. A thread is
resolved when its last comment says `unresolved: false`; its findings are kept,
marked suppressed (`suppressed:` in the policy decides them). An author tagged
SERVICE_USER is a bot.
"""
from __future__ import annotations

from typing import Any

from findings_gate.read import comments

SCHEMA = 'hosts/gerrit-comments'


def _name(author: dict[str, Any]) -> str:
    for key in ('username', 'name', 'email', 'display_name'):
        if author.get(key):
            return str(author[key])
    return f'account {author.get("_account_id", "unknown")}'


def _resolved(all_comments: list[dict[str, Any]]) -> set[str]:
    """The ids of the comments whose thread is resolved."""
    by_id = {c['id']: c for c in all_comments}

    def root(comment: dict[str, Any]) -> str:
        seen = set()
        while comment.get('in_reply_to') in by_id and comment['id'] not in seen:
            seen.add(comment['id'])
            comment = by_id[comment['in_reply_to']]
        return str(comment['id'])

    threads: dict[str, list[dict[str, Any]]] = {}
    for comment in all_comments:
        threads.setdefault(root(comment), []).append(comment)
    resolved: set[str] = set()
    for thread in threads.values():
        last = max(thread, key=lambda c: c.get('updated', ''))
        if last.get('unresolved') is False:
            resolved.update(c['id'] for c in thread)
    return resolved


def parse_all(data: bytes, origin: str) -> list[tuple[str, dict[str, Any]]]:
    by_path = comments.load(data, origin, SCHEMA)
    every = [{**c, 'path': path} for path, listed in by_path.items() for c in listed]
    commits = {c['patch_set']: c['commit_id'] for c in every
               if c.get('commit_id') and c.get('side', 'REVISION') == 'REVISION'}
    resolved = _resolved(every)
    entries = []
    for comment in every:
        author = comment['author']
        name = _name(author)
        lines = comment.get('range') or {}
        last = lines.get('end_line') or comment.get('line')
        if lines and not lines.get('end_character') and last and last > lines['start_line']:
            last -= 1  # the range ends where the end line starts: that line is not in it
        entries.append(comments.Entry(
            name=name, kind=comments.kind(name, 'SERVICE_USER' in author.get('tags', ())),
            revision=commits.get(comment['patch_set']), base=None, body=comment.get('message', ''),
            anchor=comments.location(None if comment['path'].startswith('/') else comment['path'],
                                     lines.get('start_line'), last, 'old' if comment.get('side') == 'PARENT' else 'new'),
            fingerprint=f'gerrit-comment:{comment["id"]}', root='in_reply_to' not in comment,
            resolved='thread resolved on Gerrit' if comment['id'] in resolved else None,
        ))
    return comments.reports(entries, origin)
