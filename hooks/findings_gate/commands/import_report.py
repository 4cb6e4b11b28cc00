"""`findings-gate import`: a report in any format read (prose, SARIF, ...), printed as the native report."""
from __future__ import annotations

import json
from typing import BinaryIO

from findings_gate import read
from findings_gate.commands.check import Write
from findings_gate.errors import BLOCKED, PASS
from findings_gate.model import InvalidReport
from findings_gate.read import sources
from findings_gate.render.inert import inert, json_inert


def run(file: str, fmt: str | None, *, out: Write, stdin: BinaryIO | None) -> int:
    [source] = sources.from_arguments([file], stdin)
    report = sources.read(source, fmt)
    if isinstance(report, InvalidReport):
        for problem in report.problems:
            out(inert(problem) + '\n')
        return BLOCKED
    document = read.parse(source.data, source.origin, fmt)
    out(json_inert(json.dumps(document, indent=2, ensure_ascii=False)) + '\n')
    return PASS
