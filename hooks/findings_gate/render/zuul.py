"""The decision as `zuul_return` data: `{"zuul": {"file_comments": {...}, "warnings": [...]}}`
(FORMATS.md section 4). The role writes it to a file; `zuul_return` reads it with `file:`.

Only what Zuul keeps is written as a file comment (section 4.2); the rest is a warning:
- One comment that fails `zuul.lib.filecomments`' schema makes the executor drop every
  comment of the build. So a comment is `line`, `message` and, where the columns or the
  line text give one, a full `range` of ints (Gerrit's: characters from 0, end
  exclusive); never `level`, which older Zuul schemas reject as an extra key.
- Lines are the tested commit's, from 1, which Zuul maps back to the change; there is
  no side, so findings on removed lines (old side) are warnings.
- The reporter drops comments on files that are not in the change: findings in
  untouched files are warnings, and so are findings in deleted, binary and submodule
  files, whole-file findings (no line) and unlocated ones.
- Only block and warn findings are shown; ignored ones are counted in the first
  warning, which sums everything up. Report conditions (invalid, incomplete, none)
  that block or warn are warnings too.
Messages are plain text (Gerrit comments, GitHub annotations, the report's warning
lines): untrusted fields are `inert`, and a warning is one line.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from findings_gate.model import Decided, Decision, FileChange, InvalidReport
from findings_gate.render import file_lines, plain_text
from findings_gate.render.inert import inert
from findings_gate.render.labels import LABELS
from findings_gate.render.plain_text import stated

PROBLEMS_SHOWN = 5  # of an invalid report, in its warning


def _comment(d: Decided, by_path: Mapping[str, FileChange],
             lines: Mapping[str, list[str]]) -> dict[str, Any] | None:
    placed, on_lines = d.placed, file_lines.new_lines(d.placed)
    if placed.placement not in file_lines.NEW_SIDE or placed.path is None or on_lines is None:
        return None
    file = by_path.get(placed.path)
    if (file is None or file.status == 'deleted' or file.binary or file.submodule
            or placed.path.startswith('/') or on_lines[0] < 1):
        return None
    span = file_lines.comment_range(placed, lines.get(placed.path))
    comment: dict[str, Any] = {'line': span['end_line'] if span else on_lines[0],
                               'message': plain_text.describe(d)}
    if span:
        comment['range'] = span
    return comment


def data(decision: Decision) -> dict[str, Any]:
    lines = file_lines.file_lines(decision)
    by_path, _ = file_lines.files(decision)
    comments: dict[str, list[dict[str, Any]]] = {}
    moved: list[Decided] = []
    posting, ignored = file_lines.to_post(decision)
    for d in posting:
        comment = _comment(d, by_path, lines)
        if comment is None:
            moved.append(d)
        else:
            comments.setdefault(d.placed.path or '', []).append(comment)
    for listed in comments.values():
        listed.sort(key=lambda c: int(c['line']))
    problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
    conditions = []
    for c in decision.conditions:
        if c.action == 'ignore':
            continue
        text = f'findings-gate: {LABELS[c.action]} {c.kind}: {inert(c.origin or "the change")}: {inert(stated(c))}'
        shown = problems.get(c.origin or '', ())
        if shown:
            text += ': ' + '; '.join(inert(p) for p in shown[:PROBLEMS_SHOWN])
            if len(shown) > PROBLEMS_SHOWN:
                text += f'; and {len(shown) - PROBLEMS_SHOWN} more'
        conditions.append(plain_text.truncate(text))
    warnings = []
    if comments or moved or conditions:
        posted = sum(len(c) for c in comments.values())
        parts = [f'{posted} as file comments', f'{len(moved)} not on a line of the change (below)',
                 f'{ignored} ignored by the policy']
        warnings.append(f'{plain_text.headline(decision)}: {", ".join(parts)}')
    warnings += [plain_text.truncate(f'findings-gate: {plain_text.summarise(d)}') for d in moved]
    warnings += conditions
    return {'zuul': {'file_comments': {p: comments[p] for p in sorted(comments)}, 'warnings': warnings}}


def render(decision: Decision) -> str:
    return json.dumps(data(decision), indent=2, ensure_ascii=False) + '\n'
