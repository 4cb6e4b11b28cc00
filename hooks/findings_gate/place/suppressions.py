"""Suppressions written in the code: the analysers' own comments on a finding's line or the line before.

Each comment applies only to the analyser that reads it (a reviewer of kind `tool`
whose name names it), and only to the rules it names (all of that analyser's rules when it names none), as the analyser itself does:

- bandit: `# nosec`, `# nosec B602, B607` on the line (bandit's manual, "Exclusions");
- ruff and flake8: `# noqa`, `# noqa: E501,F401` on the line;
- clang-tidy: `// NOLINT(check)` on the line, `// NOLINTNEXTLINE(check)` on the line
  before; check names may be globs (`bugprone-*`);
- Semgrep: `# nosemgrep`, `// nosemgrep: rule-id` on the line or the line before; a
  short id names the rule whose full id ends with it;
- ESLint: `// eslint-disable-line rule` on the line, `// eslint-disable-next-line rule`
  on the line before;
- mypy: `# type: ignore[code]` on the line.

A SARIF result the tool reports as suppressed `inSource` is one too. Whether any of
them applies is the policy's (`inline_suppressions`, decide/inline.py); here each is
found, with whether the change adds its line.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from findings_gate.model import Change, Inline, Placed


class Directive(NamedTuple):
    tools: tuple[str, ...]  # words of the reviewer's name that name the analyser (lower case)
    pattern: re.Pattern[str]  # its `ids` group: the rules it names, if any
    before: bool  # it may stand on the line before the finding
    here: bool  # it may stand on the finding's line


_IDS = r'(?P<ids>[\w.,/*\- ]+?)'
DIRECTIVES = (
    Directive(('bandit',), re.compile(rf'#\s*nosec\b(?:[:\s]\s*{_IDS})?\s*(?:#|$)'), before=False, here=True),
    Directive(('ruff', 'flake8'), re.compile(rf'#\s*noqa\b(?::\s*{_IDS})?\s*(?:#|$)', re.I), before=False, here=True),
    Directive(('clang-tidy',), re.compile(r'//\s*NOLINT(?:\((?P<ids>[^)]*)\))?(?![A-Z])'), before=False, here=True),
    Directive(('clang-tidy',), re.compile(r'//\s*NOLINTNEXTLINE(?:\((?P<ids>[^)]*)\))?'), before=True, here=False),
    Directive(('semgrep',), re.compile(rf'(?:#|//)\s*nosemgrep\b(?::\s*{_IDS})?\s*(?:#|//|$)'), before=True, here=True),
    Directive(('eslint',), re.compile(r'(?://|/\*)\s*eslint-disable-line\b(?P<ids>[^*\n]*?)\s*(?:--.*|\*/)?$'),
              before=False, here=True),
    Directive(('eslint',), re.compile(r'(?://|/\*)\s*eslint-disable-next-line\b(?P<ids>[^*\n]*?)\s*(?:--.*|\*/)?$'),
              before=True, here=False),
    Directive(('mypy',), re.compile(r'#\s*type:\s*ignore\b(?:\[(?P<ids>[^\]]*)\])?'), before=False, here=True),
)


def _names(rule: str | None, ids: str | None) -> bool:
    """Whether a comment naming `ids` (None: none) covers a finding of `rule`."""
    wanted = [i for i in re.split(r'[,\s]+', ids or '') if i]
    if not wanted:
        return True
    return rule is not None and any(
        fnmatch.fnmatchcase(rule, i) or rule.endswith(f'.{i}') for i in wanted)


def _comment(placed: Placed, lines: Sequence[str]) -> tuple[str, int] | None:
    """The first comment on the finding's line, or on the line before it, that covers it."""
    assert placed.lines is not None
    if placed.report.reviewer.kind != 'tool':  # a person's or a model's finding is no analyser's to silence
        return None
    tool = placed.report.reviewer.name.lower()
    first = placed.lines[0]
    for directive in DIRECTIVES:
        if not any(word in tool for word in directive.tools):
            continue
        spots = [n for n, wanted in ((first, directive.here), (first - 1, directive.before)) if wanted]
        for number in spots:
            if not 1 <= number <= len(lines):
                continue
            found = directive.pattern.search(lines[number - 1])
            if found and _names(placed.finding.rule, found.group('ids')):
                return found.group(0).strip(), number
    return None


def find(placed: Sequence[Placed], texts: Mapping[str, str], change: Change) -> list[Placed]:
    """Each finding with the suppression written for it, if any, and whether the change adds it."""
    added = {f.path: f.added for f in change.files}
    split: dict[str, list[str]] = {}

    def on_added(path: str, line: int | None) -> bool:
        return line is not None and any(a <= line <= b for a, b in added.get(path, ()))

    found = []
    for p in placed:
        inline = None
        suppression = p.finding.suppression
        if suppression is not None and suppression[0] == 'inSource':
            line = p.lines[0] if p.lines else None
            inline = Inline(f'inSource: {suppression[1] or "no justification"}', line,
                            p.path is not None and on_added(p.path, line))
        elif p.path is not None and p.path in texts and p.lines is not None and p.placement != 'deleted':
            lines = split.setdefault(p.path, texts[p.path].splitlines())
            comment = _comment(p, lines)
            if comment is not None:
                inline = Inline(comment[0], comment[1], on_added(p.path, comment[1]))
        found.append(p._replace(inline=inline) if inline else p)
    return found
