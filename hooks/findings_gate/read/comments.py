"""Review comments of a code host, read into native reports: what the host readers share.

A host's export (GitHub, GitLab, Gerrit) is checked against the host's own
schema, then each comment becomes an `Entry`: who wrote it, the revision it was
written on, where the host anchors it, and its text. The text is read with the
prose reader; a finding it gives takes the comment's anchor unless the text
names another file or other lines. One report is made per reviewer and reviewed
revision, so that freshness moves each comment from the revision it was written
on to the gated one. A comment is whole as the host keeps it: the prose reader's
guess that a review was cut off does not apply to it.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from findings_gate import documents
from findings_gate.errors import GateError, Problems
from findings_gate.read.native import report

XSSI = ")]}'"  # Gerrit's first line, against cross-site script inclusion

# review bots that are language models, by login (lower case, without GitHub's `[bot]`)
LLM_BOTS = frozenset((
    'coderabbitai', 'gemini-code-assist', 'copilot', 'copilot-pull-request-reviewer',
    'chatgpt-codex-connector', 'cursor', 'sourcery-ai', 'qodo-merge', 'qodo-merge-pro',
    'qodo-code-review', 'codium-pr-agent', 'greptile-apps', 'ellipsis-dev', 'claude',
    'devin-ai-integration', 'korbit-ai', 'bito-code-review', 'codeant-ai', 'graphite-app',
    'amazon-q-developer', 'windsurf-bot', 'baz-reviewer', 'gitlabduo',
))
_ORDER = ('title', 'severity', 'message', 'confidence', 'category', 'cwe', 'cwe_names', 'rule',
          'location', 'related', 'suggestion', 'fingerprint', 'suppression')
_LOCATION_ORDER = ('path', 'start_line', 'end_line', 'start_column', 'end_column', 'symbol', 'side')
# a badge a review bot leads its comment with: Gemini's `![high](...high-priority.svg)`,
# Codex's `![P1 Badge](...)`
_IMAGE = re.compile(r'!\[([^\]\n]*)\]\([^)\s]*\)')
_PRIORITIES = {'p0': 'critical', 'p1': 'high', 'p2': 'medium', 'p3': 'low'}
_SEVERITY_ALT = re.compile(r'(critical|high|medium|low)(?:[ -]priority)?', re.I)
_FENCE = re.compile(r'^[ \t]*(?:```|~~~)[ \t]*(\w*)[^\n]*\n(.*?)^[ \t]*(?:```|~~~)[ \t]*$', re.M | re.S)


class Entry(NamedTuple):
    """One comment (or a review's body), as every host gives it."""
    name: str  # the reviewer
    kind: str  # human, llm or tool
    revision: str | None  # the commit it was written on
    base: str | None  # the commit that revision's change started from, when the host says
    body: str
    anchor: dict[str, Any]  # a native location: where the host puts it; {} for none
    fingerprint: str  # the comment, as `github-comment:123`
    root: bool = True  # opens a thread on a line (not a reply, not a review's body)
    resolved: str | None = None  # why the thread counts as resolved, when it does
    changes_requested: bool = False  # the reviewer's standing verdict: changes requested


def load(data: bytes, origin: str, schema_name: str) -> Any:
    """The export in `data`, checked against the host's schema (`vendor/...`, `hosts/...`).

    `gh api --paginate` writes one JSON array per page, one after another, and with
    `--slurp` an array of those arrays: both are read as the one array they make.
    """
    text = documents.decode(data, origin).lstrip()
    if text.startswith(XSSI):
        text = text[len(XSSI):]
    values = _values(text, origin)
    if len(values) > 1 and all(isinstance(v, list) for v in values):
        value: Any = [item for page in values for item in page]
    elif len(values) == 1:
        value = values[0]
    else:
        raise GateError(f'{origin}: {len(values)} JSON documents one after another, not all arrays; '
                        f'write the export once, as the host returned it')
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        value = [item for page in value for item in page]  # gh api --paginate --slurp
    from findings_gate import schema  # only here: its patterns and schemas take time

    problems = schema.problems(schema_name, value)
    if problems:
        raise Problems(tuple(f'{origin}::{where}: {what}' for where, what in problems))
    return value


def _values(text: str, origin: str) -> list[Any]:
    """The JSON values in `text`, one after another (most files hold one)."""
    decoder = json.JSONDecoder()
    values = []
    at = len(text) - len(text.lstrip())
    while at < len(text):
        try:
            with documents.json_limits(origin):
                value, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as e:
            raise GateError(f'{origin}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}; fix the syntax') from None
        if isinstance(value, (dict, list)):
            documents.check_depth(value, origin)
        values.append(value)
        at = end + len(text[end:]) - len(text[end:].lstrip())
    return values


def kind(login: str, bot: bool) -> str:
    """A reviewer's kind: a review bot that is a language model, another bot, or a person."""
    name = login.lower().removesuffix('[bot]')
    if name in LLM_BOTS:
        return 'llm'
    return 'tool' if bot or login.lower().endswith('[bot]') else 'human'


def location(path: str | None, first: int | None, last: int | None, side: str = 'new') -> dict[str, Any]:
    """A native location from a host's anchor: a file, and lines in it (first <= last)."""
    anchor: dict[str, Any] = {'path': path} if path else {}
    if last:
        anchor['start_line'] = first if first and first <= last else last
        anchor['end_line'] = last
    if side == 'old' and anchor:
        anchor['side'] = 'old'
    return anchor


def reports(entries: Iterable[Entry], origin: str) -> list[tuple[str, dict[str, Any]]]:
    """One native report per reviewer and reviewed revision, in the order they first comment;
    each with its origin, `file#reviewer@revision`."""
    groups: dict[tuple[str, str | None], list[Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.name, entry.revision), []).append(entry)
    found = []
    for (name, revision), group in groups.items():
        findings: list[dict[str, Any]] = []
        notes: list[str] = []
        for entry in group:
            said, noted = read_body(entry, f'{origin}#{entry.fingerprint}')
            findings += said
            notes += noted
        document = report({'name': name, 'kind': group[0].kind}, findings, notes)
        change = {k: v for k, v in (('revision', revision), ('base', group[0].base)) if v}
        if change:
            document = {'version': 1, 'reviewer': document['reviewer'], 'change': change,
                        **{k: v for k, v in document.items() if k not in ('version', 'reviewer')}}
        found.append((f'{origin}#{name}' + (f'@{revision[:12]}' if revision else ''), document))
    return found


def read_body(entry: Entry, origin: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The findings and notes of one comment.

    The prose reader decides what the text says. A comment that opens a thread
    on a line and states something the reader cannot place (neither a finding,
    nor advice, nor a verdict: "This crashes when the list is empty.") is taken
    as a finding there: the reviewer pointed at the line to say it. A question
    or a word of thanks is a note.
    """
    from findings_gate.read import prose  # its patterns take time to compile

    text = plain(entry.body)
    findings: list[dict[str, Any]] = []
    notes: list[str] = []
    if text.strip():
        try:
            document = prose.read(text, origin)
            findings, notes = document['findings'], document.get('notes', [])
        except GateError:  # says nothing the prose reader recognises
            words = _FENCE.sub('', text)  # a suggested edit is code, not what the reviewer says
            if entry.root and entry.anchor and _statement(_unmarked(words)):
                findings = [_whole(words, text)]
            else:
                notes = [_unmarked(text)]
    if entry.changes_requested and not findings:  # the request is the finding; its text, the message
        notes = []
        findings = [{'title': 'changes requested', 'severity': 'medium', 'rule': 'changes-requested',
                     **({'message': _unmarked(text)} if text.strip() else {})}]
    return [_anchored(f, entry) for f in findings], notes


def plain(body: str) -> str:
    """A comment's text as its reader sees it: no HTML comments (bots keep state there), and a
    bot's badge read as the severity it shows."""
    text = re.sub(r'<!--.*?-->', '', body, flags=re.S)

    def badge(match: re.Match[str]) -> str:
        alt = match.group(1).strip().lower().removesuffix(' badge').strip()
        if alt in _PRIORITIES:
            return f'[{_PRIORITIES[alt]}]'
        severity = _SEVERITY_ALT.fullmatch(alt)
        return f'[{severity.group(1).lower()}]' if severity else match.group(1)

    text = _IMAGE.sub(badge, text)
    return re.sub(r'^\s*(\[(?:critical|high|medium|low)\])\s*\n\s*\n\s*', r'\1 ', text, count=1)  # on its own line


def _statement(text: str) -> bool:
    """Whether a comment states something: not a question, not a word or three of thanks, not
    the line that introduces a suggested edit."""
    return len(text.split()) > 3 and not text.rstrip().endswith(('?', ':'))


def _whole(words: str, text: str) -> dict[str, Any]:
    """A comment the prose reader could not cut up, as one finding: titled by the first sentence
    of its words (after a bot's label paragraph, `_⚠️ Potential issue_`), the whole text its
    message, its suggested edit (a `suggestion` block) its suggestion."""
    from findings_gate.read.prose import mentions  # its patterns take time to compile

    paragraphs = [_unmarked(p) for p in re.split(r'\n\s*\n', words) if _unmarked(p)]
    while len(paragraphs) > 1 and re.fullmatch(r'\W*(?:\w+\W*){1,3}', paragraphs[0]):
        paragraphs.pop(0)  # a label: `Potential issue`, `Nitpick`
    sentence = re.split(r'(?<=[.!?])\s', paragraphs[0], maxsplit=1)[0].rstrip('.') if paragraphs else ''
    title = sentence if len(sentence) <= 120 else sentence[:117].rstrip() + '...'
    message = ' '.join(_unmarked(text).split())
    finding = {'title': title or 'comment', 'severity': mentions.severity(words) or 'medium'}
    if message != title:
        finding['message'] = message
    finding['category'] = mentions.category(words, bool(mentions.cwe_ids(words)))
    edits = [m.group(2) for m in _FENCE.finditer(text) if m.group(1) == 'suggestion']
    if edits:
        finding['suggestion'] = '\n'.join(edits).rstrip('\n')
    return finding


def _unmarked(text: str) -> str:
    """Text without HTML tags and Markdown emphasis, on one line."""
    text = re.sub(r'</?[a-zA-Z][^>\n]*>', ' ', text)
    text = re.sub(r'(\*\*|__)(.+?)\1', r'\2', text, flags=re.S)
    text = re.sub(r'(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?!\w)', r'\1', text, flags=re.S)
    return ' '.join(text.split())


def _anchored(finding: dict[str, Any], entry: Entry) -> dict[str, Any]:
    """The finding where the comment is, unless its text names another file or other lines."""
    finding = {k: v for k, v in finding.items() if k != 'source'}  # lines of the comment: no use here
    said = finding.get('location', {})
    anchor = entry.anchor
    if said.get('path') and said['path'] != anchor.get('path'):
        where = said  # another file
    elif said.get('start_line'):
        where = {**{k: v for k, v in anchor.items() if k in ('path', 'side')}, **said}
    else:
        where = {**anchor, **{k: v for k, v in said.items() if k == 'symbol'}}
    if where:
        finding['location'] = _ordered(where, _LOCATION_ORDER)
    if 'related' in finding and anchor.get('path'):
        finding['related'] = [r if 'path' in r else {'path': anchor['path'], **r} for r in finding['related']]
    finding['fingerprint'] = entry.fingerprint
    if entry.resolved:
        finding['suppression'] = {'kind': 'external', 'justification': entry.resolved}
    return _ordered(finding, _ORDER)


def _ordered(mapping: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    return dict(sorted(mapping.items(), key=lambda kv: order.index(kv[0])))
