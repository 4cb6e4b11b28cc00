"""Scanner output pasted into a review: every result line is a finding, placed and graded as stated.

Read, fenced or not:

- ESLint "stylish" and its kin: a path on a line of its own (or `WARNING in path`), then
  indented `LINE:COL  SEVERITY  rule (CWE-nnn) message` or `Line 13:10:  message  rule` lines;
- gosec: `[path:line] - G304 (CWE-22): message (Confidence: HIGH, Severity: MEDIUM)`;
- bandit text cut to its `Location: path:line` line (whole `>> Issue:` blocks are list items
  the prose reader reads);
- Coverity: each `CID nnn` once, at `path: LINE in function()` or at the numbered source line
  that follows its event;
- Snyk CLI: `✗ [Medium] Path Traversal` then `Path: src/a.js, line 12`;
- Semgrep CLI text: a path, the rule id and message, then `42┆ code` lines;
- Checkmarx tables: a row whose line cell links to the line (`[90](.../blob/ref/path#L90)`);
- field blocks (Semgrep and others): `File Path: path` or `File: path` with `Line: N`.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from findings_gate.read.prose import mentions

_SEVERITIES = r'critical|blocker|error|high|major|warning|warn|medium|moderate|minor|low|info|note'
_PATH = r'(?:[A-Za-z]:)?[\w./\\@()\[\]+-]*[\w-]\.[A-Za-z]\w{0,9}'
_FILE_LINE = re.compile(rf'^\s*(?:\*\*)?(?:(?:WARNING|ERROR|Warning|Error) in |File:\s*)?(?:\./)?({_PATH})\s*$')
_STYLISH = re.compile(
    rf'^\s+(?:Line\s+)?(\d+):(\d+):?\s+(?:({_SEVERITIES})\s+)?(\S.*?)\s*$', re.I)
_GOSEC = re.compile(
    rf'^\s*\[({_PATH}):(\d+)(?::\d+)?\]\s*-\s*(G\d+)\s*(?:\((CWE-\d+)\))?\s*:\s*(.*?)\s*'
    r'(?:\(Confidence:\s*\w+,\s*Severity:\s*(\w+)\))?\s*$', re.I)
_BANDIT_ISSUE = re.compile(r'^\s*>>\s*Issue:\s*\[(B\d+)(?::[\w.-]+)?\]\s*(.*?)\s*$')
_LOCATION = re.compile(rf'^\s*Location:\s*(?:\./)?({_PATH}):(\d+)(?::(\d+))?\s*$', re.I)
_BANDIT_SEVERITY = re.compile(r'\bSeverity:\s*(\w+)', re.I)
_CID = re.compile(r'\bCID\s*(\d+)\s*:?')
_COVERITY_AT = re.compile(rf'^\s*/?({_PATH}):\s*(\d+)\s+in\s+([\w:~]+)\(\)')
_SOURCE_LINE = re.compile(r'^\s*(\d+)\s{2,}\S')
_FIELD_PATH = re.compile(rf'^\W*(?:File\s*Path|File|Path)\W*:\W*(?:\./)?({_PATH})\W*$', re.I | re.M)
_FIELD_LINE = re.compile(r'^\W*(?:Line|Line number|Lines?|Lines? affected|Affected lines?)\W*:\W*(\d+)(?:\s*[-–]\s*(\d+))?\W*$', re.I | re.M)
# a table row whose line cell links to the line: `[90](https://github.com/o/r/blob/ref/path#L90) |Medium|...`
_LINKED_ROW = re.compile(r'\[(\d+)\]\(https?://[^\s)]*?/blob/[^/\s)]+/([^\s)#]+)(?:#L\d*)?')
_ROW_SEVERITY = re.compile(rf'\|\s*(?:\*\*)?({_SEVERITIES})(?:\*\*)?\s*(?:\||$)', re.I)
# Snyk CLI: '✗ [Medium] Path Traversal' then '  Path: src/a.js, line 12'
_SNYK_TITLE = re.compile(rf'^\s*(?:✗|✕|x)?\s*\[({_SEVERITIES})\]\s+(.+?)\s*$', re.I)
_SNYK_PATH = re.compile(rf'^\s*Path:\s*(?:\./)?({_PATH}),\s*line\s+(\d+)', re.I)
# Semgrep CLI text: the path, the rule id, the message, then '  42┆ code'
_SEMGREP_LINE = re.compile(r'^\s*(\d+)\s*┆')
_SYMBOL = re.compile(r"^'([A-Za-z_$][\w$]*)'\s")


class Result(NamedTuple):
    path: str | None
    line: int | None
    column: int | None
    severity: str | None
    rule: str | None
    cwe: tuple[str, ...]
    message: str
    symbol: str | None
    source: int  # 1-based line of the review
    end: int | None = None  # the last line, when a result names a range


def _stylish(lines: list[str]) -> list[Result]:
    found = []
    path = None
    for i, line in enumerate(lines):
        file_line = _FILE_LINE.match(line)
        if file_line and not line.startswith((' ', '\t')):
            path = file_line.group(1)
            continue
        result = _STYLISH.match(line) if path else None
        if result and path:
            rest = result.group(4).removesuffix('**').rstrip()
            rule = re.search(r'\s{2,}([@\w/.-]+)$', rest)
            lead = re.match(r'([@\w/.-]+/[\w.-]+)\s+(?:\((CWE-\d+)\)\s+)?', rest)
            message = rest[:rule.start()] if rule else rest[lead.end():] if lead else rest
            named = rule or lead
            found.append(Result(path, int(result.group(1)), int(result.group(2)),
                                _grade(result.group(3)), named.group(1) if named else None,
                                tuple(mentions.cwe_ids(rest)), message.strip(),
                                _symbol(message), i + 1))
        elif line.strip() and not line.startswith((' ', '\t')):
            path = None
    return found


def _symbol(message: str) -> str | None:
    match = _SYMBOL.match(message.strip())
    return match.group(1) if match else None


def _grade(word: str | None) -> str | None:
    if not word:
        return None
    word = word.lower()
    return {'warn': 'medium', 'error': 'high', 'warning': 'medium'}.get(word) or mentions.SEVERITY_WORDS.get(word)


def _gosec(lines: list[str]) -> list[Result]:
    found = []
    for i, line in enumerate(lines):
        match = _GOSEC.match(line)
        if match:
            found.append(Result(match.group(1), int(match.group(2)), None, _grade(match.group(6)), match.group(3),
                                (match.group(4).upper(),) if match.group(4) else (), match.group(5), None, i + 1))
    return found


def _locations(lines: list[str]) -> list[Result]:
    """bandit's `Location: path:line` lines without their `>> Issue:` line (bandit's whole
    blocks are list items the prose reader reads with their confidence and function)."""
    if any(_BANDIT_ISSUE.match(x) for x in lines):
        return []
    found = []
    for i, line in enumerate(lines):
        location = _LOCATION.match(line)
        if location:
            block = '\n'.join(lines[max(0, i - 6):i + 1])
            severity = _BANDIT_SEVERITY.search(block)
            found.append(Result(location.group(1), int(location.group(2)),
                                int(location.group(3)) if location.group(3) else None,
                                _grade(severity.group(1)) if severity else None, None,
                                tuple(mentions.cwe_ids(block)), _before(lines, i), None, i + 1))
    return found


def _before(lines: list[str], i: int) -> str:
    """The sentence a `Location:` line follows: the last line of prose before it."""
    for line in reversed(lines[max(0, i - 6):i]):
        if line.strip() and not line.lstrip().startswith(('#', '>')):
            return line.strip()
    return 'scanner result'


def _coverity(lines: list[str], text_paths: list[str]) -> list[Result]:
    """Each CID once: at the `path: LINE in function()` line that follows one of its mentions,
    else at the numbered source line after its first event."""
    found: dict[str, Result] = {}
    placed: set[str] = set()
    for i, line in enumerate(lines):
        cid = _CID.search(line)
        if cid is None or cid.group(1) in placed:
            continue
        message = line[cid.end():].strip(' :') or (lines[i + 1].strip() if i + 1 < len(lines) else '')
        near = [m for x in lines[i + 1:i + 3] if (m := _COVERITY_AT.match(x))]
        if cid.group(1) in found and not near:
            continue  # a later mention places it no better than the event lines did
        if near:
            placed.add(cid.group(1))
            path, number, symbol = near[0].group(1), int(near[0].group(2)), near[0].group(3)
        else:
            event = next((int(m.group(1)) for x in lines[i + 1:i + 12] if (m := _SOURCE_LINE.match(x))), None)
            if event is None:
                continue
            path, number, symbol = (text_paths[0] if text_paths else None), event, None
        first = found.get(cid.group(1))
        found[cid.group(1)] = Result(path, number, None, None, f'CID {cid.group(1)}', (), message, symbol,
                                     first.source if first else i + 1)
    return list(found.values())


def _linked_rows(lines: list[str]) -> list[Result]:
    found = []
    for i, line in enumerate(lines):
        row = _LINKED_ROW.search(line) if '|' in line or line.startswith('[') else None
        if row:
            severity = _ROW_SEVERITY.search(line)
            cells = [c.strip() for c in line[row.end():].split('|') if c.strip() and not _ROW_SEVERITY.match(f'|{c}|')]
            message = next((c for c in cells[1:] if not c.startswith(')')), cells[0] if cells else 'scanner result')
            found.append(Result(row.group(2), int(row.group(1)), None, _grade(severity.group(1)) if severity else None,
                                None, (), message.strip(') '), None, i + 1))
    return found


def _snyk(lines: list[str]) -> list[Result]:
    found = []
    title: re.Match[str] | None = None
    for i, line in enumerate(lines):
        title = _SNYK_TITLE.match(line) or title
        place = _SNYK_PATH.match(line)
        if place:
            found.append(Result(place.group(1), int(place.group(2)), None, _grade(title.group(1)) if title else None,
                                None, tuple(mentions.cwe_ids(title.group(2))) if title else (),
                                title.group(2) if title else 'scanner result', None, i + 1))
            title = None
    return found


def _semgrep(lines: list[str]) -> list[Result]:
    found = []
    path = None
    words: list[str] = []
    last = None
    for i, line in enumerate(lines):
        file_line = _FILE_LINE.match(line)
        if file_line and not _SEMGREP_LINE.match(line):
            path, words, last = file_line.group(1), [], None
            continue
        number = _SEMGREP_LINE.match(line)
        if number and path:
            if last is None:
                rule = words[0] if words else None
                found.append(Result(path, int(number.group(1)), None, None, rule,
                                    tuple(mentions.cwe_ids(' '.join(words))), ' '.join(words[1:]) or 'scanner result',
                                    None, i + 1))
            last = int(number.group(1))
        elif re.match(r'^\s*⋮┆', line):
            last = None  # another place of the same result
        elif line.strip() and path:
            if last is not None:
                words, last = [], None
            words.append(line.strip())
    return found


def _fields(text: str) -> list[Result]:
    path, line = _FIELD_PATH.search(text), _FIELD_LINE.search(text)
    if path is None or line is None:
        return []
    return [Result(path.group(1), int(line.group(1)), None, None, None, (), '', None,
                   text[:path.start()].count('\n') + 1)]


def results(lines: list[str]) -> list[Result]:
    """The scanner results pasted into the review, in the order they appear."""
    found = _stylish(lines) + _gosec(lines) + _locations(lines) + _linked_rows(lines) + _snyk(lines)
    if any('┆' in x for x in lines):
        found += _semgrep(lines)
    text = '\n'.join(lines)
    if not found and 'CID' in text:
        found = _coverity(lines, mentions.paths(text))
    if not found:
        found = _fields(text)
    return sorted(found, key=lambda r: r.source)
