"""Required reviews: which changed files need which reports, and which have too few."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from findings_gate.decide.codeowners import Owners, owners_of, owns
from findings_gate.decide.rules import path_spec
from findings_gate.model import Change, Condition, InvalidReport, Report


class Requirement(NamedTuple):
    name: str
    paths: tuple[str, ...]  # as written
    applies: Callable[[str], bool]  # whether a changed path needs these reviews
    reports: int  # by distinct reviewers
    kinds: frozenset[str]  # empty: any kind
    reviewers: frozenset[str]  # empty: any name
    signed: bool  # only reports signed by their reviewer's key count
    action: str
    codeowners: bool = False  # `reviewer: codeowners`: only reports by each file's code owners count


def _listed(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def compile_requirement(raw: dict[str, Any]) -> Requirement:
    paths = _listed(raw['paths'])
    spec = path_spec(paths)
    by_owners = raw.get('reviewer') == 'codeowners'
    return Requirement(
        name=raw['name'], paths=paths, applies=lambda path: bool(spec.match_file(path)),
        reports=raw.get('reports', 1), kinds=frozenset(_listed(raw.get('reviewer_kind'))),
        reviewers=frozenset(() if by_owners else _listed(raw.get('reviewer'))), signed=raw.get('signed', False),
        action=raw.get('action', 'block'), codeowners=by_owners,
    )


def counts(requirement: Requirement, report: Report) -> bool:
    """Whether the report is by a reviewer the requirement asks for (by its signature, when it asks)."""
    reviewer = report.reviewer
    if requirement.kinds and reviewer.kind not in requirement.kinds:
        return False
    if requirement.signed and report.signature != 'good':
        return False
    return not requirement.reviewers or reviewer.name in requirement.reviewers


def _asked(requirement: Requirement, report: Report) -> bool:
    """Whether the report would count but for its signature."""
    return counts(requirement._replace(signed=False), report)


def covers(report: Report, path: str) -> bool:
    """Whether the report is a finished review of this file as it is now, and not badly signed."""
    return (report.complete and not report.advisory and report.signature in (None, 'good')
            and path not in report.stale_files and (report.files is None or path in report.files))


def _who(requirement: Requirement) -> str:
    parts = []
    if requirement.kinds:
        parts.append(' or '.join(sorted(requirement.kinds)))
    if requirement.reviewers:
        parts.append(' or '.join(sorted(requirement.reviewers)))
    return ' '.join(parts) + ' ' if parts else ''


def _not_counted(requirement: Requirement, reports: Sequence[Report], paths: Sequence[str]) -> str:
    """Why reports by the right reviewers did not count, for the message."""
    why = []
    for report in reports:
        if not _asked(requirement, report):
            continue
        if report.signature not in (None, 'good'):
            why.append(f'{report.origin} is signed, but the signature does not hold: {report.signature}')
        elif requirement.signed and report.signature is None:
            why.append(f'{report.origin} is not signed (signed: true)')
        elif report.advisory:
            why.append(f'{report.origin} is in the change\'s own tree (trust: in_tree_reports: advisory)')
        elif not report.complete:
            why.append(f'{report.origin} was cut off (complete: false)')
        elif any(p in report.stale_files for p in paths):
            why.append(f'{report.origin} did not review them as they are now')
        elif report.files is not None:
            why.append(f'{report.origin} covers only the files it lists (change.files)')
    return f'; not counted: {"; ".join(why)}' if why else ''


def _unowned(requirement: Requirement, unowned: Sequence[str], owners: Owners | None) -> str:
    """The files no code owner can review, for the message."""
    if not requirement.codeowners:
        return ''
    if owners is None:
        return '; no CODEOWNERS file (.github/, the root or docs/) names their owners'
    if not unowned:
        return ''
    return f'; {len(unowned)} of them {"have" if len(unowned) != 1 else "has"} no code owner in {owners.origin}: ' \
           f'{", ".join(unowned)}'


def unmet(requirements: Sequence[Requirement], change: Change,
          reports: Sequence[Report | InvalidReport], owners: Owners | None = None) -> list[Condition]:
    """One condition per requirement some changed file does not meet, naming those files (and,
    for `reviewer: codeowners`, those without an owner)."""
    valid = [r for r in reports if isinstance(r, Report)]
    found = []
    for requirement in requirements:
        uncovered, unowned = [], []
        for file in change.files:
            if not requirement.applies(file.path):
                continue
            reviewers = {r.reviewer.name for r in valid if counts(requirement, r) and covers(r, file.path)}
            if requirement.codeowners:
                theirs = owners_of(owners, file.path) if owners is not None else ()
                reviewers = {name for name in reviewers if owns(theirs, name)}
                if not theirs:
                    unowned.append(file.path)
            if len(reviewers) < requirement.reports:
                uncovered.append(file.path)
        if uncovered:
            need = requirement.reports
            files = f'{len(uncovered)} file{"s have" if len(uncovered) != 1 else " has"} fewer'
            by = 'distinct code owners of the file' if requirement.codeowners else 'distinct reviewers'
            message = (f'{requirement.name}: each changed file matching {", ".join(requirement.paths)} '
                       f'needs {need} {_who(requirement)}report{"s" * (need != 1)} by {by}; '
                       f'{files}{_unowned(requirement, unowned, owners)}'
                       f'{_not_counted(requirement, valid, uncovered)}')
            found.append(Condition('require', None, requirement.action, message, tuple(uncovered)))
    return found
