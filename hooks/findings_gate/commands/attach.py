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

from findings_gate import read
from findings_gate import git
from findings_gate import ssh_signature
from findings_gate.commands.check import Write
from findings_gate.errors import PASS, GateError, shown
from findings_gate.model import InvalidReport
from findings_gate.read import native, notes, sources


def _reviewed(repo: git.Repo, change: dict[str, Any], commit: str, base: str | None, origin: str) -> dict[str, Any]:
    """The report's `change`, with the revision and the base it reviewed filled in where it names none."""
    if base is not None and 'base' in change:
        raise GateError(f'{origin}: the report names its base ({shown(str(change["base"]))}); '
                        f'leave out --base, or take change.base out of the report')
    try:  # a name (HEAD, a branch) would name another commit later: the commit it names now
        revision = git.resolve(repo, change.get('revision', commit))
        change = {**change, 'revision': revision}
        if 'base' in change:
            change['base'] = git.resolve(repo, change['base'])
    except GateError:
        return change  # a revision this repository does not have: as the report says
    if base is not None:
        start = git.resolve(repo, base)
        change['base'] = git.merge_base(repo, start, revision) or start
    elif 'base' not in change:
        parent = git.first_parent(repo, revision)
        if parent is not None:
            change['base'] = parent
    return change


def _edit(document: dict[str, Any], signature: str | None) -> Callable[[str], str | None]:
    """The note with the report added; None when it holds it already (signed, if this one is)."""
    def edit(text: str) -> str | None:
        kept = [(native.parse(e.data, 'the note there'), e.signature) for e in notes.entries(text)] if text.strip() else []
        for i, (there, signed) in enumerate(kept):
            if there == document:
                if signature is None or signed == signature:
                    return None
                kept[i] = (document, signature)
                break
        else:
            kept.append((document, signature))
        return ''.join(notes.line(d, s) + '\n' for d, s in kept)
    return edit


def run(file: str, fmt: str | None, *, commit: str, base: str | None, key: str | None, notes_ref: str,
        out: Write, stdin: BinaryIO | None) -> int:
    [source] = sources.from_arguments([file], stdin)
    report = sources.read(source, fmt)
    if isinstance(report, InvalidReport):
        raise GateError('\n'.join([*report.problems, f'{source.origin}: not attached; fix it first']))
    document = read.parse(source.data, source.origin, fmt)
    repo = git.open_repo()
    reviewed = git.resolve(repo, commit)
    change = _reviewed(repo, document.get('change', {}), reviewed, base, source.origin)
    document = {**document, 'change': change}
    signature = ssh_signature.sign(notes.payload(document), key) if key is not None else None
    text = git.update_note(repo, reviewed, _edit(document, signature), notes_ref)
    count = len(notes.entries(text))
    what = f'{change["base"][:12]}..{change["revision"][:12]}' if 'base' in change else change['revision'][:12]
    out(f'{source.origin}: attached to {reviewed[:12]} in {notes_ref}{", signed" * (key is not None)}, '
        f'a review of {shown(what)} ({count} report{"s" * (count != 1)} there); '
        f'share it with: git push origin {notes_ref}\n')
    return PASS
