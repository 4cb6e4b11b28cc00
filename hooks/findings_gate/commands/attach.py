"""`findings-gate attach`: store a report as a git note on the commit it reviewed."""
from __future__ import annotations

from typing import BinaryIO

from findings_gate import read
from findings_gate import git
from findings_gate.commands.check import Write
from findings_gate.errors import PASS, GateError
from findings_gate.model import InvalidReport
from findings_gate.read import native, sources
from findings_gate.render.inert import inert


def run(file: str, fmt: str | None, *, commit: str, notes_ref: str, out: Write, stdin: BinaryIO | None) -> int:
    [source] = sources.from_arguments([file], stdin)
    problems = [p for r in sources.read_all(source, fmt) if isinstance(r, InvalidReport) for p in r.problems]
    if problems:
        raise GateError('\n'.join([*problems, f'{source.origin}: not attached; fix it first']))
    added = [sources.dump(document) for _, document in read.parse_all(source.data, source.origin, fmt)]
    if not added:
        raise GateError(f'{source.origin}: holds no report (no review comment); nothing to attach')
    repo = git.open_repo()
    reviewed = git.resolve(repo, commit)
    kept = [s.data.decode() for s in sources.from_notes([(reviewed, git.note(repo, reviewed, notes_ref))])]
    lines = [sources.dump(native.parse(k.encode(), 'note')) for k in kept if k.strip()]
    lines += [line for line in dict.fromkeys(added) if line not in lines]
    git.set_note(repo, reviewed, '\n'.join(lines) + '\n', notes_ref)
    out(f'{inert(source.origin)}: attached to {reviewed[:12]} in {notes_ref} '
        f'({len(lines)} report{"s" * (len(lines) != 1)} there); '
        f'share it with: git push origin {notes_ref}\n')
    return PASS
