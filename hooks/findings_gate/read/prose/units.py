"""The layout of a review: headings, list items, tables and scanner lines, cut into units.

Each unit carries the headings it sits under and the intent of the text that
introduced it (what `intent` says of a heading or a paragraph); formats/text.py
decides what each unit is.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from findings_gate.read.prose import mentions

FENCE = re.compile(r'^\s*(```|~~~)')
_HEADING = re.compile(r'^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$')
_BOLD_LINE = re.compile(r'^\s*(?:\*\*|__)([^*_].*?)(?:\*\*|__)\s*:?\s*$')
_LABEL_LINE = re.compile(
    r'^\s*(?:\*\*|__)?(?:issue|finding|vulnerability|problem|bug|defect|weakness|concern)\s*'
    r'#?\s*\d+\s*(?:\*\*|__)?\s*[:.)\-–]', re.I)
_ITEM = re.compile(r'^(\s*)(?:[-*+•▪●◦]|\d{1,9}[.)]|\(\d{1,9}\)|[a-z][.)]|>>)\s+(.*)$')
_BOLD_NUMBER = re.compile(r'^(\s*)\*\*\d{1,9}[.)]\s*(.*)$')
# a line led by a bracketed severity tag: `[HIGH] Insecure deserialization ...`
_TAGGED = re.compile(r'^(\s*)(\[(?:critical|high|medium|moderate|low|info|warning|error|major|minor|blocker)\]\s.*)$',
                     re.I)
TOOL_LINE = re.compile(
    rf'^\s*(?:\./)?((?:[\w.-]+/)*[\w-][\w.-]*\.(?:{mentions._EXT})):(\d+)(?::(\d+))?:\s+(.*)$', re.I)
TABLE = re.compile(r'^\s*\|.*\|\s*$')
_TABLE_RULE = re.compile(r'^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$')
_SETEXT = re.compile(r'^\s*(=+|-+)\s*$')
# a review bot's comment header: `42-48`: **Potential issue**
_LINE_LABEL = re.compile(r'^\s*`\d+(?:\s*[-–]\s*\d+)?`\s*:')
_FIELD = re.compile(
    r'^\W*(?:location|file|files|path|lines?|severity|risk|impact|likelihood|cwe|category|type|'
    r'confidence|description|details|explanation|evidence|issue|vulnerability|problem|'
    r'recommendation|recommended fix|fix|solution|remediation|mitigation|suggested fix|code|snippet|'
    r'references?|status|owasp|affected (?:code|files?|lines?)|function|method|component)\W*\s*:', re.I)


class Unit(NamedTuple):
    """A piece of the review that may be one finding."""
    start: int  # 1-based lines of the review
    end: int
    text: str  # its own text, markers removed
    heading: str  # the heading it sits under ('' at top level)
    intent: str  # defects, advice, remedy, analysis, tool or ''
    number: int | None  # its number in a numbered list


def heading_of(lines: list[str], i: int) -> tuple[int, str] | None:
    """(level, text) of a heading line: Markdown, setext, a bold line, a label line."""
    line = lines[i]
    match = _HEADING.match(line)
    if match:
        return len(match.group(1)), match.group(2)
    if (i + 1 < len(lines) and line.strip() and not _ITEM.match(line)
            and _SETEXT.match(lines[i + 1]) and len(line) < 100):
        return (1 if '=' in lines[i + 1] else 2), line.strip()
    match = _LINE_LABEL.match(line)
    if match:
        return 7, line.strip()
    match = _BOLD_LINE.match(line)
    if match and len(match.group(1)) < 150:
        return 8, match.group(1).rstrip(':')
    if _LABEL_LINE.match(line):
        return 8, line.strip().strip('*_')
    return None


def item_of(line: str) -> tuple[int, str, int | None] | None:
    """(indent, text, number) of a list item line."""
    match = _ITEM.match(line) or _BOLD_NUMBER.match(line) or _TAGGED.match(line)
    if match is None:
        return None
    number = re.match(r'\s*(?:\*\*)?\(?(\d+)', line)
    text = match.group(2)
    if _BOLD_NUMBER.match(line):
        text = '**' + text if text.count('**') % 2 else text
    return len(match.group(1).expandtabs()), text, int(number.group(1)) if number else None


def units(lines: list[str], intent_of: Callable[[str], str]) -> list[Unit]:
    """The review cut into units, each with the headings and intent it was written under."""
    found: list[Unit] = []
    headings: list[tuple[int, str, str]] = []  # (level, text, intent), outermost first
    intent = ''
    fenced = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            fenced = not fenced
            i += 1
            continue
        if fenced or not line.strip() or _SETEXT.match(line) and i and heading_of(lines, i - 1):
            i += 1
            continue
        heading = ' / '.join(h[1] for h in headings)
        found_heading = heading_of(lines, i)
        if found_heading is not None:
            level, title = found_heading
            while headings and headings[-1][0] >= level:
                headings.pop()
            intent = intent_of(title) or (headings[-1][2] if headings else '')
            headings.append((level, title, intent))
            end = _section_end(lines, i + 1)
            body = lines[i + 1:end]
            items = [found_item[1] for x in body if (found_item := item_of(x))]
            fields = items and sum(bool(_FIELD.match(x)) for x in items) * 2 >= len(items)
            listed = any(item_of(x) or TABLE.match(x) or TOOL_LINE.match(x) for x in body)
            if fields or not listed and (any(x.strip() for x in body) or mentions.cwe_ids(title)):
                text = _join([title, *body])
                found.append(Unit(i + 1, end, text, heading, intent, None))
                i = end
                continue
            i += 1
            continue
        if TOOL_LINE.match(line):
            end = _continuation(lines, i, 0)
            found.append(Unit(i + 1, end, _join(lines[i:end]), heading, 'tool', None))
            i = end
            continue
        if TABLE.match(line):
            i = _table(lines, i, heading, intent, found)
            continue
        item = item_of(line)
        if item is not None:
            indent, text, number = item
            end = _continuation(lines, i, indent)
            body_lines = [text] + [x.strip() for x in lines[i + 1:end]]
            found.append(Unit(i + 1, end, _join(body_lines), heading,
                              'tool' if line.lstrip().startswith('>>') else intent, number))
            i = end
            continue
        end = i + 1  # a paragraph: it sets the intent of what follows
        while end < len(lines) and lines[end].strip() and not (
                item_of(lines[end]) or heading_of(lines, end) is not None or FENCE.match(lines[end])):
            end += 1
        paragraph = _join(lines[i:end])
        found.append(Unit(i + 1, end, paragraph, heading, 'paragraph', None))
        intent = intent_of(paragraph) or intent
        i = end
    return found


def _join(lines: list[str]) -> str:
    return '\n'.join(x.rstrip() for x in lines if not FENCE.match(x)).strip()


def _section_end(lines: list[str], i: int) -> int:
    while i < len(lines) and heading_of(lines, i) is None:
        i += 1
    while i > 0 and not lines[i - 1].strip():
        i -= 1
    return i


def _continuation(lines: list[str], i: int, indent: int) -> int:
    """The end of the list item at `i`: nested lines and its own paragraph."""
    j = i + 1
    fenced = False
    while j < len(lines):
        line = lines[j]
        if FENCE.match(line):
            fenced = not fenced
            j += 1
            continue
        if fenced:
            j += 1
            continue
        if not line.strip():
            k = j + 1
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and len(lines[k]) - len(lines[k].lstrip()) > indent and \
                    not heading_of(lines, k):
                j = k
                continue
            break
        item = item_of(line)
        if item is not None and item[0] <= indent or heading_of(lines, j) is not None \
                or TOOL_LINE.match(line) and indent == 0:
            break
        j += 1
    return j


def _table(lines: list[str], i: int, heading: str, intent: str, found: list[Unit]) -> int:
    """Rows of a Markdown table become units of `column: value` text."""
    def cells(row: str) -> list[str]:
        return [c.strip() for c in row.strip().strip('|').split('|')]

    header = cells(lines[i])
    j = i + 1
    if j < len(lines) and _TABLE_RULE.match(lines[j]):
        j += 1
    else:
        header = []
    main = next((k for k, h in enumerate(header) if re.search(
        r'issue|title|finding|description|problem|summary|vulnerability|weakness|message', h, re.I)), None)
    while j < len(lines) and TABLE.match(lines[j]):
        row = cells(lines[j])
        pairs = [f'{h}: {c}' if h else c for k, (h, c) in enumerate(zip(header or [''] * len(row), row))
                 if c and k != main]
        text = '\n'.join(([row[main]] if main is not None and main < len(row) else []) + pairs)
        found.append(Unit(j + 1, j + 1, text, heading, intent, None))
        j += 1
    return j
