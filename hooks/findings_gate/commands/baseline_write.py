"""`findings-gate baseline write`: record the findings a repository already has, by line-free signature."""
from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO

from findings_gate import git
from findings_gate.commands.check import GateOptions, Write, decide, write_file
from findings_gate.decide import baseline
from findings_gate.errors import PASS, display


def run(options: GateOptions, file: str | None, *, out: Write, environ: Mapping[str, str],
        stdin: BinaryIO | None) -> int:
    gated = decide(options, environ=environ, stdin=stdin)
    findings = gated.decision.findings
    path = file or str(git.root(git.open_repo()) / gated.policy.baseline)
    write_file(path, baseline.dump(findings))
    kinds = len({d.placed.signature for d in findings})
    out(f'{display(path)}: {len(findings)} finding(s) with {kinds} signature(s) recorded; '
        f'commit it so that `check` tells new findings from these\n')
    return PASS
