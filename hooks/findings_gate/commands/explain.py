"""`findings-gate explain`: for each finding, the rule that decided it and why the rules before it did not."""
from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO

from findings_gate.commands.check import GateOptions, Write, decide
from findings_gate.decide import policy
from findings_gate.errors import BLOCKED, PASS
from findings_gate.render.inert import inert
from findings_gate.render.labels import LABELS
from findings_gate.render.terminal import line


def run(options: GateOptions, *, out: Write, environ: Mapping[str, str], stdin: BinaryIO | None) -> int:
    gated = decide(options, environ=environ, stdin=stdin, signed=lambda job: False)
    for decided in gated.decision.findings:
        out(line(decided, color=False) + '\n')
        for name, action, why in policy.explain(decided, gated.policy):
            if why:
                out(f'  - {inert(name)} ({action}): {inert(why)}\n')
            else:
                out(f'  = {inert(name)} ({action}): {"no rule matched" if name == "default" else "decides"}\n')
    for condition in gated.decision.conditions:
        out(f'{inert(condition.origin or "change")}: {LABELS[condition.action]} {condition.kind}: '
            f'{inert(condition.message)} (the policy key {condition.kind})\n')
    return BLOCKED if gated.decision.verdict == 'block' else PASS
