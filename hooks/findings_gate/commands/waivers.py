"""`findings-gate waivers`: the waivers and what each waives in this run; `--unused` for those that waive nothing."""
from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO

from findings_gate.commands.check import GateOptions, Write, decide
from findings_gate.errors import BLOCKED, PASS
from findings_gate.render.inert import inert

_STATES = {'unused_waiver': 'unused', 'expired_waiver': 'expired', 'waiver_over_limit': 'over the lifetime limit'}


def run(options: GateOptions, *, unused_only: bool, out: Write, environ: Mapping[str, str],
        stdin: BinaryIO | None) -> int:
    decision = decide(options, environ=environ, stdin=stdin).decision
    states = {c.origin: c.kind for c in decision.conditions if 'waiver' in c.kind}
    unused = 0
    for waiver in decision.waivers:
        state = states.get(waiver.origin)
        unused += state == 'unused_waiver'
        if unused_only and state != 'unused_waiver':
            continue
        count = sum(d.waiver == waiver for d in decision.findings)
        shown = _STATES[state] if state else f'waives {count} finding(s)'
        out(f'{inert(waiver.origin)}: {shown}; owner {inert(waiver.owner)}, until {inert(waiver.expires)}: '
            f'{inert(waiver.reason)}\n')
    if not decision.waivers:
        out('no waivers\n')
    return BLOCKED if unused_only and unused else PASS
