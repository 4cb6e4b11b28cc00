"""Records shared by every module. Imports nothing of the package."""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

SEVERITIES = ('critical', 'high', 'medium', 'low', 'info')
# placements, from the closest to the change to the farthest
PLACEMENTS = ('added', 'context', 'symbol', 'deleted', 'file', 'untouched', 'unlocated')

Run = tuple[int, int]  # an inclusive range of line numbers, start <= end


class Location(NamedTuple):
    path: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    start_column: int | None = None
    end_column: int | None = None
    symbol: str | None = None
    side: str = 'new'


class Reviewer(NamedTuple):
    name: str
    kind: str
    model: str | None = None
    version: str | None = None


class Finding(NamedTuple):
    title: str
    severity: str
    message: str | None = None
    confidence: str | None = None
    category: str | None = None
    cwe: tuple[str, ...] = ()
    cwe_names: tuple[tuple[str, str], ...] = ()  # (id, the name the review gave it)
    rule: str | None = None
    location: Location | None = None
    related: tuple[Location, ...] = ()
    suggestion: str | None = None
    fingerprint: str | None = None
    source: Run | None = None  # lines of the original report text it was read from
    fingerprints: tuple[tuple[str, str], ...] = ()  # named ones kept from a tool (SARIF)
    suppression: tuple[str, str | None] | None = None  # (kind, justification) when suppressed


class Report(NamedTuple):
    origin: str  # where it was read: a file, `-`, or a git note
    reviewer: Reviewer
    findings: tuple[Finding, ...]
    complete: bool = True
    verdict: str = 'findings'
    revision: str | None = None


class InvalidReport(NamedTuple):
    origin: str
    problems: tuple[str, ...]  # one line each, `origin::$.path: message`


class FileChange(NamedTuple):
    path: str  # the new path; the old one for a deleted file
    old_path: str | None  # None for an added file
    status: str  # added, deleted, modified, renamed, copied
    added: tuple[Run, ...] = ()  # new-side lines added or changed
    deleted: tuple[Run, ...] = ()  # old-side lines removed
    gaps: tuple[int, ...] = ()  # new-side lines next to a pure deletion
    binary: bool = False
    submodule: bool = False
    old_mode: str | None = None
    new_mode: str | None = None


class Change(NamedTuple):
    files: tuple[FileChange, ...]
    description: str  # 'staged changes', 'abc123...def456', a diff file


class Grounding(NamedTuple):
    """How much of what a finding claims (file, symbol, lines, CWE) held against the code."""
    status: str  # grounded, partly, ungrounded
    reasons: tuple[str, ...] = ()


class Placed(NamedTuple):
    finding: Finding
    report: Report
    path: str | None  # repository-relative, normalised; None when unusable
    placement: str
    reason: str | None = None  # why a finding is unlocated
    lines: Run | None = None  # the lines it was placed on (the symbol's, when the review gave none)
    grounding: Grounding = Grounding('grounded')


class Decided(NamedTuple):
    placed: Placed
    action: str
    rule: str  # the name of the rule that decided, or 'default'


class Condition(NamedTuple):
    kind: str  # invalid_report, incomplete_report, no_reports
    origin: str | None
    action: str
    message: str


class Decision(NamedTuple):
    verdict: str  # block, warn or pass
    findings: tuple[Decided, ...]
    conditions: tuple[Condition, ...]
    reports: tuple[Report | InvalidReport, ...]
    change: Change
    policy: str  # where the policy was read from
    texts: Mapping[str, str] = {}  # the gated revision's text of each file a finding is placed in
