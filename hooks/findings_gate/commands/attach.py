"""`findings-gate attach`: store a report as a git note on the commit it reviewed.

The note records what was reviewed (`change.revision`, `change.base`), so that
freshness holds the review to it: by default the commit's own diff, from its
first parent; `--base REF` for a review of everything since REF. `--sign KEY`
signs the report (ssh_signature.py). The notes ref moves by compare-and-swap
(git.update_note): writers at the same time all keep their reports.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from findings_gate import git, read, ssh_signature
from findings_gate.commands.check import Write
from findings_gate.errors import PASS, GateError, shown
from findings_gate.model import InvalidReport
from findings_gate.read import native, notes, sources
from findings_gate.render.inert import inert


def _reviewed(repo: git.Repo, change: dict[str, Any], commit: str, base: str | None, origin: str) -> dict[str, Any]:
    """The report's `change` with what was reviewed: as the report says (names pinned to the
    commits they name now), else `commit`'s own diff, or everything since `base`'s merge base."""
    if base is not None and 'base' in change:
        raise GateError(f'{origin}: the report names its base ({shown(str(change["base"]))}); '
                        f'leave out --base, or take change.base out of the report')
    said = 'revision' in change
    try:  # a name (HEAD, a branch) would name another commit later: the commit it names now
        change = {**change, 'revision': git.resolve(repo, change.get('revision', commit))}
        if 'base' in change:
            change['base'] = git.resolve(repo, change['base'])
    except GateError:
        return change  # a revision this repository does not have: as the report says
    if base is not None:
        start = git.resolve(repo, base)
        change['base'] = git.merge_base(repo, start, change['revision']) or start
    elif not said and 'base' not in change:
        parent = git.first_parent(repo, change['revision'])
        if parent is not None:
            change['base'] = parent
    return change


def _edit(added: list[tuple[dict[str, Any], str | None]]) -> Callable[[str], str | None]:
    """The note with the reports added; None when it holds them already (signed, where they are)."""
    def edit(text: str) -> str | None:
        kept = [(native.parse(e.data, 'the note there'), e.signature) for e in notes.entries(text)] if text.strip() else []
        before = list(kept)
        for document, signature in added:
            there = [i for i, (d, _) in enumerate(kept) if d == document]
            if not there:
                kept.append((document, signature))
            elif signature is not None and kept[there[0]][1] != signature:
                kept[there[0]] = (document, signature)
        return None if kept == before else ''.join(notes.line(d, s) + '\n' for d, s in kept)
    return edit


def run(file: str, fmt: str | None, *, commit: str, base: str | None, key: str | None, notes_ref: str,
        out: Write, stdin: BinaryIO | None) -> int:
    [source] = sources.from_arguments([file], stdin)
    problems = [p for r in sources.read_all(source, fmt) if isinstance(r, InvalidReport) for p in r.problems]
    if problems:
        raise GateError('\n'.join([*problems, f'{source.origin}: not attached; fix it first']))
    documents = [document for _, document in read.parse_all(source.data, source.origin, fmt)]
    if not documents:
        raise GateError(f'{source.origin}: holds no report (no review comment); nothing to attach')
    return store(documents, source.origin, commit=commit, base=base, key=key, notes_ref=notes_ref, out=out)


def store(documents: list[dict[str, Any]], origin: str, *, commit: str, base: str | None, key: str | None,
          notes_ref: str, out: Write) -> int:
    """Keep valid report documents as the note on `commit` (signed with `key`), and say where."""
    repo = git.open_repo()
    reviewed = git.resolve(repo, commit)
    added = []
    for document in documents:
        document = {**document, 'change': _reviewed(repo, document.get('change', {}), reviewed, base, origin)}
        added.append((document, ssh_signature.sign(notes.payload(document), key) if key is not None else None))
    text = git.update_note(repo, reviewed, _edit(added), notes_ref)
    count = len(notes.entries(text))
    what = ', '.join(dict.fromkeys(_span(d['change']) for d, _ in added))
    out(f'{inert(origin)}: attached to {reviewed[:12]} in {notes_ref}{", signed" * (key is not None)}, '
        f'a review of {shown(what)} ({count} report{"s" * (count != 1)} there); '
        f'share it with: git push origin {notes_ref}\n')
    return PASS


def _span(change: dict[str, Any]) -> str:
    """What a report reviewed, as `base..revision`."""
    revision = str(change['revision'])[:12]
    return f'{str(change["base"])[:12]}..{revision}' if 'base' in change else revision
