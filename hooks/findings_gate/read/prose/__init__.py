"""Prose reviews (plain text, Markdown, pasted scanner output) read into native reports.

The reader finds the review's units (headings, list items, table rows, scanner
lines), decides for each whether it claims a defect or gives advice, and reads
what a finding says with formats/mentions.py. A review that concludes "no security
defects are detected" has no findings, whatever advice or analysis it lists.

A verdict never erases a stated finding: a unit that names a CWE id and states its
severity ("severity: high", "(critical)"), or names a CWE id and a defect at a place
("does not check", line 4, `db.py`), is a finding whatever the review concludes
("LGTM", "the change looks secure", "No security defects are detected."). A review
that states findings and also that there are none has the verdict `contradictory`,
which the policy's `contradictory_verdict` decides.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from findings_gate.documents import decode
from findings_gate.errors import GateError
from findings_gate.read.native import report
from findings_gate.read.prose import mail, marks, mentions, qodo, scanners, threads
from findings_gate.read.prose.units import FENCE, TABLE, TOOL_LINE, Unit, heading_of, item_of, units

_DEFECT_INTENT = re.compile(
    r'(?:potential|possible|following|several|some|these|identified|found|detected|'
    r'security|critical|main|key|major)\s+(?:\w+\s+){0,2}?(?:defects?|vulnerabilit(?:y|ies)|issues?|'
    r'problems?|findings?|weakness(?:es)?|bugs?|concerns?|risks?|flaws?)'
    r'|(?:defects?|vulnerabilit(?:y|ies)|issues?|problems?|findings?|weakness(?:es)?|bugs?|flaws?)'
    r'\s+(?:found|identified|detected|discovered)', re.I)
_ADVICE_INTENT = re.compile(
    r'suggest|improve|improvement|recommend|best practice|consider|nit\b|nitpick|general|'
    r'optional|enhancement|could be made|would like to point out|areas? for|clean ?up', re.I)
_REMEDY_INTENT = re.compile(
    r'to (?:address|fix|mitigate|remediate|resolve|prevent)|mitigation|remediation|'
    r'measures|steps can be taken|how to fix', re.I)
_ANALYSIS_INTENT = re.compile(
    r"analy[sz]|here(?:'s| is) (?:the|my) (?:review|assessment)|aspects|i will (?:carefully )?review|"
    r'with a focus on|overview|summary', re.I)
_ADVICE_ITEM = re.compile(
    r'^\W*(?:consider|it would be (?:better|good|nice|beneficial)|you (?:could|might|may) want|'
    r'adding|use (?:more|a more)|prefer|try to|make sure|ensure|keep|avoid|document|rename)\b'
    r'|\b(?:readability|code quality|maintainability|naming conventions?|docstrings?|type hints?|'
    r'is a good practice|good security practice|is crucial|helps in)\b', re.I)
_POSITIVE = re.compile(
    r'\b(?:this is (?:a )?good|is handled (?:properly|correctly)|no hardcoded|does(?:n\'t| not) '
    r'appear to log sensitive|there are checks in place|which is a (?:good|positive))', re.I)
_DEFECT_WORDS = re.compile(
    r'vulnerab|inject|overflow|xss|csrf|ssrf|traversal|race condition|use[- ]after[- ]free|'
    r'unauthori[sz]ed|privilege escalation|bypass|exploit|attacker|insecure|hard-?coded '
    r'(?:password|secret|key|credential|token)|denial of service|'
    r'does(?:n\'t| not) (?:check|validate|verify|sanitize|escape|handle|free|release|close|lock)|'
    r'missing (?:check|validation|authentication|authorization|bounds)|null pointer|off[- ]by[- ]one|'
    r'\bcrash|deadlock|\bleak|\bbug\b|incorrect(?:ly)?|wrong|broken|fails? to|never (?:closed|freed)|'
    r'data race|\brace\b|without (?:holding|locking|checking|validat|verif|sanitiz|escaping|authenticat|'
    r'authoriz|a lock)|never (?:compar|check|validat|verif|sanitiz)|trusts? (?:the|user|client|any)|'
    r'(?:written|logged|printed) (?:to|in) (?:the )?(?:\w+ )?logs?|in (?:plain ?text|clear ?text)|'
    r'world[- ]readable|exposes?d?\b|can (?:refund|read|write|delete|access|modify|execute) ',
    re.I)
_NO_DEFECTS = re.compile(
    r'\bno\s+(?P<q1>(?:[\w-]+\s+){0,3}?)(?:defects?|vulnerabilit(?:y|ies)|issues?|flaws?|'
    r'weakness(?:es)?|problems?|bugs?|concerns?|findings?)\s+(?:(?:were|was|are|is|have\s+been|has\s+been|'
    r'could\s+be|can\s+be)\s+)?(?:detected|found|identified|present|discovered|spotted|observed|noted|'
    r'reported|apparent|evident)'
    r'|\b(?:did|do|could|can)\s*(?:not|n\'t)\s+(?:find|detect|identify|see|spot|discover)\s+any\s+'
    r'(?P<q2>(?:[\w-]+\s+){0,3}?)(?:defects?|vulnerabilit|issues?|flaws?|weakness|problems?|bugs?)'
    r'|\bthere\s+(?:are|were|is)\s+no\s+(?P<q3>(?:[\w-]+\s+){0,3}?)(?:defects?|vulnerabilit|issues?|'
    r'flaws?|weakness|problems?|bugs?)'
    r'|\b(?:does|do)\s*(?:not|n\'t)\s+(?:appear\s+to\s+|seem\s+to\s+)?(?:contain|have|introduce|exhibit)'
    r'\s+any\s+(?P<q4>(?:[\w-]+\s+){0,3}?)(?:defects?|vulnerabilit|issues?|flaws?|weakness|problems?|bugs?)'
    r'|\bnothing\s+(?:to\s+report|of\s+concern|(?:security[- ])?relevant\s+(?:was\s+)?found)'
    r'|\b(?:code|change|patch|diff|implementation)\s+(?:is|looks|appears|seems)\s+(?:to\s+be\s+)?'
    r'(?:secure|safe)\b'
    r'|\blgtm\b|\blooks\s+(?:good|fine)\s+to\s+me\b'
    r'|\b(?:i\'m|i\s+am)\s+(?:good|fine|ok|okay)\s+(?:with|if)\s+(?:we\s+)?(?:decide\s+to\s+)?merg'
    r'|\b(?:ok|okay|good|safe|fine|ready)\s+to\s+merge\b'
    r'|\b(?:found|see|saw|have)\s+nothing\s+(?:worth|to|that\s+needs?)\s+(?:chang|fix|flag|report|comment)'
    r'|\b(?:generated|left|leaves|have|has)\s+no\s+(?:new\s+)?(?:review\s+)?comments\b'
    r'|\bverdict\s*:\s*\**\s*(?:pass(?:ed)?|approved?|lgtm|ok)\b'
    r'|\bconfidence\s+score\s*:?\s*\**\s*5\s*/\s*5'
    r'|\b(?:found|see|saw|spotted|noticed)\s+no\s+(?P<q5>(?:[\w-]+\s+){0,3}?)(?:defects?|vulnerabilit(?:y|ies)|'
    r'issues?|flaws?|weakness(?:es)?|problems?|bugs?|concerns?)\b'
    r'|\b(?:with\s+)?(?:zero|0)\s+(?:new\s+)?(?:findings|issues|alerts|vulnerabilities|defects|problems)\b'
    r'|\b(?:is|are|appears?\s+to\s+be|seems?\s+to\s+be)\s+free\s+(?:of|from)\s+(?:any\s+)?'
    r'(?:known\s+|obvious\s+|security\s+)*'
    r'(?:vulnerabilit|defects?|issues?|bugs?|flaws?|weakness)'
    r'|(?:vulnerabilit(?:y|ies)|defects?|issues?|findings?|problems?)\s*(?:found|detected|identified)?\s*:\s*'
    r'(?:none|0|nil|n/a)\b'
    r'|^\W*no\s+(?:security\s+)?(?:issues|findings|vulnerabilities|defects|problems|concerns)\W*$',
    re.I | re.M)
# a short approval that states no finding: 'Looks fine to me, ship it.', 'Nice catch!', 'Good work'
_APPROVAL = re.compile(
    r'\b(?:lgtm|ship\s*it|:shipit:|approved?|looks?\s+(?:good|fine|great|ok(?:ay)?|correct|right|sane)|'
    r'(?:good|great|nice)\s+(?:work|job|catch|change|patch|fix|find)|well\s+done|'
    r'(?:ok|okay|good|safe|ready|fine)\s+to\s+(?:merge|go|ship|land)|all\s+(?:files|discussions)\s+'
    r'(?:reviewed|resolved)|i\s+trust\s+(?:this|it)\s+is\s+(?:ok|okay|fine|correct|right)|'
    r'(?:reviewed|acked|tested)-by:)', re.I)
_DEFERRAL = re.compile(r'\b(?:will|i\'ll|going to)\s+(?:look|review|check|come back)|\btomorrow\b|\blater\b', re.I)
_QUALIFIED = re.compile(
    r'\b(?:critical|high|major|severe|other|further|additional|more|new|remaining|obvious\s+other)\b', re.I)
# 'LGTM otherwise', 'apart from this, no issues': a verdict on the rest, not on what was stated
_EXCEPT_AFTER = re.compile(r'\W{0,3}(?:otherwise|apart from|aside from|besides|other than|except)\b', re.I)
_EXCEPT_BEFORE = re.compile(
    r'\b(?:otherwise|(?:apart|aside) from (?:this|that|these|those|them|it|the above)|besides (?:this|that)|'
    r'except (?:for )?(?:this|that|these|those|the above))\W*$', re.I)
_CONDITIONAL = re.compile(r'\b(?:if|unless|whether|when|in case)\s+(?:\w+\s+){0,2}$', re.I)
_LLM = re.compile(
    r'\b(?:as an ai|language model|based on the (?:provided|given) code|the provided (?:code|snippet)|'
    r'i have (?:identified|reviewed|analy[sz]ed)|here (?:are|is) (?:the|my|a)|i will|'
    r'i (?:do )?have some suggestions|i would like to point out|these are just some suggestions|'
    r'overall, the code (?:appears|is|seems)|keep in mind that|in (?:the|this) (?:code|snippet) provided)\b',
    re.I)
_REVIEWER = re.compile(r'^\s*(?:reviewer|reviewed[- ]by|author|from)\s*:\s*(.+?)\s*$', re.I | re.M)
_MODEL = re.compile(r'^\s*model\s*:\s*(\S.*?)\s*$', re.I | re.M)
_FUNCTION_WORDS = frozenset(
    'a an the and or but of to in on at by for from with into onto as than that which who whom '
    'whose because due if when while whether since so is are was were be been being this these '
    'those its their such like via per without within about over under between through'.split())
_RULE = re.compile(r'^\[([A-Za-z]+\d+[\w.-]*)(?::[\w.-]+)?\]\s*')


_TAG = re.compile(r'</?[a-zA-Z][^>\n]*>')
_STRONG = re.compile(r'(\*\*|__)(.+?)\1')
_EMPHASIS = re.compile(r'(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)')
_TRIPLE = re.compile(r"'''(.+?)'''")
_BLANKS = re.compile(r'[ \t]+')


def _strip_markdown(text: str) -> str:
    if '<' in text:
        text = _TAG.sub('', text)
    if '*' in text or '_' in text:
        text = _EMPHASIS.sub(r'\1', _STRONG.sub(r'\2', text))
    if "'''" in text:
        text = _TRIPLE.sub(r'\1', text)
    return _BLANKS.sub(' ', text).strip()


def _intent(text: str) -> str:
    if _NO_DEFECTS.search(text) and not _DEFECT_INTENT.search(_NO_DEFECTS.sub('', text)):
        return 'advice' if _ADVICE_INTENT.search(text) else ''
    if _REMEDY_INTENT.search(text):
        return 'remedy'
    if mentions.cwe_ids(text) or _DEFECT_INTENT.search(text):
        return 'defects'
    if _ADVICE_INTENT.search(text):
        return 'advice'
    if _ANALYSIS_INTENT.search(text):
        return 'analysis'
    return ''


@lru_cache(maxsize=1024)  # a unit's text is asked twice: is it a finding, and does it also say there is none
def _conclusions(text: str) -> tuple[re.Match[str], ...]:
    """'No security defects are detected' and its paraphrases, when unqualified and not quoted."""
    found = []
    for match in _NO_DEFECTS.finditer(text):
        qualifier = ''.join(match.group(g) or '' for g in ('q1', 'q2', 'q3', 'q4', 'q5'))
        before = text[max(0, match.start() - 40):match.start()]
        if (_QUALIFIED.search(qualifier) or _CONDITIONAL.search(before)
                or re.search(r'\b(?:say|state|write|respond|reply|answer|output)\b[^.]*$', before, re.I)
                or _EXCEPT_AFTER.match(text, match.end()) or _EXCEPT_BEFORE.search(before)):
            continue
        found.append(match)
    return tuple(found)


def _is_finding(unit: Unit, prose_only: bool = False) -> bool:
    text = unit.text
    if unit.intent == 'tool':
        return True
    if _POSITIVE.search(text) or _conclusions(text):
        return False
    if unit.intent == 'paragraph' and text.rstrip().endswith(':'):
        return False  # an introduction to what follows
    score = 3 * bool(mentions.cwe_ids(text) or mentions.cwe_ids(unit.heading))
    score += {'defects': 2, 'advice': -3, 'remedy': -3, 'analysis': -2,
              'paragraph': 0 if prose_only else -1}.get(unit.intent, 0)
    score += 2 * bool(mentions.severity(text) and re.search(r'severity|risk|\[|\(|[:—–-]', text, re.I))
    defect = bool(_DEFECT_WORDS.search(text))
    score += defect
    score += bool(mentions.lines(text).ranges or (defect and mentions.paths(text)))
    score -= 2 * bool(_ADVICE_ITEM.search(text.split('\n')[0]))
    return score >= 2


def _stated(unit: Unit) -> bool:
    """Whether a unit states a finding outright: a CWE id with its severity, or with a defect at a
    place it names ("does not check", line 4, `db.py`); not as advice or a remedy. Such a unit
    is a finding whatever verdict the review gives."""
    context = f'{unit.heading}\n{unit.text}'
    first = unit.text.split('\n')[0]
    if (unit.intent in ('remedy', 'advice') or not mentions.cwe_ids(context)
            or _ADVICE_ITEM.search(first) or _REMEDY_INTENT.search(first)):
        return False
    placed = bool(mentions.lines(unit.text).ranges or mentions.paths(unit.text))
    return mentions.severity(context) is not None or (placed and bool(_DEFECT_WORDS.search(unit.text)))


def _is_advice(unit: Unit) -> bool:
    """Whether a unit that is not a finding is worth keeping as a note."""
    if unit.intent not in ('paragraph', '') or unit.number is not None:
        return True  # a point the reviewer listed
    text = unit.text.rstrip()
    return not text.endswith(':') and bool(_ADVICE_INTENT.search(text) or _ADVICE_ITEM.search(text))


_GENERIC_LABEL = re.compile(
    r'^(?:issue|finding|vulnerability|problem|bug|defect|weakness|concern)\s*#?\s*\d*\s*[:.)\-–—]\s*', re.I)
_LEVEL_LABEL = re.compile(
    rf'^(?:{mentions._SEV}|potential issue|refactor suggestion|nitpick|suggestion)\s*(?:[:\-–—]\s*|$)', re.I)
_SEVERITY_TAG = re.compile(rf'^\[(?:{mentions._SEV})\]\s*', re.I)
_LOCATION_WORDS = re.compile(
    r'\b(?:lines?|in|at|on|file|fn|func|method|function|class|of|and|around|near)\b|[`,~()#\s:-]', re.I)


def _is_location(text: str) -> bool:
    """Whether a label names only a place: `src/a.rs`, fn `f` / Line 418-436 / `42-48`."""
    rest = text
    for found in [*mentions.paths(text), *mentions.symbols(text)]:
        rest = rest.replace(found, ' ')
    rest = re.sub(r'\d+', ' ', rest)
    has_place = bool(mentions.paths(text) or mentions.lines(text).ranges or re.search(r'`\d+', text))
    return has_place and not _LOCATION_WORDS.sub('', rest).strip(' .*_')


def _label(first: str) -> tuple[str | None, str]:
    """The title a unit's first line gives itself, and the rest of the line."""
    line = re.sub(r'^[^\w`*"“\[(]+', '', first).strip()  # emoji, dashes
    while True:
        before = line
        line = _GENERIC_LABEL.sub('', line)
        line = _RULE.sub('', line)
        line = _SEVERITY_TAG.sub('', line)
        bold = re.match(r'^(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:\-–—]?\s*', line)
        if bold and (_LEVEL_LABEL.match(bold.group(1).strip(' :')) or _is_location(bold.group(1))):
            line = line[bold.end():]
        line = re.sub(r'^`?(?:\./)?[\w./-]+\.\w+:\d+(?:\s*[-–]\s*\d+)?(?::\d+)?`?:\s*', '', line)
        lead = re.match(r'^(.{1,80}?)(?::\s|\s[—–-]\s)', line)
        if lead and (_is_location(lead.group(1)) or _LEVEL_LABEL.match(lead.group(0))):
            line = line[lead.end():]
        if line == before:
            break
    bold = re.match(r'^(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:\-–—]?\s*', line)
    if bold:
        return bold.group(1).strip(' :'), line[bold.end():]
    if re.match(r'^[^.!?]{3,100}:\s*$', line):
        return line.rstrip(': '), ''
    head = re.match(r'^([A-Z][^.:!?\n]{2,80}?)\s*(?::\s|\s[-–—]\s)', _strip_markdown(line))
    if head and len(head.group(1).split()) <= 10:
        return head.group(1), _strip_markdown(line)[head.end():]
    return None, line


def _sentence(text: str) -> str:
    sentence = re.split(r'(?<=[.!?;])\s', _strip_markdown(text), maxsplit=1)[0].rstrip('.;')
    return sentence if len(sentence) <= 120 else sentence[:117].rstrip() + '...'


def _title(unit: Unit, body: str, names: dict[str, str], symbol: str | None) -> str:
    label, rest = _label(body.split('\n')[0])
    if label is not None and mentions.cwe_ids(label):
        label = names.get(mentions.cwe_ids(label)[0]) or label
    heading_cwe = mentions.cwe_ids(unit.heading)
    short = len(rest.split()) <= 12 and not re.search(r'[.!?;,]\s*$', rest) and '\n' in body
    if label:
        title = label
    elif short and rest.strip():
        title = rest
    elif heading_cwe:
        title = names.get(heading_cwe[-1]) or _strip_markdown(unit.heading.split(' / ')[-1])
    elif unit.intent == 'paragraph':  # prose: the sentence that states the defect
        sentences = re.split(r'(?<=[.!?])\s+', body)
        title = _sentence(next((x for x in sentences if _DEFECT_WORDS.search(x)), body))
    else:
        title = _sentence(rest + '\n' + '\n'.join(body.split('\n')[1:]))
    title = re.sub(r'\s*\(\s*CWE[\s\-‐‑–—:_]*\d+\s*\)', '', title)
    title = _strip_markdown(title).strip(' -–:.')
    if symbol and symbol not in title and title in names.values():
        title = f'{title} in {symbol}'
    return title or 'finding'


def _location(body: str, heading: str, default_path: str | None,
              tool: re.Match[str] | None) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    symbols = mentions.symbols(body)
    paths = mentions.paths(body) or mentions.paths(heading)
    lines = list(mentions.lines(body).ranges or mentions.lines(heading).ranges)
    location: dict[str, Any] = {}
    path = paths[0] if paths else default_path
    if tool:
        path = tool.group(1)
        lines = [(int(tool.group(2)), int(tool.group(2))), *lines[1:]]
        if tool.group(3):
            location['start_column'] = int(tool.group(3))
    if path:
        location['path'] = path
    if lines:
        location['start_line'], location['end_line'] = lines[0]
    if symbols:
        location['symbol'] = symbols[0]
    return dict(sorted(location.items(), key=lambda kv: _KEY_ORDER.index(kv[0]))), lines


def _finding(unit: Unit, default_path: str | None) -> dict[str, Any]:
    body, suggestion = mentions.split_suggestion(unit.text)
    context = f'{unit.heading}\n{unit.text}'
    tool = TOOL_LINE.match(unit.text)
    ids = mentions.cwe_ids(context) or mentions.implied_cwes(context)
    names = {k: v for k, v in mentions.cwe_names(context).items() if k in ids}
    location, lines = _location(body, unit.heading, default_path, tool)
    finding: dict[str, Any] = {}
    if tool:
        message = tool.group(4)
        rule = re.search(r'\s\[([-\w.:/]+)\]$', message)
        level = re.match(r'(error|warning|note|info|fatal error|style|convention|refactor)\b:?\s', message, re.I)
        finding['title'] = _sentence(message[level.end() if level else 0:rule.start() if rule else None])
        finding['severity'] = mentions.severity(context) or mentions.SEVERITY_WORDS.get(
            level.group(1).lower() if level else '', 'medium')
        if rule:
            finding['rule'] = rule.group(1)
    else:
        finding['title'] = _title(unit, body, names, location.get('symbol'))
        finding['severity'] = mentions.severity(context) or 'medium'
        rule = _RULE.match(_GENERIC_LABEL.sub('', re.sub(r'^\W+', '', unit.text)))
        if rule:
            finding['rule'] = rule.group(1)
    message = _strip_markdown(body)
    if message != finding['title']:
        finding['message'] = message
    confidence = mentions.confidence(body)
    if confidence:
        finding['confidence'] = confidence
    finding['category'] = mentions.category(context, bool(ids))
    if ids:
        finding['cwe'] = ids
    if names:
        finding['cwe_names'] = names
    if location:
        finding['location'] = location
    if len(lines) > 1:
        path = location.get('path')
        finding['related'] = [
            {**({'path': path} if path else {}), 'start_line': a, 'end_line': b} for a, b in lines[1:]]
    if suggestion:
        finding['suggestion'] = _strip_markdown(suggestion)
    finding['source'] = {'start_line': unit.start, 'end_line': unit.end}
    return dict(sorted(finding.items(), key=lambda kv: _FINDING_ORDER.index(kv[0])))


_FINDING_ORDER = ('title', 'severity', 'message', 'confidence', 'category', 'cwe', 'cwe_names', 'rule',
                  'location', 'related', 'suggestion', 'fingerprint', 'source')
_KEY_ORDER = ('path', 'start_line', 'end_line', 'start_column', 'end_column', 'symbol', 'side')


def truncated(lines: list[str]) -> bool:
    """Whether the review was cut off: mid-sentence, inside an open code fence or `<details>`
    block, inside a table row, or at a truncation ellipsis."""
    if sum(bool(FENCE.match(x)) for x in lines) % 2:
        return True
    text = '\n'.join(lines).rstrip()
    if not text:
        return False
    if text.count('<details') > text.count('</details>') or re.search(r'\w(?:\.{3,}|…)$', text):
        return True
    last = text.split('\n')[-1].strip()
    if FENCE.match(last):
        return False
    if _cut_row(text.split('\n')):
        return True
    if last.count('**') % 2 or last.count('`') % 2 or re.search(r'[,(\[{]$|\s[-–]$|#L$', last):
        return True
    words = re.findall(r"[\w']+", last.lower())
    if not words or re.search(r'[.!?:;)\]"\'`*>|]$', last):
        return False
    if words[-1] in _FUNCTION_WORDS:
        return True
    is_prose = not (item_of(last) or heading_of([last], 0) is not None or TABLE.match(last)
                    or re.search(r'\S(?: {2,}|\t)\S', last) or ' ' not in last)
    return is_prose and len(words) >= 8


def _cut_row(lines: list[str]) -> bool:
    """Whether the last line is a table row with fewer cells than its table's header."""
    last = lines[-1]
    if '|' not in last or len(lines) < 3:
        return False
    header = next((lines[k - 1] for k in range(len(lines) - 1, 0, -1)
                   if re.match(r'^\s*\|?\s*:?-{3,}', lines[k]) and '|' in lines[k]), None)
    return header is not None and last.strip().strip('|').count('|') < header.strip().strip('|').count('|')


def _reviewer(text: str, origin: str, tool_lines: int) -> dict[str, str]:
    header = '\n'.join(text.split('\n')[:8])
    name_match = _REVIEWER.search(header)
    name = name_match.group(1) if name_match else (PurePath(origin).stem if origin != '-' else 'review')
    kind = 'tool' if tool_lines else 'llm' if _LLM.search(text) else 'human'
    reviewer = {'name': name or 'review', 'kind': kind}
    model = _MODEL.search(header)
    if model:
        reviewer['model'] = model.group(1)
    return reviewer


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode('cp1252')
    except UnicodeDecodeError:  # five bytes Windows-1252 leaves undefined pass through as is
        return chr(byte)


_BYTE_OF = {_cp1252(b): b for b in range(0x80, 0x100)}
_MOJIBAKE = re.compile('[{}][{}]{{1,3}}'.format(
    re.escape(''.join(_cp1252(b) for b in range(0xc2, 0xf5))),
    re.escape(''.join(_cp1252(b) for b in range(0x80, 0xc0)))))


def _repair(text: str) -> str:
    """Undo the commonest mojibake, UTF-8 read as Windows-1252 (`doesnâ€™t`): where it decodes."""
    def fix(match: re.Match[str]) -> str:
        try:
            return bytes(_BYTE_OF[c] for c in match.group(0)).decode('utf-8')
        except UnicodeDecodeError:
            return match.group(0)

    return _MOJIBAKE.sub(fix, text)


_LOCATIONS = re.compile(r'LOCATIONS START\s*\n(.*?)LOCATIONS END', re.S)
_PLACE = re.compile(r'^\s*(\S+?)#L(\d+)(?:-L(\d+))?\s*$', re.M)
# a static analyser's result a bot quotes for the anchor's file: '95-95: `subprocess` call with shell=True'
_ANALYSIS_LINE = re.compile(r'^(\d+)-(\d+): \S.*$', re.M)
_SED = re.compile(r'(?:^|\s)`?s/[^/\n]+/[^/\n]*/?`?(?:\s|$)')


def _places(body: str, thread: threads.Thread) -> list[tuple[str, int | None, int | None]]:
    """Where a thread comment's findings are: the lines of the analyser results it quotes
    (CodeRabbit's `95-95: ...`), or a Bugbot LOCATIONS block, each its own place; else
    the first place in the body on the anchor's file (`path#L10-L20`, `path:10`); else the anchor,
    or, for an anchor without a line, the first lines the body names."""
    analysis = [(thread.path, int(m.group(1)), int(m.group(2))) for m in _ANALYSIS_LINE.finditer(body)]
    if analysis:
        return analysis  # type: ignore[return-value]
    block = _LOCATIONS.search(body)
    if block:
        found = [(m.group(1), int(m.group(2)), int(m.group(3) or m.group(2))) for m in _PLACE.finditer(block.group(1))]
        if found:
            return found  # type: ignore[return-value]
    plain = mentions._without_links(body)
    for match in mentions.PATH_LINE.finditer(plain):
        path = match.group(1)
        if path == thread.path or thread.path.endswith('/' + path):
            start = int(match.group(2) or match.group(4))
            return [(thread.path, start, int(match.group(3) or match.group(5) or start))]
    if thread.line is None and mentions.lines(body).ranges:
        start, end = mentions.lines(body).ranges[0]
        return [(thread.path, start, end)]
    return [(thread.path, thread.line, thread.end_line)]


_ISSUE_TITLE = re.compile(r'^\s*#\s+(.+?)\s*#*\s*$')
_SECURITY_WORDS = re.compile(
    r'\[security\]|\bsecurity (?:issue|bug|vulnerability|problem|risk)|\bvulnerab|\bunsafe\b|\binsecure\b|'
    r'\brisky\b|\babused\b|should not be used|\bleak', re.I)


# 'LGTM, but this file lacks the SPDX identifier'; 'Add Bspec reference\nOtherwise LGTM,'
_LGTM_BUT = re.compile(r'\b(?:lgtm|looks\s+good(?:\s+to\s+me)?)\s*[,;]?\s+but\s+([^.!?\n]+(?:\n(?!\s*\n)[^.!?\n]+)*)',
                       re.I)
_OTHERWISE = re.compile(r'^\s*(?:but\s+)?otherwise,?\s+(?:it\s+|this\s+)?(?:lgtm|looks\s+good|looks\s+fine)', re.I)
_PATCHED = re.compile(r'^[>\s]*(?:\+\+\+ b/|diff --git a/\S+ b/)(\S+)', re.M)


def _objections(lines: list[str]) -> list[dict[str, Any]]:
    """What an approval makes an exception of: the clause after 'LGTM, but', or the reviewer's
    own lines just before 'Otherwise LGTM' (a mail reply's quoted lines are the patch)."""
    found = []
    plain = [re.sub(r'^(?:\s*>)+\s?', '', x) for x in lines]
    for match in _LGTM_BUT.finditer('\n'.join(plain)):
        found.append((match.group(1), '\n'.join(plain).count('\n', 0, match.start())))
    for i, line in enumerate(lines):
        if _OTHERWISE.match(line):
            j = i
            while j > 0 and lines[j - 1].strip() and not lines[j - 1].lstrip().startswith('>'):
                j -= 1
            if j < i:
                found.append(('\n'.join(lines[j:i]), j))
    findings = []
    text = '\n'.join(lines)
    for said, at in found:
        offset = len('\n'.join(lines[:at]))
        before = [m for m in _PATCHED.finditer(text) if m.start() < offset]
        after = _PATCHED.search(text, offset)
        path = before[-1].group(1) if before else after.group(1) if after else None
        unit = Unit(at + 1, at + 1 + said.count('\n'), said.strip(), '', 'defects', None)
        findings.append(_finding(unit, path))
    return findings


def _mail_findings(lines: list[str]) -> list[dict[str, Any]]:
    """A mailed patch review's inline comments, each at the quoted line it follows; its
    approvals ('Otherwise LGTM', 'Reviewed-by:') and short sign-offs are not findings."""
    findings = []
    for comment in mail.comments(lines):
        said = comment.text
        if len(said.split()) < 3 or _OTHERWISE.match(said) or (_APPROVAL.search(said) and len(said.split()) < 8):
            continue
        unit = Unit(comment.start + 1, comment.end, said, '', 'defects', None)
        finding = _finding(unit, comment.path)
        location = {k: v for k, v in finding.get('location', {}).items() if k not in ('start_line', 'end_line')}
        location['path'] = comment.path
        if comment.line:
            location['start_line'] = location['end_line'] = comment.line
        finding['location'] = dict(sorted(location.items(), key=lambda kv: _KEY_ORDER.index(kv[0])))
        finding.pop('related', None)
        findings.append(finding)
    return findings


def _names_a_weakness(unit: Unit) -> bool:
    """A paragraph that states a weakness in so many words ('I could easily inject my own SQL
    into this'), not as a question, a remedy or what the change prevents."""
    text = unit.text
    return (unit.intent == 'paragraph' and bool(mentions.cwe_ids(text) or mentions.implied_cwes(text))
            and bool(_DEFECT_WORDS.search(text)) and not _REMEDY_INTENT.search(text) and not text.endswith('?')
            and not _conclusions(text) and not _POSITIVE.search(text) and not _NEGATED.search(text))


_NEGATED = re.compile(r'\bnot\s+(?:a\s+|an\s+)?(?:concern|issue|problem|risk|vulnerable|possible|exploitable)|'
                      r'\bprotect|\bsafe\s+(?:from|against)|\bmitigat|\bprevent', re.I)


# the functions a report blames, listed in one sentence: 'in `buildFilterUI`, `renderTable`, and `renderCost`'
_NAMED_LIST = re.compile(r'\b(?:in|inside|within|functions?|methods?)\s+`[A-Za-z_$][\w$.]*(?:\(\))?`'
                         r'(?:\s*,\s*(?:and\s+)?`[A-Za-z_$][\w$.]*(?:\(\))?`|\s+and\s+`[A-Za-z_$][\w$.]*(?:\(\))?`)+')


def _issue_findings(lines: list[str], found: list[Unit]) -> list[dict[str, Any]]:
    """An issue (`# title`, then its body) that reports a defect and lists no finding of its
    own: one finding, or one per place when its items or table rows each name a file and lines."""
    first = next((x for x in lines if x.strip()), '')
    title = _ISSUE_TITLE.match(first)
    if title is None:
        return []
    text = '\n'.join(lines)
    if not (_DEFECT_WORDS.search(title.group(1)) or _SECURITY_WORDS.search(text) or mentions.cwe_ids(text)
            or mentions.implied_cwes(text)):
        return []
    body = '\n'.join(lines[lines.index(first) + 1:]).strip()
    unit = Unit(1, len(lines), f'{title.group(1)}\n\n{body}', '', 'defects', None)
    finding = _finding(unit, None)
    finding['title'] = _strip_markdown(title.group(1))
    places = [u for u in found if u.intent != 'paragraph' and mentions.paths(u.text)
              and (_is_location(u.text) or mentions.lines(u.text).ranges)]  # items, table rows
    if len(places) < 2:
        named = _NAMED_LIST.search(body)
        if named is None:
            return [finding]
        paths = mentions.paths(body)
        found_here = []
        for name in re.findall(r'`([A-Za-z_$][\w$.]*)(?:\(\))?`', named.group(0)):
            location = {**({'path': paths[0]} if paths else {}), 'symbol': name}
            found_here.append({**finding, 'location': location})
        return found_here
    findings = []
    for place in places:
        location, _ = _location(place.text, '', None, None)
        findings.append({**finding, 'location': location, 'source': {'start_line': place.start, 'end_line': place.end}})
    return findings


def _comment_findings(comment: threads.Comment, thread: threads.Thread) -> list[dict[str, Any]]:
    """The findings of a review bot's thread comment: one per place it names, unless it states none."""
    body = _LOCATIONS.sub('', comment.text)
    stripped = marks.strip(body)
    if not marks.marked(body) and (_conclusions(stripped) or _POSITIVE.search(stripped)
                                   or not stripped.strip()):
        return []
    unit = Unit(comment.start + 1, comment.end, stripped, '', 'defects', None)
    found = []
    for path, start, end in _places(comment.text, thread):
        finding = _finding(unit, path)
        location = {k: v for k, v in finding.get('location', {}).items() if k not in ('start_line', 'end_line')}
        location['path'] = path
        if start is not None:
            location['start_line'], location['end_line'] = start, end
        finding['location'] = dict(sorted(location.items(), key=lambda kv: _KEY_ORDER.index(kv[0])))
        finding.pop('related', None)
        finding['severity'] = marks.severity(body) or finding['severity']
        found.append(finding)
    return found


def _result(result: scanners.Result, text: str) -> dict[str, Any]:
    """A finding of one pasted scanner result; a result without a message of its own (a field
    block, a Coverity event) takes the review's title and CWE ids."""
    title = _sentence(result.message) if result.message else _sentence(text.lstrip('# ').split('\n')[0])
    ids = (list(result.cwe) or ([] if result.message and result.rule else mentions.cwe_ids(text))
           or mentions.implied_cwes(result.message))
    finding: dict[str, Any] = {'title': title or 'scanner result', 'severity': result.severity or 'medium'}
    if result.message and result.message != title:
        finding['message'] = result.message
    finding['category'] = mentions.category(result.message or text, bool(ids))
    if ids:
        finding['cwe'] = ids
    if result.rule:
        finding['rule'] = result.rule
    location: dict[str, Any] = {}
    if result.path:
        location['path'] = result.path.replace('\\', '/').removeprefix('./')
    if result.line:
        location['start_line'], location['end_line'] = result.line, max(result.end or 0, result.line)
    if result.column:
        location['start_column'] = result.column
    if result.symbol:
        location['symbol'] = result.symbol
    if location:
        finding['location'] = location
    finding['source'] = {'start_line': result.source, 'end_line': result.source}
    return finding


def _read_thread(thread: threads.Thread, lines: list[str], origin: str) -> dict[str, Any]:
    """A review thread: a bot's comment read as its findings; people's comments read as prose,
    placed at the anchor unless they name a place; a thread with no finding is a note."""
    first = thread.comments[0]
    findings: list[dict[str, Any]] = []
    notes: list[str] = []
    if first.bot:
        findings = _comment_findings(first, thread)
    else:
        body = '\n\n'.join(c.text for c in thread.comments if not c.bot)
        try:
            document = read(body, origin)
        except GateError:
            document = report({'name': 'review', 'kind': 'human'}, [], [], complete=True)
        findings = document['findings']
        notes = document.get('notes', [])
        said = first.text.strip()
        if not findings and (_SED.search(said) or mentions.implied_cwes(said) or mentions.cwe_ids(said) or (
                _DEFECT_WORDS.search(said) and not said.endswith('?') and not _ADVICE_ITEM.search(said)
                and not _conclusions(said))):  # 's/feeback/feedback', 'is this vuln to sql injection?'
            findings = [_finding(Unit(first.start + 1, first.end, first.text, '', 'defects', None), None)]
            notes = []
        for finding in findings:
            location = finding.get('location', {})
            if not location.get('path') or not location.get('start_line'):
                path, start, end = _places(first.text, thread)[0]
                location = {**location, 'path': path}
                if start is not None and 'start_line' not in location:
                    location['start_line'], location['end_line'] = start, end
                finding['location'] = dict(sorted(location.items(), key=lambda kv: _KEY_ORDER.index(kv[0])))
                finding.pop('source', None)
    if not findings and not notes:
        notes = [_strip_markdown(first.text.replace('\n', ' '))[:200] or 'a comment without a finding']
    reviewer = {'name': first.author.removesuffix('[bot]'), 'kind': 'llm' if first.bot else 'human'}
    said_none = any(_conclusions(c.text) for c in thread.comments if not c.bot and findings)
    return report(reviewer, findings, notes, complete=not truncated(lines),
                  verdict='contradictory' if said_none else None)


def read(text: str, origin: str) -> dict[str, Any]:
    """The native report document that a prose review `text` amounts to."""
    text = _repair(text)
    lines = [line.removesuffix('\r') for line in text.split('\n')]
    thread = threads.read(lines)
    if thread is not None and thread.comments:
        return _read_thread(thread, lines, origin)
    pasted = scanners.results(lines) or qodo.results(text)
    if not pasted:
        mailed = _mail_findings(lines)
        if mailed:
            approves = bool(_APPROVAL.search(text) or _conclusions(text))
            return report(_reviewer(text, origin, 0), mailed, [], complete=not truncated(lines),
                          verdict='contradictory' if approves else None)
    if pasted:
        reviewer = _reviewer(text, origin, len(pasted))
        return report(reviewer, [_result(r, text) for r in pasted], [], complete=not truncated(lines))
    found = units(lines, _intent)
    no_defects = bool(_conclusions('\n'.join(u.text for u in found if u.intent == 'paragraph'
                                             or u.number is None)))
    preamble = next((u for u in found if u.intent == 'paragraph'), None)
    default_path = None
    if preamble is not None and len(mentions.paths(preamble.text)) == 1:
        default_path = mentions.paths(preamble.text)[0]
    findings: list[dict[str, Any]] = []
    notes: list[str] = []
    remedies: list[tuple[int | None, str]] = []
    prose_only = all(u.intent == 'paragraph' for u in found)
    said_none = no_defects  # the review concludes there is no defect: then its stated findings contradict it
    for unit in found:
        stated = _stated(unit)
        is_finding = stated or _is_finding(unit, prose_only)
        if no_defects and not stated and not (
                is_finding and unit.intent == 'defects' and mentions.cwe_ids(unit.text)):
            is_finding = False
        if is_finding:
            said_none = said_none or bool(_conclusions(unit.text))
            findings.append(_finding(unit, default_path))
        elif unit.intent == 'remedy':
            remedies.append((unit.number, _strip_markdown(unit.text.replace('\n', ' '))))
        elif _is_advice(unit):
            notes.append(_strip_markdown(unit.text.replace('\n', ' ')))
    if not findings and not no_defects:
        findings = _issue_findings(lines, found)
    if not findings:
        findings = [_finding(u, default_path) for u in found[:1 + len(found) // 2] if _names_a_weakness(u)][:1]
        said_none = no_defects
    if not findings:
        findings = _objections(lines)
    # 'LGTM, but ...', 'Otherwise LGTM' beside what they except: an approval that states a defect
    said_none = said_none or bool(findings and (_LGTM_BUT.search(text) or any(_OTHERWISE.match(x) for x in lines)))
    numbers = [n for n, _ in remedies]
    if findings and numbers == list(range(1, len(findings) + 1)):
        for finding, (_, remedy) in zip(findings, remedies):
            finding.setdefault('suggestion', remedy)
    else:
        notes.extend(remedy for _, remedy in remedies)
    if not findings and not no_defects and not notes and not (
            _APPROVAL.search(text) and not _DEFERRAL.search(text)):
        raise GateError(
            f'{origin}: not JSON or YAML of a known format (native, sarif, rdjson, rdjsonl, codeclimate), '
            f'and read as a prose review it states no finding, no advice and no verdict; '
            f"write it as a native report, or say 'no defects found'",
        )
    reviewer = _reviewer(text, origin, sum(u.intent == 'tool' for u in found))
    verdict = 'contradictory' if findings and said_none else None
    return report(reviewer, findings, notes, complete=not truncated(lines), verdict=verdict)


def parse(data: bytes, origin: str) -> dict[str, Any]:
    text = decode(data, origin)
    if '\0' in text:
        raise GateError(f'{origin}: a binary file (NUL bytes), not a report; pass the report the reviewer wrote')
    return read(text, origin)
