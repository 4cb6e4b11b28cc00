"""What a sentence of a prose review says: CWE ids and names, lines, paths, symbols, severity.

Each function takes text and returns what it found, or nothing; none decides
whether the text is a finding (formats/text.py does).
"""
from __future__ import annotations

import re
from typing import NamedTuple

EXTENSIONS = (
    'py pyi pyx c h cc cpp cxx hpp hh hxx java kt kts scala go js jsx mjs cjs ts tsx '
    'rb rs php cs swift m mm sh bash zsh pl pm lua ex exs erl hs ml sql html htm xml '
    'yaml yml json toml ini cfg conf tf gradle properties vue svelte dart r jl'
).split()
_EXT = '|'.join(sorted(EXTENSIONS, key=len, reverse=True))
# a path or file name: directories, a name, one of the known extensions
PATH = re.compile(rf'(?<![\w/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.(?:{_EXT}))(?![\w-]|\.\w)', re.I)
PATH_LINE = re.compile(
    rf'(?<![\w/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.(?:{_EXT}))'
    r'(?::(\d+)(?:\s*[-–]\s*(\d+))?(?::\d+)?|#L(\d+)(?:-L(\d+))?)', re.I,
)
CWE_ID = re.compile(
    r'\bCWE[\s\-‐‑–—:_]*(?:ID[\s:#]*)?(\d{1,5})\b|cwe\.mitre\.org/data/definitions/(\d{1,5})', re.I,
)
# "CWE-284: Improper Access Control - ..." / "CWE-284 (Improper Access Control)"
_NAME_AFTER = re.compile(
    r'\s*(?:\*\*)?\s*(?:[:\-–—]\s*|\()\s*(?:\*\*)?\s*([A-Z][^\n:()*`]*?)\s*'
    r'(?:\*\*|\)|\s[-–—]\s|:|\.\s|\.$|$|\n|,\s|;)',
)
# "Improper Access Control (CWE-284)"
_NAME_BEFORE = re.compile(r'([A-Z][\w\'’ ,/-]{3,120}?)\s*\(\s*CWE[\s\-‐‑–—:_]*\d+\s*\)\s*$')
LINES_WORD = re.compile(
    r'\b(?:lines?|ln|line\s+numbers?)\s*[:#.]?\s*((?:~?\s*\d+(?:\s*(?:-|–|—|to|through|thru|until)\s*~?\d+)?'
    r'(?:\s*(?:,|and|&|;)\s*)?)+)', re.I,
)
_RANGE = re.compile(r'~?\s*(\d+)(?:\s*(?:-|–|—|to|through|thru|until)\s*~?\s*(\d+))?', re.I)
L_RANGE = re.compile(r'(?<![\w#-])L(\d+)(?:\s*[-–]\s*L?(\d+))?\b')
APPROX = re.compile(r'(?:~|around\s+(?:line\s+)?|approximately\s+(?:line\s+)?|near\s+line\s+)(\d+)', re.I)
BACKTICKED = re.compile(r'`([^`\n]{1,200})`')
_IDENT = re.compile(r'^[A-Za-z_$][\w$]*(?:(?:\.|::|#|->)[A-Za-z_$][\w$]*)*(?:\(.*\))?$')
_BARE_SYMBOL = re.compile(
    r'\b([A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)*)(\(\))?\s+(?:method|function|class|routine|handler|'
    r'constructor|endpoint|view|callback)\b'
    r'|\b(?:method|function|class|def|routine|handler|fn|func)\s+`?([A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)*)'
    r'|\b([A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)*)\(\)',
)
_NOT_SYMBOLS = {
    'true', 'false', 'none', 'null', 'nil', 'self', 'this', 'cls', 'undefined', 'nan',
    'if', 'else', 'for', 'while', 'return', 'try', 'except', 'catch', 'finally', 'with',
    'the', 'a', 'an', 'this', 'that', 'each', 'every', 'init', 'main', 'new', 'same',
}
SEVERITY_WORDS = {
    'critical': 'critical', 'blocker': 'critical', 'severe': 'high', 'high': 'high',
    'major': 'high', 'important': 'high', 'medium': 'medium', 'moderate': 'medium',
    'low': 'low', 'minor': 'low', 'trivial': 'info', 'info': 'info', 'informational': 'info',
    'note': 'info', 'error': 'high', 'warning': 'medium',
}
_SEV = '|'.join(SEVERITY_WORDS)
SEVERITY = re.compile(
    rf'\b(?:severity|risk|priority|impact)\s*(?:level)?\s*\**\s*[:=\-–]?\s*\**\s*({_SEV})\b'
    rf'|\[\s*({_SEV})\s*\]|\(\s*({_SEV})(?:\s+(?:severity|risk|priority))?\s*\)'
    rf'|\b({_SEV})[\s-](?:severity|risk|priority)\b'
    rf'|^\W*({_SEV})\s*(?:severity|risk|priority)?\s*[:\]|-]\s',
    re.I | re.M,
)
CONFIDENCE = re.compile(r'\bconfidence\s*\**\s*[:=\-]?\s*\**\s*(high|medium|low)\b', re.I)
HEDGES = re.compile(
    r'\b(?:potential(?:ly)?|possibl[ey]|may|might|could|appears?|seems?|likely|perhaps)\b', re.I)
SUGGESTION = re.compile(
    r'(?:\*\*|__)?\b(?:solution|fix|suggested fix|recommendation|recommended fix|remediation|'
    r'mitigation|suggestion|how to fix)s?\b\s*(?:\*\*|__)?\s*[:\-–]\s*(?:\*\*|__)?\s*(.+)',
    re.I | re.S,
)
CATEGORIES = (
    ('security', re.compile(
        r'vulnerab|inject|xss|csrf|ssrf|xxe|traversal|overflow|underflow|use[- ]after[- ]free|'
        r'privilege|unauthori[sz]|authori[sz]ation|authenticat|access control|permission|'
        r'exploit|attacker|malicious|insecure|secret|credential|password|token|crypt|'
        r'sanitiz|escap|taint|denial of service|\bdos\b|deserializ|tamper|spoof|leak|'
        r'security|cwe', re.I)),
    ('correctness', re.compile(
        r'\bbug\b|incorrect|wrong|off[- ]by[- ]one|null pointer|none ?type|crash|'
        r'logic error|miscalculat|undefined behavio|typo in (?:the )?(?:code|logic)', re.I)),
    ('reliability', re.compile(
        r'race condition|deadlock|exception|error handling|retry|timeout|rollback|'
        r'atomic|consisten|synchroni[sz]|resource leak|unhandled', re.I)),
    ('performance', re.compile(r'performance|slow|quadratic|n\+1|inefficien|memory usage|cache', re.I)),
    ('maintainability', re.compile(
        r'readab|maintainab|duplicat|docstring|comment|refactor|dead code|unused|complexity', re.I)),
    ('style', re.compile(r'naming|indent|whitespace|format(?:ting)?\b|style|pep ?8|lint', re.I)),
)


class Lines(NamedTuple):
    ranges: tuple[tuple[int, int], ...]
    approximate: bool


def cwe_ids(text: str) -> list[str]:
    """CWE ids in any common spelling (CWE-284, CWE 284, cwe_284, CWE ID 284, MITRE links)."""
    found: list[str] = []
    for match in CWE_ID.finditer(text):
        number = int(match.group(1) or match.group(2))
        if number and f'CWE-{number}' not in found:
            found.append(f'CWE-{number}')
    return found


def cwe_names(text: str) -> dict[str, str]:
    """The name a review gives each CWE id it writes, when it gives one."""
    names: dict[str, str] = {}
    for match in CWE_ID.finditer(text):
        if match.group(1) is None:
            continue
        cwe = f'CWE-{int(match.group(1))}'
        after = _NAME_AFTER.match(text, match.end())
        name = after.group(1) if after else None
        if name is None or len(name.split()) > 14:
            before = _NAME_BEFORE.search(text[:text.find(')', match.end()) + 1])
            name = before.group(1) if before else None
        if name:
            name = name.strip(' -–—.,;*_"\'')
            if len(name) > 2 and cwe not in names:
                names[cwe] = name
    return names


def _ranges(text: str) -> list[tuple[int, int]]:
    found = []
    for start, end in _RANGE.findall(text):
        first, last = int(start), int(end or start)
        if 0 < first <= last < 10_000_000:
            found.append((first, last))
        elif 0 < last < first:
            found.append((last, first))
    return found


def lines(text: str) -> Lines:
    """Line references: `Line 418-436`, `lines 172-173, 177-178`, `L42`, `#L10-L20`, `~1515`."""
    text = _without_links(text)
    ranges: list[tuple[int, int]] = []
    for match in PATH_LINE.finditer(text):
        start = match.group(2) or match.group(4)
        end = match.group(3) or match.group(5) or start
        ranges.append((int(start), int(end)))
    for match in LINES_WORD.finditer(text):
        ranges.extend(_ranges(match.group(1)))
    for match in L_RANGE.finditer(text):
        ranges.append((int(match.group(1)), int(match.group(2) or match.group(1))))
    approximate = bool(APPROX.search(text))
    if approximate and not ranges:
        ranges.extend((int(n), int(n)) for n in APPROX.findall(text))
    unique = list(dict.fromkeys(r for r in ranges if 0 < r[0] <= r[1]))
    return Lines(tuple(unique), approximate)


def paths(text: str) -> list[str]:
    """File names and paths written in the text, first mention first."""
    found = [m.group(1) for m in PATH.finditer(_without_links(text))]
    return list(dict.fromkeys(p.removeprefix('./') for p in found if not _is_version(p)))


def _without_links(text: str) -> str:
    return re.sub(r'https?://\S+', _permalink_path, text)


def _permalink_path(match: re.Match[str]) -> str:
    """A GitHub/GitLab blob link keeps its path and line anchor; other links go."""
    url = match.group(0)
    blob = re.search(r'/(?:-/)?blob/[^/\s]+/(\S+?)(#L\d+(?:-L\d+)?)?[)\].,>]*$', url)
    return f' {blob.group(1)}{blob.group(2) or ""} ' if blob else ' '


def _is_version(path: str) -> bool:
    return bool(re.fullmatch(r'[\d.]+\w*', path.rsplit('.', 1)[0]))


def symbols(text: str) -> list[str]:
    """Code names a review points at: `update_trunk`, `Class.method`, `func()`, 'the foo_bar method'."""
    found: list[str] = []
    for match in BACKTICKED.finditer(text):
        token = match.group(1).strip()
        if _IDENT.match(token) and not PATH.fullmatch(token.split('(')[0]):
            name = token.split('(')[0]
            if name.lower() not in _NOT_SYMBOLS and not name.isdigit():
                found.append(name)
    for match in _BARE_SYMBOL.finditer(text):
        name = match.group(1) or match.group(3) or match.group(4)
        if name and ('_' in name or re.search(r'[a-z][A-Z]', name) or match.group(2) or match.group(4)
                     or '.' in name or '::' in name) and name.lower() not in _NOT_SYMBOLS:
            found.append(name)
    return list(dict.fromkeys(s for s in found if not PATH.fullmatch(s)))


def severity(text: str) -> str | None:
    match = SEVERITY.search(text)
    if match is None:
        return None
    word = next(g for g in match.groups() if g)
    return SEVERITY_WORDS[word.lower()]


def confidence(text: str) -> str | None:
    match = CONFIDENCE.search(text)
    if match:
        return match.group(1).lower()
    return 'low' if HEDGES.search(text) else None


def category(text: str, has_cwe: bool) -> str:
    if has_cwe:
        return 'security'
    for name, pattern in CATEGORIES:
        if pattern.search(text):
            return name
    return 'other'


def split_suggestion(text: str) -> tuple[str, str | None]:
    """The text before a `Solution:` / `Fix:` / `Recommendation:` part, and that part."""
    match = SUGGESTION.search(text)
    if match is None or match.start() == 0:
        return text, None
    return text[:match.start()].rstrip(' *_-–'), match.group(1).strip(' *_') or None
