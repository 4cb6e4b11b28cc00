"""`findings-gate validate`: check report files against the report schema, every problem a line."""
from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

from findings_gate.commands.check import Write
from findings_gate.errors import BLOCKED, PASS
from findings_gate.model import InvalidReport
from findings_gate.read import sources


def run(files: Sequence[str], fmt: str | None, *, out: Write, stdin: BinaryIO | None) -> int:
    invalid = 0
    for source in sources.from_arguments(files, stdin):
        reports = sources.read_all(source, fmt)
        if not reports:  # a code host's export with no comment in it
            out(f'{source.origin}: valid, no review comments in it\n')
        for report in reports:
            if isinstance(report, InvalidReport):
                invalid += 1
                for problem in report.problems:
                    out(problem + '\n')
            else:
                out(f'{report.origin}: valid, {len(report.findings)} finding(s)\n')
    return BLOCKED if invalid else PASS
