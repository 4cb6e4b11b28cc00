"""A patch review by mail: the patch quoted with `>`, the reviewer's comments inline.

Each block of the reviewer's own lines that follows a quoted diff line is a comment on
that line: the file of the last quoted `+++ b/path` (or `diff --git`), the line counted
from the last quoted hunk header. Greetings, the attribution line ("On ..., X wrote:"),
trailers (`Reviewed-by:`), thanks and the signature after `-- ` are not comments.
"""
from __future__ import annotations

import re
from typing import NamedTuple

_QUOTED = re.compile(r'^\s*>')
_FILE = re.compile(r'^(?:\s*>)+\s?(?:\+\+\+ b/|diff --git a/\S+ b/)(\S+)')
_HUNK = re.compile(r'^(?:\s*>)+\s?@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@')
_BODY = re.compile(r'^(?:\s*>)+\s?([-+ ])')
_NOT_COMMENT = re.compile(
    r'^\s*(?:on .{0,120}wrote:?|.{0,80}\bwrote:|(?:reviewed|acked|tested|signed-off|reported|suggested)-by:|'
    r'thanks?\b|thank you|cheers|regards|best|hi\b|hello\b|--\s*$|[\w.]+@[\w.]+$|=20$)', re.I)


class Comment(NamedTuple):
    path: str
    line: int | None
    start: int  # 0-based lines of the comment
    end: int
    text: str


def comments(lines: list[str]) -> list[Comment]:
    """The reviewer's comments on quoted diff lines; empty when the text quotes no diff."""
    if not any(_FILE.match(x) for x in lines):
        return []
    found = []
    path: str | None = None
    number: int | None = None
    after_diff = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _QUOTED.match(line):
            file = _FILE.match(line)
            hunk = _HUNK.match(line)
            body = _BODY.match(line)
            if file:
                path, number = file.group(1), None
            elif hunk:
                number = int(hunk.group(1)) - 1
                after_diff = True
            elif body and number is not None and not line.lstrip('> ').startswith(('+++', '---')):
                if body.group(1) != '-':
                    number += 1
                after_diff = True
            i += 1
            continue
        if re.match(r'^--\s*$', line):
            break  # the signature
        j = i
        while j < len(lines) and lines[j].strip() and not _QUOTED.match(lines[j]):
            j += 1
        block = [x for x in lines[i:j] if not _NOT_COMMENT.match(x)]
        if block and path and after_diff:
            found.append(Comment(path, number, i, j, '\n'.join(block).strip()))
        i = max(j, i + 1)
    return found
