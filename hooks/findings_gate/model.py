"""Records shared by every module. Imports nothing of the package."""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

SEVERITIES = ('critical', 'high', 'medium', 'low', 'info')
# placements, from the closest to the change to the farthest
PLACEMENTS = ('added', 'context', 'symbol', 'deleted', 'file', 'untouched', 'unlocated')

# what the gate reports beside findings; each is a policy key naming its action
CONDITIONS = (
    'invalid_report', 'incomplete_report', 'tool_failed', 'contradictory_verdict', 'no_reports', 'require',
    'config_changed', 'expired_waiver', 'waiver_over_limit', 'unused_waiver',
)

LineRange = tuple[int, int]  # an inclusive range of line numbers, start <= end


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
    source: LineRange | None = None  # lines of the original report text it was read from
    fingerprints: tuple[tuple[str, str], ...] = ()  # named ones kept from a tool (SARIF)
    suppression: tuple[str, str | None] | None = None  # (kind, justification) when suppressed
    stale: str | None = None  # why the review's claim no longer holds at the gated revision


class Report(NamedTuple):
    origin: str  # where it was read: a file, `-`, or a git note
    reviewer: Reviewer
    findings: tuple[Finding, ...]
    complete: bool = True
    verdict: str = 'findings'  # findings, no-findings, or contradictory (findings, and a verdict of none)
    revision: str | None = None  # the commit that was reviewed
    base: str | None = None  # the commit the reviewed change started from
    files: tuple[str, ...] | None = None  # the files the review covered; None: all of the change
    advisory: bool = False  # read from the change's own tree while the policy trusts no such report
    stale_files: frozenset[str] = frozenset()  # changed files whose diff is not the one reviewed
    failures: tuple[str, ...] = ()  # why the tool did not run, or did not run successfully
    # None: unsigned, or no trust.signers to check it by; 'good': signed by its reviewer's key
    # in trust.signers; otherwise why its signature does not hold (it then counts for no requirement)
    signature: str | None = None


class InvalidReport(NamedTuple):
    origin: str
    problems: tuple[str, ...]  # one line each, `origin::$.path: message`


class Hunk(NamedTuple):
    """One hunk of a file's diff: where its header puts it, and its lines."""
    old_start: int  # with old_count 0: the line after which lines were added
    old_count: int
    new_start: int  # with new_count 0: the line after which lines were removed
    new_count: int
    heading: str = ''  # what follows the header's second '@@': the function git names
    body: tuple[str, ...] = ()  # its ' ', '-' and '+' lines as the diff has them


class FileChange(NamedTuple):
    path: str  # the new path; the old one for a deleted file
    old_path: str | None  # None for an added file
    status: str  # added, deleted, modified, renamed, copied
    added: tuple[LineRange, ...] = ()  # new-side lines added or changed
    deleted: tuple[LineRange, ...] = ()  # old-side lines removed
    removals: tuple[int, ...] = ()  # new-side lines after which lines were only removed (0: the top)
    binary: bool = False
    submodule: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    hunks: tuple[Hunk, ...] = ()  # in the diff's order
    blob: str | None = None  # a binary file's new content: the blob id its index line names


class Change(NamedTuple):
    files: tuple[FileChange, ...]
    description: str  # 'staged changes', 'abc123...def456', a diff file


class Grounding(NamedTuple):
    """How much of what a finding claims (file, symbol, lines, CWE) held against the code."""
    status: str  # grounded, partly, ungrounded
    reasons: tuple[str, ...] = ()


class Inline(NamedTuple):
    """A suppression written in the code for a finding's analyser (`# nosec B602`), or a SARIF `inSource` one."""
    text: str  # the comment as written, or the SARIF suppression's justification
    line: int | None  # the line it is on
    added: bool  # the change adds that line: a waiver request
    state: str = 'reported'  # applied, reported (shown, not applied), request (a waiver request, not applied)


class Placed(NamedTuple):
    finding: Finding
    report: Report
    path: str | None  # repository-relative, normalised; None when unusable
    placement: str
    reason: str | None = None  # why a finding is unlocated
    lines: LineRange | None = None  # the lines it was placed on (the symbol's, when the review gave none)
    grounding: Grounding = Grounding('grounded')
    signature: str = ''  # line-free: rule or CWE, path, symbol, the flagged lines' text (baseline.py)
    baseline: str | None = None  # new or unchanged; None when there is no baseline
    # days before a baselined finding counts as new (baseline_max_days); below 0: past it, and new
    baseline_days_left: int | None = None
    inline: Inline | None = None  # a suppression in the code for it (place/suppressions.py)


class Waiver(NamedTuple):
    origin: str  # `file#n`
    reason: str
    owner: str
    expires: str  # an ISO date
    fingerprint: str | None = None
    rule: str | None = None
    cwe: str | None = None
    paths: tuple[str, ...] = ()
    symbol: str | None = None
    created: str | None = None


class Decided(NamedTuple):
    placed: Placed
    action: str
    rule: str  # the name of the rule that decided, 'default', or why no rule was tried
    waiver: Waiver | None = None  # the waiver that applies to it


class Shadow(NamedTuple):
    """What a candidate policy would have decided on the same run (`check --shadow-policy`)."""
    policy: str  # where the candidate was read from
    verdict: str  # the candidate's verdict; the gate's exit code never follows it
    differences: tuple[tuple[Decided, Decided], ...]  # (as decided, as the candidate decides) where they differ


class Absent(NamedTuple):
    """Baselined findings that no report gives any more."""
    signature: str
    number: int  # how many of them the baseline has and this run does not
    title: str
    path: str | None
    rule: str | None


class Condition(NamedTuple):
    kind: str  # one of CONDITIONS
    origin: str | None
    action: str
    message: str
    paths: tuple[str, ...] = ()  # the files it is about (the uncovered ones of a `require`)


class Decision(NamedTuple):
    verdict: str  # block, warn or pass
    findings: tuple[Decided, ...]
    conditions: tuple[Condition, ...]
    reports: tuple[Report | InvalidReport, ...]
    change: Change
    policy: str  # where the policy was read from
    texts: Mapping[str, str] = {}  # the gated revision's text of each file a finding is placed in
    absent: tuple[Absent, ...] = ()  # baselined findings not found in this run
    baseline: str | None = None  # where the baseline was read from
    waivers: tuple[Waiver, ...] = ()  # every waiver granted, used or not
    config_commit: str | None = None  # the commit the policy, waivers and baseline were read from; None: the work tree
    head: str | None = None  # the gated commit (a range's head); None: staged changes or a saved diff
    monitored: tuple[Decided, ...] = ()  # decided by a rule with `action: monitor`: recorded, never shown, never blocking
    shadow: Shadow | None = None


class Replayed(NamedTuple):
    """One change of a history gated again (`findings-gate replay`)."""
    commit: str
    subject: str
    decision: Decision
    candidate: Decision | None = None  # the --against policy's decision of the same change
