"""A review thread as GitHub shows one when it is copied: the anchor, then each comment.

The anchor is the first line: `path:line`, or `path` alone followed by the diff hunk
the comment sits on (whose last line is the commented line, counted from the hunk
header). Each comment starts with its author on a line of its own, `**login**:`
(a bot's login ends in `[bot]`), optionally followed by a role (`**name** (author):`).
A later `path` line repeats the anchor before a reply.
"""
from __future__ import annotations

import re
from typing import NamedTuple

_ANCHOR = re.compile(r'^\s*(?:\*\*)?`?((?:[\w.@()\[\]+-]+/)*[\w.@()\[\]+-]*\.[\w-]+|(?:[\w.@()\[\]+-]+/)+[\w.@+-]+)`?'
                     r'(?:\*\*)?(?:(?::|#|\s+\(?line\s+|,\s*line\s+)L?(\d+|N/A|None)?(?:\s*[-–]\s*L?(\d+))?\)?)?:?\s*$',
                     re.I)
AUTHOR = re.compile(r'^\s*\*\*@?([\w.-]+(?:\[bot\])?)\*\*(?:\s*\([^)\n]{1,30}\))?\s*(?:commented|wrote|replied)?\s*:\s*$',
                    re.I)
# what a copy puts between the anchor and the first author: a label, the diff hunk, fenced or not
_BETWEEN = re.compile(r'^(?:\s*$|\s*(?:code context|diff hunk|hunk|context)\s*:|@@|[-+ \\])', re.I)
_HUNK = re.compile(r'^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@')
_FENCE = re.compile(r'^\s*(```|~~~)')
# review bots that post as a plain login, not as `name[bot]`
_BOTS = re.compile(r'\[bot\]$|^(?:copilot|coderabbit\w*|gemini-code-assist|greptile\w*|sourcery\w*|'
                   r'qodo\w*|codiumai\w*|ellipsis\w*|cursor|bugbot|codex|claude|github-actions|'
                   r'deepsource\w*|sonarcloud|sonarqubecloud|codacy\w*|snyk\w*|sentinel)\b', re.I)


class Comment(NamedTuple):
    author: str
    bot: bool
    start: int  # 0-based index of its first body line
    end: int
    text: str


class Thread(NamedTuple):
    path: str
    line: int | None
    end_line: int | None
    comments: tuple[Comment, ...]


def _hunk_line(hunk: list[str]) -> int | None:
    """The new-side number of the hunk's last line (the commented one), from its header."""
    number = None
    for line in hunk:
        header = _HUNK.match(line)
        if header:
            number = int(header.group(1)) - 1
        elif number is not None and not line.startswith(('-', '\\')):
            number += 1
    return number if number else None


def read(lines: list[str]) -> Thread | None:
    """The thread these lines are, or None when they do not open with an anchor and an author."""
    first = next((i for i, x in enumerate(lines) if x.strip()), None)
    if first is None:
        return None
    anchor = _ANCHOR.match(lines[first])
    if anchor is None or '/' not in anchor.group(1) and '.' not in anchor.group(1):
        return None
    i = first + 1
    line = int(anchor.group(2)) if anchor.group(2) and anchor.group(2).isdigit() and int(anchor.group(2)) else None
    end_line = int(anchor.group(3)) if anchor.group(3) and line else line
    hunk: list[str] = []
    while i < len(lines) and not AUTHOR.match(lines[i]):
        if _FENCE.match(lines[i]):
            j = i + 1
            while j < len(lines) and not _FENCE.match(lines[j]):
                j += 1
            hunk.extend(lines[i + 1:j])
            i = j + 1
        elif _BETWEEN.match(lines[i]) and i - first < 400:
            hunk.append(lines[i])
            i += 1
        else:
            return None
    if i >= len(lines):
        return None
    if line is None and hunk:
        line = end_line = _hunk_line(hunk)
    comments: list[Comment] = []
    starts = []
    fenced = False
    for k in range(i, len(lines)):
        if _FENCE.match(lines[k]):
            fenced = not fenced
        elif not fenced and AUTHOR.match(lines[k]):
            starts.append(k)
    for n, k in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        author = AUTHOR.match(lines[k]).group(1)  # type: ignore[union-attr]
        body = lines[k + 1:end]
        while body and (not body[-1].strip() or _ANCHOR.match(body[-1]) and body[-1].strip() == lines[first].strip()
                        or _ANCHOR.match(body[-1]) and anchor.group(1) in body[-1]):
            body.pop()
        comments.append(Comment(author, bool(_BOTS.search(author)), k + 1, k + 1 + len(body), '\n'.join(body)))
    return Thread(anchor.group(1), line, end_line, tuple(comments))

