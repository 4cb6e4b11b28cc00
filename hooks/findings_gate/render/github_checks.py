"""The decision as a check run: JSON Lines of request bodies for GitHub's Checks API.

The first line is the body of "create a check run" (`POST /repos/{owner}/{repo}/check-runs`):
`name` findings-gate, `head_sha` the gated commit, `status` completed, `conclusion`
failure when the verdict blocks, neutral when it warns (a neutral check passes a
required status check), success when it passes, and `output` with the first 50
annotations. Each further line is the body of "update a check run" (`PATCH
/repos/{owner}/{repo}/check-runs/{check_run_id}`) with the next 50: the API takes at
most 50 annotations a request and appends those of each update. docs/ci.md shows a
step that posts them with `gh api`.

- Annotations: each block (`failure`) and warn (`warning`) finding on lines of a
  file of the gated commit, most severe first; one with a file and no lines is put on
  line 1. Findings on removed lines, unlocated ones and the report conditions have
  no line of the gated commit: the summary has them. `title` is cut to 255
  characters, `message` (plain text, `plain.describe`) is under 16 KB, within the
  API's 64 KB. Columns only for a one-line finding, as the API allows.
- `summary`: the Markdown of the `markdown` format (every untrusted string escaped)
  within 65,535 characters, the API's limit; `title`: the verdict and its counts.
- Staged changes and a saved diff have no gated commit: `head_sha`, which the API
  requires, is then left out, for the poster to add.
- The document goes through `json_inert` as every JSON output does.
"""
from __future__ import annotations

import json
from typing import Any

from findings_gate.model import Decided, Decision
from findings_gate.render import markdown
from findings_gate.render.file_lines import old_side
from findings_gate.render.github_review import cut
from findings_gate.render.inert import inert
from findings_gate.render.labels import LABELS
from findings_gate.render.plain_text import VERDICTS, describe
from findings_gate.render.severity_order import order

NAME = 'findings-gate'
BATCH = 50  # annotations the Checks API takes in one request
SUMMARY = 65_535  # characters of `output.summary`
TITLE = 255  # characters of an annotation's title
LEVELS = {'block': 'failure', 'warn': 'warning'}
CONCLUSIONS = {'block': 'failure', 'warn': 'neutral', 'pass': 'success'}


def _annotation(d: Decided) -> dict[str, Any] | None:
    placed = d.placed
    if (d.action not in LEVELS or placed.path is None or placed.placement in ('unlocated', 'deleted')
            or old_side(placed)):
        return None
    first, last = placed.lines or (1, 1)
    found: dict[str, Any] = {'path': placed.path, 'start_line': first, 'end_line': last}
    loc = placed.finding.location
    if (placed.lines and first == last and loc is not None and loc.start_line == first
            and loc.start_column):
        found['start_column'] = loc.start_column
        if loc.end_column and loc.end_column >= loc.start_column:
            found['end_column'] = loc.end_column
    title = f'{LABELS[d.action]} {inert(d.rule)}: {inert(placed.finding.title)}'
    found['annotation_level'] = LEVELS[d.action]
    found['title'] = title if len(title) <= TITLE else title[:TITLE - 1] + '…'
    found['message'] = describe(d) if placed.lines else describe(d) + '\n\n(the whole file)'
    return found


def annotate(decision: Decision) -> list[dict[str, Any]]:
    """Every annotation of the decision, most severe first."""
    made = (_annotation(d) for d in sorted(decision.findings, key=order))
    return [a for a in made if a is not None]


def _title(decision: Decision) -> str:
    actions = [d.action for d in decision.findings] + [c.action for c in decision.conditions]
    counts = ', '.join(f'{actions.count(a)} {LABELS[a].lower()}' for a in LABELS)
    return f'{VERDICTS[decision.verdict]}: {counts}'


def runs(decision: Decision) -> list[dict[str, Any]]:
    """The body of the request that creates the check run, then those of the updates."""
    found = annotate(decision)
    note = (f'\n\n{len(found)} annotation{"s" * (len(found) != 1)} on the files; '
            'findings on removed lines, findings with no place and report conditions are only in the tables.')
    summary = cut(markdown.render(decision, limit=SUMMARY - len(note) - 100).rstrip('\n'),
                  SUMMARY - len(note)) + note
    output = {'title': _title(decision), 'summary': summary}
    first = {'name': NAME, **({'head_sha': decision.head} if decision.head else {}), 'status': 'completed',
             'conclusion': CONCLUSIONS[decision.verdict], 'output': output | {'annotations': found[:BATCH]}}
    return [first, *({'output': output | {'annotations': found[n:n + BATCH]}}
                     for n in range(BATCH, len(found), BATCH))]


def render(decision: Decision) -> str:
    return ''.join(json.dumps(body, ensure_ascii=False) + '\n' for body in runs(decision))
