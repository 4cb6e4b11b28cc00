"""`findings-gate baseline write`: record the findings a repository already has, by line-free signature."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import BinaryIO

from findings_gate import git
from findings_gate.commands.check import GateOptions, Write, decide, write_file
from findings_gate.decide import baseline, policy, waivers
from findings_gate.errors import PASS, GateError, display
from findings_gate.model import Decision, InvalidReport


def run(options: GateOptions, file: str | None, *, out: Write, environ: Mapping[str, str],
        stdin: BinaryIO | None) -> int:
    gated = decide(options, environ=environ, stdin=stdin)
    findings = (*gated.decision.findings, *gated.decision.monitored)  # monitored ones are findings too
    path = file or str(git.root(git.open_repo()) / gated.policy.baseline)
    problems = _unrecordable(gated.decision)
    if problems:  # a baseline of this run would lose what the last one recorded
        raise GateError('\n'.join([*problems, f'{display(path)}: not written (it is unchanged); give the '
                                               f'baseline the reports of every finding to record']))
    write_file(path, baseline.dump(findings, _first_seen(path), waivers.today().isoformat()))
    kinds = len({d.placed.signature for d in findings})
    out(f'{display(path)}: {len(findings)} finding(s) with {kinds} signature(s) recorded; '
        f'commit it so that `check` tells new findings from these\n')
    return PASS


def _unrecordable(decision: Decision) -> list[str]:
    """Why the run's findings are not all the findings there are: no report, an invalid one, a tool
    that did not run. One line each."""
    if not decision.reports:
        return ['no report was read for this change; pass the reports with --report, or keep them '
                'where the policy\'s `reports` says']
    problems = [problem for r in decision.reports if isinstance(r, InvalidReport) for problem in r.problems]
    problems += [f'{c.origin}: the tool did not run: {c.message}' for c in decision.conditions
                 if c.kind == 'tool_failed']
    return problems


def _first_seen(path: str) -> dict[str, str]:
    """The first_seen date of each signature the baseline at `path` already records: a write keeps them."""
    if not os.path.isfile(path):
        return {}
    entries = baseline.parse(policy.read(path, 'the baseline'), display(path))
    return {signature: entry['first_seen'] for signature, entry in entries.items() if 'first_seen' in entry}
