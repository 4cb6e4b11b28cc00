"""The decision as the request body of GitHub's "create a review for a pull request"
(`POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews`), for
`gh api --method POST repos/OWNER/REPO/pulls/N/reviews --input review.json`.

- `commit_id`: the gated commit (a range's head; under `--ci`, the pull request's
  head). Staged changes and a saved diff name no commit: it is then left out, and
  GitHub takes the pull request's latest commit.
- `event`: REQUEST_CHANGES when the verdict blocks, else COMMENT; never APPROVE.
- `comments`: one for each block and warn finding on a file of the change. GitHub
  takes a line comment only on a line its diff shows, and a range only within one
  hunk; one comment off the diff and it refuses the whole review (422). Its diff has
  3 lines of context, and git joins two hunks that 6 unchanged lines or fewer
  separate; the hunks are rebuilt so from the changed lines, whatever context the
  gate's own diff had (`shown`). A finding on those lines gets `line` (and
  `start_line` for a range) with `side` RIGHT; a range is cut to its part in the
  first hunk it meets, and the comment names the whole range. On removed lines it
  gets `side` LEFT, on those lines only: the old side's context is not known here. A
  finding elsewhere in a changed file, or on a binary file or a submodule, gets a
  file comment (`subject_type: file`). GitHub's description of this endpoint does
  not list `subject_type` (that of a single review comment, `POST
  .../pulls/{pull_number}/comments`, does): not confirmed against a server.
- `body`: the headline, where the findings went, the report conditions with the
  problems of invalid reports, and the findings on no file of the change
  (untouched, unlocated). Findings the policy ignores are counted, not posted.
- GitHub shows every body as Markdown: each line of untrusted text is escaped
  (`markdown.escape`), so nothing in it is a link, an image, a mention, HTML or a
  heading, and the document goes through `json_inert` as every JSON output does.
  Each body is kept within 65,535 characters: GitHub refuses a comment over 65,536.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from findings_gate.model import Decided, Decision, FileChange, InvalidReport, LineRange
from findings_gate.render.file_lines import NEW_SIDE, file_lines, files, old_side, to_post
from findings_gate.render.inert import inert
from findings_gate.render.labels import LABELS
from findings_gate.render.markdown import escape
from findings_gate.render.plain_text import describe, headline, stated, summarise

LIMIT = 65_535  # characters of one body
CONTEXT = 3  # lines of context around a change in GitHub's diff of a pull request
_CUT = '\n\n… (cut: over the size limit; the job log has it all)'


def markdown(text: str) -> str:
    """Plain text as Markdown that shows it as written: each line escaped, the line breaks kept."""
    lines = []
    for line in text.split('\n'):
        line = escape(line)
        lines.append('\\' + line if line.startswith('=') else line)  # not a heading's underline
    return '  \n'.join(lines)


def cut(text: str, limit: int = LIMIT) -> str:
    """`text` within `limit` characters, cut at a line's end, saying so."""
    if len(text) <= limit:
        return text
    head = text[:limit - len(_CUT)]
    return (head.rsplit('\n', 1)[0] if '\n' in head else head.rstrip('\\&')) + _CUT


def shown(file: FileChange, length: int | None) -> list[LineRange]:
    """The new-side lines of a file that GitHub's diff shows, hunk by hunk."""
    if file.status == 'copied':  # GitHub shows a copy as an added file
        return [(1, length or 2**31 - 1)]
    around = [(first - CONTEXT, last + CONTEXT) for first, last in file.added]
    around += [(after + 1 - CONTEXT, after + CONTEXT) for after in file.removals]
    hunks: list[LineRange] = []
    for first, last in sorted(around):
        first, last = max(first, 1), last if length is None else min(last, length)
        if first > last:
            continue
        if hunks and first <= hunks[-1][1] + 1:
            hunks[-1] = (hunks[-1][0], max(hunks[-1][1], last))
        else:
            hunks.append((first, last))
    return hunks


def within(lines: LineRange, hunks: Sequence[LineRange]) -> LineRange | None:
    """The part of `lines` in the first hunk they meet, or None."""
    first, last = lines
    for start, end in hunks:
        if first <= end and last >= start:
            return max(first, start), min(last, end)
    return None


def _named(lines: LineRange) -> str:
    first, last = lines
    return f'line {first}' if first == last else f'lines {first}-{last}'


def _comment(d: Decided, by_path: Mapping[str, FileChange], by_old: Mapping[str, FileChange],
             lengths: Mapping[str, int]) -> dict[str, Any] | None:
    """The review comment for a finding on a file of the change, or None."""
    placed = d.placed
    if placed.path is None or placed.placement not in (*NEW_SIDE, 'deleted'):
        return None
    old = old_side(placed)
    file = (by_path.get(placed.path) or by_old.get(placed.path)) if old else by_path.get(placed.path)
    if file is None:
        return None
    text = describe(d)
    where = None
    if placed.lines and not (file.binary or file.submodule):
        if old:
            where = None if file.status == 'added' else within(placed.lines, file.deleted)
        elif file.status != 'deleted':
            where = within(placed.lines, shown(file, lengths.get(file.path)))
        if where is None:
            text += f'\n\n{"Old side " if old else ""}{_named(placed.lines)}: not shown in the diff.'
        elif where != placed.lines:
            text += f'\n\n{_named(placed.lines)}; the diff shows {_named(where)}.'
    body = cut(markdown(text))
    if where is None:
        return {'path': file.path, 'subject_type': 'file', 'body': body}
    side = 'LEFT' if old else 'RIGHT'
    comment: dict[str, Any] = {'path': file.path}
    if where[0] != where[1]:
        comment |= {'start_line': where[0], 'start_side': side}
    return comment | {'line': where[1], 'side': side, 'body': body}


def _listed(heading: str, items: Sequence[str], room: int) -> list[str]:
    """A heading and as many `- item` lines as fit in `room` characters, then how many did not."""
    out = ['', heading, '']
    used = len(heading) + 3
    for n, item in enumerate(items):
        line = f'- {item}'
        if used + len(line) + 1 > room - 80:
            out.append(f'- … and {len(items) - n} more, not listed (size limit)')
            break
        out.append(line)
        used += len(line) + 1
    return out


def review(decision: Decision) -> dict[str, Any]:
    by_path, by_old = files(decision)
    lengths = {path: len(lines) for path, lines in file_lines(decision).items()}
    comments: list[dict[str, Any]] = []
    elsewhere: list[str] = []
    posting, ignored = to_post(decision)
    for d in posting:
        made = _comment(d, by_path, by_old, lengths)
        if made is None:
            elsewhere.append(escape(summarise(d)))
        else:
            comments.append(made)
    comments.sort(key=lambda c: (c['path'], c.get('line', 0), c.get('side', '')))
    on_lines = sum('line' in c for c in comments)
    parts = [f'{on_lines} as comments on lines of the diff',
             f'{len(comments) - on_lines} as comments on whole files' if len(comments) > on_lines else '',
             f'{len(elsewhere)} below: on no file of this change' if elsewhere else '',
             f'{ignored} ignored by the policy, not posted' if ignored else '']
    out = [markdown(headline(decision)), '', escape('; '.join(p for p in parts if p) + '.'),
           '', markdown(f'Policy: {inert(decision.policy)}.')]
    problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
    conditions = []
    for c in decision.conditions:
        item = escape(f'{LABELS[c.action]} {c.kind}: {inert(c.origin or "the change")}: {inert(stated(c))}')
        conditions.append(item + ''.join(f'\n  - {escape(p)}' for p in problems.get(c.origin or '', ())[:20]))
    for heading, items in (('### About the reports', conditions), ('### On no file of this change', elsewhere)):
        if items:
            out += _listed(heading, items, LIMIT - len('\n'.join(out)))
    document: dict[str, Any] = {}
    if decision.head:
        document['commit_id'] = decision.head
    document['event'] = 'REQUEST_CHANGES' if decision.verdict == 'block' else 'COMMENT'
    document['body'] = cut('\n'.join(out))
    document['comments'] = comments
    return document


def render(decision: Decision) -> str:
    return json.dumps(review(decision), indent=2, ensure_ascii=False) + '\n'
