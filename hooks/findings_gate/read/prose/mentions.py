"""What a sentence of a prose review says: CWE ids and names, lines, paths, symbols, severity.

Each function takes text and returns what it found, or nothing; none decides
whether the text is a finding (formats/text.py does).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

EXTENSIONS = (
    'py pyi pyx c h cc cpp cxx hpp hh hxx java kt kts scala go js jsx mjs cjs ts tsx '
    'rb rs php cs swift m mm sh bash zsh pl pm lua ex exs erl hs ml sql html htm xml '
    'yaml yml json toml ini cfg conf tf gradle properties vue svelte dart r jl ejs erb hbs twig j2 jinja'
).split()
_EXT = '|'.join(sorted(EXTENSIONS, key=len, reverse=True))
# a path or file name: directories, a name, one of the known extensions
# route segments in brackets or parentheses count (`pages/[id].tsx`, `app/(main)/page.tsx`)
_DIRS = r'(?:(?:[\w.-]+|\[[\w.-]+\]|\([\w.-]+\))/)*'
PATH = re.compile(rf'(?<![\w/.-])({_DIRS}(?:[\w-][\w.-]*|\[[\w.-]+\][\w.-]*)\.(?:{_EXT}))(?![\w-]|\.\w)', re.I)
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
    r'(?:\*\*|\)|\s[-–—]\s|:|\.\s|\.$|$|\n|,\s|;|(?=\())',
)
# "Improper Access Control (CWE-284)"
_NAME_BEFORE = re.compile(r'(?<![\w=.\'"`/-])([A-Z][\w\'’ ,/-]{3,120}?)\s*\(\s*CWE[\s\-‐‑–—:_]*\d+\s*\)\s*$')
_NOT_NAMES = frozenset({'true', 'false', 'none', 'null', 'nil', 'yes', 'no'})
LINES_WORD = re.compile(
    r'\b(?:lines?|ln|line\s+numbers?)\s*[:#.]?\s*((?:~?\s*\d+(?:\s*(?:-|–|—|to|through|thru|until)\s*~?\d+)?'
    r'(?:\s*(?:,|and|&|;)\s*)?)+)', re.I,
)
_RANGE = re.compile(r'~?\s*(\d+)(?:\s*(?:-|–|—|to|through|thru|until)\s*~?\s*(\d+))?', re.I)
L_RANGE = re.compile(r'(?<![\w#-])L(\d+)(?:\s*[-–]\s*L?(\d+))?\b')
# a review bot's comment header: `42-48`: ...
LINE_LABEL = re.compile(r'^\s*`(\d+)(?:\s*[-–]\s*(\d+))?`\s*:', re.M)
APPROX = re.compile(r'(?:~|around\s+(?:line\s+)?|approximately\s+(?:line\s+)?|near\s+line\s+)(\d+)', re.I)
_NAME = r'[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*'
_KEYWORD = r'(?:method|function|func|fn|def|class|struct|routine|handler|constructor|procedure|callback)'
# `name()`, 'the `name` method', 'method `name`', 'fn name', 'Class.method()'
_CALLED = re.compile(rf'(?<![\w$.:#])`?({_NAME})`?\s*\(\)|(?<![\w$.:#])`?({_NAME})\(\w[^()`]*\)`?')
_NAMED_BEFORE = re.compile(rf'(?<![\w$.:#])`?({_NAME})(?:\(\))?`?\s+{_KEYWORD}\b', re.I)
_NAMED_AFTER = re.compile(rf'\b{_KEYWORD}\s+`?({_NAME})', re.I)
_NAMED_IN = re.compile(rf'\b(?:in|inside|within)\s+(?:the\s+)?`({_NAME})(?:\(.*?\))?`', re.I)
_QUALIFIED = re.compile(rf'`({_NAME}(?:\.|::|#)[A-Za-z_$][\w$]*)(?:\(.*?\))?`')
_NOT_SYMBOLS = {
    'true', 'false', 'none', 'null', 'nil', 'self', 'this', 'cls', 'undefined', 'nan',
    'if', 'else', 'for', 'while', 'return', 'try', 'except', 'catch', 'finally', 'with',
    'the', 'a', 'an', 'this', 'that', 'each', 'every', 'init', 'main', 'new', 'same',
    'sizeof', 'typeof', 'len', 'isinstance', 'print', 'printf', 'super', 'python', 'json',
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
    rf'|^\W*({_SEV})\W*\s*(?:severity|risk|priority)?\s*[:\]|\-–—]\s'
    # a level after a title and a dash, before the description: 'CWE-89 (SQL Injection) - High: ...'
    r'|(?:\)|\s)\s*[-–—]\s+\**(critical|severe|high|major|medium|moderate|low|minor)\**\s*:\s'
    # '(critical, CWE-78)', '- Critical (CWE-78):', 'a critical bandit finding'
    rf'|\(\s*({_SEV})\s*[,;]|\b({_SEV})\s*\(\s*CWE[\s\-‐‑–—:_]*\d+\s*\)\s*:'
    r'|\b(?:a|an)\s+(critical|high|medium|low|major|minor|severe)[\s-](?:[\w-]+\s+)?'
    r'(?:finding|issue|vulnerability|bug|flaw|weakness)\b',
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
        r'sanitiz|escap|taint|denial of service|\bdos\b|deserializ|tamper|spoof|redirect|'
        r'(?:information|data|credential|secret|token|key) (?:leak|disclos|exposure)|'
        r'leak(?:s|ing)? (?:sensitive|credentials|secrets|tokens?|information|data|keys?)|'
        r'code execution|arbitrary code|(?:user|client)[- ]supplied|from the request|untrusted|'
        r'trusts? the|api key|security|cwe', re.I)),
    ('correctness', re.compile(
        r'\bbug\b|incorrect|wrong|off[- ]by[- ]one|null pointer|none ?type|crash|'
        r'logic error|miscalculat|undefined behavio|typo in (?:the )?(?:code|logic)', re.I)),
    ('reliability', re.compile(
        r'race condition|data race|deadlock|exception|error handling|retry|timeout|rollback|leak|'
        r'atomic|consisten|synchroni[sz]|never freed|unhandled', re.I)),
    ('performance', re.compile(r'performance|slow|quadratic|n\+1|inefficien|memory usage|cache', re.I)),
    ('maintainability', re.compile(
        r'readab|maintainab|duplicat|docstring|comment|refactor|dead code|unused|complexity', re.I)),
    ('style', re.compile(r'naming|indent|whitespace|format(?:ting)?\b|style|pep ?8|lint', re.I)),
)


# weaknesses named so plainly that their id goes without saying
_IMPLIED = (
    ('CWE-89', re.compile(r'\bsql[\s-]*injection|\bsqli\b|injection of sql|inject (?:my own |arbitrary )?sql|'
                          r'\bsql\b[^\n]{0,120}\binjection\b', re.I)),
    ('CWE-79', re.compile(r'cross[\s-]*site[\s-]*scripting|\bxss\b', re.I)),
    ('CWE-78', re.compile(r'(?:os |shell |operating system )command injection|\bshell\s*=\s*true\b', re.I)),
    ('CWE-22', re.compile(r'\b(?:path|directory) traversal\b', re.I)),
    ('CWE-798', re.compile(r'hard[\s-]*coded (?:\w+ )?(?:credentials?|passwords?|secrets?|(?:api )?keys?|tokens?)|'
                           r'\b(?:key|password|secret|token|credential)s?\b[^.\n]{0,40}\b(?:written|committed|'
                           r'checked|stored) in(?:to)? (?:the )?(?:repository|repo|source)', re.I)),
    ('CWE-502', re.compile(r'(?:unsafe|insecure|untrusted) deserializ|\bpickle\.loads?\b', re.I)),
)


def implied_cwes(text: str) -> list[str]:
    """CWE ids of weaknesses a text names without their ids: SQL injection, XSS, `shell=True`."""
    return [cwe for cwe, pattern in _IMPLIED if pattern.search(text)]


class Lines(NamedTuple):
    ranges: tuple[tuple[int, int], ...]
    approximate: bool


def cwe_ids(text: str) -> list[str]:
    return list(_cwe_ids(text))


@lru_cache(maxsize=1024)
def _cwe_ids(text: str) -> tuple[str, ...]:
    """CWE ids in any common spelling (CWE-284, CWE 284, cwe_284, CWE ID 284, MITRE links)."""
    found: list[str] = []
    for match in CWE_ID.finditer(text):
        number = int(match.group(1) or match.group(2))
        if number and f'CWE-{number}' not in found:
            found.append(f'CWE-{number}')
    return tuple(found)


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
            close = text.find(')', match.end(), match.end() + 8)
            before = _NAME_BEFORE.search(text, max(0, match.start() - 160), close + 1) if close > 0 else None
            name = before.group(1) if before and _title_case(before.group(1)) else None
        if name:
            name = name.strip(' -–—.,;*_"\'')
            if len(name) > 2 and cwe not in names and name.lower() not in _NOT_NAMES:
                names[cwe] = name
    return names


def _title_case(name: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", name) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _ranges(text: str) -> list[tuple[int, int]]:
    found = []
    for start, end in _RANGE.findall(text):
        first, last = int(start), int(end or start)
        if 0 < first <= last < 10_000_000:
            found.append((first, last))
        elif 0 < last < first:
            found.append((last, first))
    return found


@lru_cache(maxsize=1024)
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
    for match in LINE_LABEL.finditer(text):
        ranges.append((int(match.group(1)), int(match.group(2) or match.group(1))))
    for match in L_RANGE.finditer(text):
        ranges.append((int(match.group(1)), int(match.group(2) or match.group(1))))
    approximate = bool(APPROX.search(text))
    if approximate and not ranges:
        ranges.extend((int(n), int(n)) for n in APPROX.findall(text))
    unique = list(dict.fromkeys(r for r in ranges if 0 < r[0] <= r[1]))
    return Lines(tuple(unique), approximate)


def paths(text: str) -> list[str]:
    return list(_paths(text))


@lru_cache(maxsize=1024)
def _paths(text: str) -> tuple[str, ...]:
    """File names and paths written in the text, first mention first."""
    found = [m.group(1) for m in PATH.finditer(_without_links(text))]
    return tuple(dict.fromkeys(p.removeprefix('./') for p in found if not _is_version(p)))


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
    return list(_symbols(text))


@lru_cache(maxsize=1024)
def _symbols(text: str) -> tuple[str, ...]:
    """Functions, methods and classes a review points at, the likeliest first.

    Taken: a name with 'method', 'function', 'class', 'fn', 'def'... next to it,
    a qualified `Class.method` or `Type::name`, a call `name()`. A bare `name` in
    backticks may be a variable or a value and is not taken. Names in the first
    sentence come first; then named ones before qualified ones before calls.
    """
    first_sentence = len(re.split(r'(?<=[.!?])\s', text, maxsplit=1)[0])
    found: list[tuple[bool, int, int, str]] = []
    for rank, pattern in ((0, _NAMED_BEFORE), (0, _NAMED_AFTER), (0, _NAMED_IN), (1, _QUALIFIED),
                          (2, _CALLED)):
        for match in pattern.finditer(text):
            name = next(g for g in match.groups() if g)
            quoted = match.group(0).startswith('`') or '(' in match.group(0)
            if rank == 0 and not quoted and _is_prose_word(name):
                continue  # 'the initialization method'
            found.append((match.start() >= first_sentence, rank, match.start(), name))
    names = []
    for *_, name in sorted(found):
        name = re.sub(r'^(?:self|this|cls)(?:\.|#|->)', '', name)
        parts = re.split(r'\.|::|#', name)
        if len(parts) > 1 and (parts[-1].isupper() or re.fullmatch(r'[a-z]{1,3}', parts[0])):
            continue  # settings.API_KEY, c.items, os.system: a constant, a field, a library's call
        if parts[-1].lower() not in _NOT_SYMBOLS and not PATH.fullmatch(name) and not name.isdigit():
            names.append(name)
    return tuple(dict.fromkeys(names))


def _is_prose_word(name: str) -> bool:
    """'the initialization method': an English word, not a name in code."""
    return name.isalpha() and name.islower()


@lru_cache(maxsize=1024)
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
