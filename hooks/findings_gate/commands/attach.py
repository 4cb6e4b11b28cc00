"""`findings-gate attach`: store a report as a git note on the commit it reviewed."""
from __future__ import annotations

from typing import BinaryIO

from findings_gate import read
from findings_gate import git
from findings_gate.commands.check import Write
from findings_gate.errors import PASS, GateError
from findings_gate.model import InvalidReport
from findings_gate.read import native, sources


def run(file: str, fmt: str | None, *, commit: str, notes_ref: str, out: Write, stdin: BinaryIO | None) -> int:
    [source] = sources.from_arguments([file], stdin)
    report = sources.read(source, fmt)
    if isinstance(report, InvalidReport):
        raise GateError('\n'.join([*report.problems, f'{source.origin}: not attached; fix it first']))
    line = sources.dump(read.parse(source.data, source.origin, fmt))
    repo = git.open_repo()
    reviewed = git.resolve(repo, commit)
    kept = [s.data.decode() for s in sources.from_notes([(reviewed, git.note(repo, reviewed, notes_ref))])]
    lines = [sources.dump(native.parse(k.encode(), 'note')) for k in kept if k.strip()]
    if line not in lines:
        lines.append(line)
    git.set_note(repo, reviewed, '\n'.join(lines) + '\n', notes_ref)
    out(f'{source.origin}: attached to {reviewed[:12]} in {notes_ref} '
        f'({len(lines)} report{"s" * (len(lines) != 1)} there); '
        f'share it with: git push origin {notes_ref}\n')
    return PASS
