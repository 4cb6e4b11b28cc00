"""The decision as reviewdog's Diagnostic Format, rdjson: one `DiagnosticResult` object
(FORMATS.md section 8), for `reviewdog -f=rdjson`.

- Every finding is a diagnostic: block ERROR, warn WARNING, ignore INFO. `code.value` is
  the policy rule that decided. Each diagnostic has its own severity, so there is no
  top-level one. reviewdog's default `-filter-mode=added` drops what is not on an added
  line (`filter/diff_filter.go`): context, whole-file and unlocated findings show only
  with `-filter-mode=nofilter`, and only then does `-fail-level=error` fail exactly
  when the gate blocks. The gate's exit code is the verdict either way.
- Positions are new-side: line from 1, column from 1 in UTF-8 bytes, the end exclusive.
  The finding's columns are characters; they are turned into bytes with the line's text
  from `Decision.texts`, and left out when the text is unknown. Without columns a range
  is line-wise (both ends without a column, the end line included). reviewdog has no old
  side: a finding on removed lines, on a whole file or on a binary has a path and no
  range. An unlocated finding is put on the report it came from, as is a report
  condition; a condition with no report has no location.
- No `suggestions`: a finding's suggestion is advice, not a replacement for a range.
- reviewdog puts `message` into Markdown comments (`commentutil.MarkdownComment`): the
  untrusted text is `inert` and its Markdown punctuation escaped with backslashes, so it
  cannot hide a link behind other text, embed an image or HTML, or start a heading (a
  bare URL is still shown as a link; `@` is escaped too, whether GitHub then skips the
  mention is not checked). The local reporter shows the backslashes.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from findings_gate.model import Condition, Decided, Decision
from findings_gate.render import file_lines, plain_text
from findings_gate.render.inert import inert
from findings_gate.render.labels import LABELS
from findings_gate.render.plain_text import stated

SEVERITIES = {'block': 'ERROR', 'warn': 'WARNING', 'ignore': 'INFO'}
_MARKDOWN = re.compile(r'([\\`*_\[\]<>&@#])')  # what links, embeds, marks up or mentions


def markdown_text(text: str) -> str:
    """`text` that Markdown shows as it is."""
    return _MARKDOWN.sub(r'\\\1', text)


def _byte(line: str, characters: int) -> int:
    """The UTF-8 byte column (from 1) after `characters` characters of `line`."""
    return len(line[:characters].encode('utf-8', 'surrogatepass')) + 1


def position_range(d: Decided, lines: Sequence[str] | None, binary: frozenset[str]) -> dict[str, Any] | None:
    placed = d.placed
    on_lines = file_lines.new_lines(placed, binary)
    if on_lines is None:
        return None
    first, last = on_lines
    if lines is not None:
        last = min(last, len(lines))
        if first > last:
            return None
    cols = file_lines.columns(placed)
    if cols and lines is not None and cols[0] - 1 < len(lines[first - 1]):
        start = {'line': first, 'column': _byte(lines[first - 1], cols[0] - 1)}
        end_characters = len(lines[last - 1]) if cols[1] is None else min(cols[1] - 1, len(lines[last - 1]))
        end = {'line': last, 'column': _byte(lines[last - 1], end_characters)}
        return {'start': start, 'end': end}
    span: dict[str, Any] = {'start': {'line': first}}
    if last != first:
        span['end'] = {'line': last}
    return span


def _diagnostic(d: Decided, binary: frozenset[str], lines: dict[str, list[str]]) -> dict[str, Any]:
    placed = d.placed
    text = markdown_text(plain_text.summarise(d, located=not file_lines.new_lines(placed, binary)))
    location: dict[str, Any] = {'path': placed.path or placed.report.origin}
    span = position_range(d, lines.get(placed.path or ''), binary)
    if span:
        location['range'] = span
    if placed.finding.message:
        text += '\n\n' + markdown_text(plain_text.truncate(plain_text.paragraph(placed.finding.message)))
    return {'message': text, 'location': location, 'severity': SEVERITIES[d.action],
            'code': {'value': d.rule}}


def _condition(c: Condition) -> dict[str, Any]:
    diagnostic: dict[str, Any] = {
        'message': markdown_text(f'{LABELS[c.action]} {c.kind}: {inert(stated(c))}'),
        'severity': SEVERITIES[c.action],
        'code': {'value': c.kind},
    }
    if c.origin is not None:
        diagnostic['location'] = {'path': c.origin}
    return diagnostic


def result(decision: Decision) -> dict[str, Any]:
    lines, binary = file_lines.file_lines(decision), file_lines.binaries(decision)
    return {
        'source': {'name': 'findings-gate'},
        'diagnostics': [_diagnostic(d, binary, lines) for d in decision.findings]
        + [_condition(c) for c in decision.conditions],
        # not a field of the format: reviewdog skips it (DiscardUnknown), scripts can read it
        **({'config_commit': decision.config_commit} if decision.config_commit else {}),
    }


def render(decision: Decision) -> str:
    return json.dumps(result(decision), indent=2, ensure_ascii=False) + '\n'
