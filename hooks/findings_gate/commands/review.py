"""`findings-gate review`: run a reviewer on the change, and keep what it says as a report bound to it.

The reviewer (reviewer_process.py) reads a request on standard input: the prompt,
the revision and base, the files, and the diff with CONTEXT lines around each
change. Its standard output is read as a report: a native one (JSON or YAML, its
nulls dropped: llm_schema.py) when it is one, else as the format it is detected
as, prose most often. The report is then bound to what the reviewer was given
(`change.revision`, `change.base`, `change.files`), named (`--name`, `--kind`),
checked as the gate checks any report, and printed, written, or attached as a note
(attach.py). A change whose request is over `--max-bytes` goes to the reviewer in
parts, file by file, and the parts' reports are merged into one; a file is never cut.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from findings_gate import git, llm_schema, read, reviewer_process
from findings_gate.commands import attach
from findings_gate.commands.check import Write
from findings_gate.errors import PASS, GateError, display, shown
from findings_gate.model import InvalidReport
from findings_gate.place.diff import parse_diff
from findings_gate.read import native, sources
from findings_gate.render.inert import json_inert

CONTEXT = 10  # lines of context around each change the reviewer is given
MAX_BYTES = 200_000  # of one request: a model's context holds about 50,000 tokens of it
TIMEOUT = 600.0
# a whole answer in one Markdown fence, as models write JSON despite being asked not to
_FENCED = re.compile(rb'\A\s*```[A-Za-z]*[ \t]*\r?\n(.*?)\r?\n```\s*\Z', re.S)


class Options(NamedTuple):
    command: str
    commit: str = 'HEAD'
    base: str | None = None
    fmt: str = 'auto'
    name: str | None = None
    kind: str | None = None
    prompt: str | None = None  # a file
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    output: str | None = None
    attach: bool = False
    key: str | None = None
    notes_ref: str = git.NOTES_REF


class Part(NamedTuple):
    path: str
    diff: str


class Asked(NamedTuple):
    """What the reviewer is asked to review."""
    revision: str
    base: str | None  # None for a root commit
    parts: list[Part]


def _asked(repo: git.Repo, commit: str, base: str | None) -> Asked:
    """`commit`'s change: from its merge base with `base`, else from its first parent."""
    head = git.resolve(repo, commit)
    if base is not None:
        start = git.resolve(repo, base)
        since: str | None = git.merge_base(repo, start, head) or start
    else:
        since = git.first_parent(repo, head)
    diff = git.patch(repo, since or git.empty_tree(repo), head, CONTEXT)
    chunks = [c for c in re.split(r'(?m)^(?=diff --git )', diff) if c.strip()]
    parts = [Part(parse_diff(c, 'the change').files[0].path, c) for c in chunks]
    if not parts:
        span = f'{since[:12]}..{head[:12]}' if since else head[:12]
        raise GateError(f'{span}: changes no file; nothing to review (commit the change first, or pass --base)')
    return Asked(head, since, parts)


def _request(prompt: str, asked: Asked, parts: list[Part], number: int, total: int) -> bytes:
    lines = [prompt.rstrip('\n'), '', '## The change', '',
             f'revision {asked.revision}' + (f', base {asked.base}' if asked.base else ', a root commit')]
    if total > 1:
        lines.append(f'part {number} of {total}: the other files of the change are reviewed in the other parts')
    lines += ['', '## Files', '', *(f'- {p.path}' for p in parts), '', '## Diff', '', '']
    return ('\n'.join(lines) + ''.join(p.diff for p in parts)).encode('utf-8', 'surrogateescape')


def _batches(prompt: str, asked: Asked, limit: int) -> list[list[Part]]:
    """The files in requests of at most `limit` bytes each, in the diff's order."""
    def size(parts: list[Part]) -> int:
        return len(_request(prompt, asked, parts, 999_999, 999_999))

    batches: list[list[Part]] = []
    for part in asked.parts:
        alone = size([part])
        if alone > limit:
            raise GateError(f'{shown(part.path)}: its diff alone makes a request of {alone} bytes, over '
                            f'--max-bytes {limit}; raise --max-bytes (a file is never cut)')
        if batches and size([*batches[-1], part]) <= limit:
            batches[-1].append(part)
        else:
            batches.append([part])
    return batches


def _documents(data: bytes, fmt: str, origin: str) -> tuple[str, list[dict[str, Any]]]:
    """The format the reviewer answered in, and the report documents its answer holds."""
    fenced = _FENCED.match(data)
    name = read.detect(fenced.group(1) if fenced else data) if fmt == 'auto' else fmt
    if name == 'native':
        document = llm_schema.drop_nulls(native.parse(fenced.group(1) if fenced else data, origin))
        if not isinstance(document, dict):
            raise GateError(f'{origin}: a native report is a JSON object; the reviewer wrote a '
                            f'{type(document).__name__}')
        return name, [document]
    return name, [document for _, document in read.parse_all(data, origin, name)]


def _named(reviewer: dict[str, Any], options: Options, program: str) -> dict[str, Any]:
    reviewer = {**reviewer}
    reviewer['name'] = options.name or reviewer.get('name') or program
    reviewer['kind'] = options.kind or reviewer.get('kind') or 'llm'
    return reviewer


def _change(asked: Asked, parts: list[Part]) -> dict[str, Any]:
    """What a reviewer given `parts` reviewed, as a report's `change`."""
    return {'revision': asked.revision, **({'base': asked.base} if asked.base else {}),
            'files': [p.path for p in parts]}


def _bound(document: dict[str, Any], given: dict[str, Any], origin: str) -> None:
    """Fail when the reviewer says it reviewed something else than it was given."""
    said = document.get('change')
    if not isinstance(said, dict):
        return  # the schema says what is wrong with it
    for key in ('revision', 'base'):
        value = said.get(key)
        if value is not None and not (isinstance(value, str) and value and given.get(key, '').startswith(value)):
            raise GateError(f'{origin}: change.{key} is {shown(str(value))}, but the reviewer was given '
                            f'{given.get(key) or "none"}; leave change.{key} out of its answer')
    files = said.get('files')
    if isinstance(files, list) and not set(map(str, files)) <= set(given['files']):
        raise GateError(f'{origin}: change.files names files the reviewer was not given: '
                        f'{shown(", ".join(sorted(set(map(str, files)) - set(given["files"]))))}')


def _merged(documents: list[dict[str, Any]], reviewer: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """One report of the reports of the parts."""
    findings = [f for d in documents for f in d.get('findings', [])]
    verdicts = {d.get('verdict', 'findings') for d in documents}
    verdict = ('contradictory' if 'contradictory' in verdicts else 'findings' if findings or 'findings' in verdicts
               else 'no-findings')
    merged: dict[str, Any] = {'version': 1, 'reviewer': reviewer, 'change': change,
                              'complete': all(d.get('complete', True) for d in documents), 'verdict': verdict}
    failures = [f for d in documents for f in d.get('failures', [])]
    if failures:
        merged['failures'] = failures
    notes = [n for d in documents for n in d.get('notes', [])]
    if notes:
        merged['notes'] = notes
    merged['findings'] = findings
    return merged


def _checked(document: dict[str, Any], origin: str) -> None:
    """The report as the gate reads any report: every problem, or none."""
    data = json.dumps(document, ensure_ascii=False).encode('utf-8', 'surrogateescape')
    problems = [p for r in sources.read_all(sources.Source(origin, data), 'native')
                if isinstance(r, InvalidReport) for p in r.problems]
    if problems:
        raise GateError('\n'.join([*problems, f'{origin}: not a valid report; nothing was kept']))


def run(options: Options, *, out: Write) -> int:
    program = os.path.basename(reviewer_process.words(options.command)[0])
    if options.key is not None and not options.attach:
        raise GateError('--sign signs the note --attach writes; add --attach')
    if options.max_bytes < 1 or options.timeout <= 0:
        raise GateError('--max-bytes and --timeout take a number above 0')
    prompt = llm_schema.prompt(_prompt_file(options.prompt) if options.prompt else None)
    repo = git.open_repo()
    asked = _asked(repo, options.commit, options.base)
    batches = _batches(prompt, asked, options.max_bytes)
    documents, reviewer = [], None
    for number, parts in enumerate(batches, 1):
        origin = f'{program} output' + (f' (part {number} of {len(batches)})' if len(batches) > 1 else '')
        request = _request(prompt, asked, parts, number, len(batches))
        data = reviewer_process.run(options.command, request, timeout=options.timeout, cwd=git.root(repo))
        fmt, found = _documents(data, options.fmt, origin)
        for document in found:
            _bound(document, _change(asked, parts), origin)
            said = document.get('reviewer') if fmt != 'text' else None
            reviewer = reviewer or _named(said if isinstance(said, dict) else {}, options, program)
            document = {**document, 'reviewer': reviewer, 'change': _change(asked, parts)}
            _checked(document, origin)  # each part whole before the parts are merged
            documents.append(document)
    assert reviewer is not None  # there is a part, and each gives a document or fails
    report = _merged(documents, reviewer, _change(asked, asked.parts))
    origin = f'{program} output'
    _checked(report, origin)
    text = json_inert(json.dumps(report, indent=2, ensure_ascii=False)) + '\n'  # the reviewer's text
    if options.output:
        _write(options.output, text)
    if options.attach:
        return attach.store([report], origin, commit=asked.revision, base=None, key=options.key,
                            notes_ref=options.notes_ref, out=out)
    if not options.output:
        out(text)
    return PASS


def _prompt_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding='utf-8')
    except (OSError, UnicodeDecodeError) as e:
        raise GateError(f'--prompt {display(path)}: cannot read it: {getattr(e, "strerror", None) or e}; '
                        f'name a UTF-8 text file') from None


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding='utf-8', errors='surrogateescape')
    except OSError as e:
        raise GateError(f'--output {display(path)}: cannot write it: {e.strerror}; check the directory') from None
