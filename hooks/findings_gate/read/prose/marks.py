"""The severity marks review bots put on a comment, and the lines that carry only marks.

Each mark makes the comment it heads a finding of that severity:

- Codex and Greptile: a P0-P3 badge (`![P1 Badge](...)`, `alt="P1"`, `badges/p2.svg`);
- gemini-code-assist: `security-high` and `high-priority.svg` images;
- CodeRabbit: `_⚠️ Potential issue_ | _🟠 Major_` (🔴 Critical, 🟠 Major, 🟡 Minor, 🔵 Trivial);
- Cursor Bugbot: `**Medium Severity**` on a line of its own;
- Sourcery: `**issue (bug_risk):**`, `**suggestion (security):**`, `**issue:**`.
"""
from __future__ import annotations

import re

_PRIORITY = {'0': 'critical', '1': 'high', '2': 'medium', '3': 'low'}
_BADGE = re.compile(
    r'!\[P([0-3])(?: Badge)?\]|\balt="P([0-3])"|/badges?/P([0-3])\b|/badges/p([0-3])\.svg', re.I)
_GEMINI = re.compile(r'\b(?:security-)?(critical|high|medium|low)(?:-priority)?(?:\.svg|\]\()', re.I)
_RABBIT = re.compile(r'_(?:🔴|🟠|🟡|🔵|⚪)\s*(Critical|Major|Minor|Trivial|Nitpick)_')
_RABBIT_ISSUE = re.compile(r'_⚠️\s*Potential issue_')
_BUGBOT = re.compile(r'^\s*\*\*(Critical|High|Medium|Low) Severity\*\*\s*$', re.I | re.M)
_SOURCERY = re.compile(r'^\W*\*\*(issue|suggestion|bug_risk|security)(?:\s*\(([\w\s,-]+)\))?:\*\*', re.I | re.M)
_WORDS = {'critical': 'critical', 'major': 'high', 'high': 'high', 'medium': 'medium',
          'minor': 'low', 'low': 'low', 'trivial': 'info', 'nitpick': 'info'}
# a line that holds nothing but marks: badge images, CodeRabbit's labels
_MARK_LINE = re.compile(
    r'^\s*(?:(?:<[^>\n]*>|!\[[^\]\n]*\]\([^)\n]*\)|_[^_\n]{1,40}_|\||&nbsp;)\s*)+$')
_IMAGE = re.compile(r'!\[[^\]\n]*\]\([^)\n]*\)|<img\b[^>\n]*>|</?(?:sub|sup|a|picture|source)\b[^>\n]*>')


def severity(text: str) -> str | None:
    """The severity a bot's mark gives the comment, or None when it carries no mark."""
    badge = _BADGE.search(text)
    if badge:
        return _PRIORITY[next(g for g in badge.groups() if g)]
    for pattern in (_BUGBOT, _RABBIT, _GEMINI):
        match = pattern.search(text)
        if match:
            return _WORDS[match.group(1).lower()]
    return None


def marked(text: str) -> bool:
    """Whether a bot marked the text as a finding (a severity, 'Potential issue', Sourcery's 'issue')."""
    return bool(severity(text) or _RABBIT_ISSUE.search(text) or _SOURCERY.search(text))


def strip(text: str) -> str:
    """The text without the lines of marks and the badge images, its words kept."""
    lines = [x for x in text.split('\n') if not _MARK_LINE.match(x) and not _BUGBOT.match(x)]
    text = _IMAGE.sub('', '\n'.join(lines))
    text = _SOURCERY.sub('', text)
    return re.sub(r'^(\s*)\*\*\s+', r'\1**', text, flags=re.M).strip()
