"""`findings-gate import`: a report in any format read (prose, SARIF, ...), printed as the native report;
the several reports of a code host's export, one a line."""
from __future__ import annotations

import json
from typing import BinaryIO

from findings_gate import read
from findings_gate.commands.check import Write
from findings_gate.errors import BLOCKED, PASS
from findings_gate.model import InvalidReport
from findings_gate.read import sources


def run(file: str, fmt: str | None, *, out: Write, stdin: BinaryIO | None) -> int:
    [source] = sources.from_arguments([file], stdin)
    reports = sources.read_all(source, fmt)
    invalid = [r for r in reports if isinstance(r, InvalidReport)]
    for report in invalid:
        for problem in report.problems:
            out(problem + '\n')
    if invalid:
        return BLOCKED
    documents = [document for _, document in read.parse_all(source.data, source.origin, fmt)]
    if len(documents) == 1:
        out(json.dumps(documents[0], indent=2, ensure_ascii=False) + '\n')
    else:  # a code host's export: one report a line, as git notes hold them
        out(''.join(sources.dump(document) + '\n' for document in documents))
    return PASS
