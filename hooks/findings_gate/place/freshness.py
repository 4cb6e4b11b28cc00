"""Freshness: does a review of an earlier revision still hold for the change as it is now?

Per file: when the file's diff from the base is the same at the gated revision
as at the reviewed one (hunk positions aside, so a rebase keeps it), the review
still holds for it; otherwise the file counts as unreviewed by that report.
Findings are moved to the gated revision's lines through the diff between the
two revisions; a finding whose lines were rewritten is marked stale, not
silently re-placed.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from findings_gate.model import Change, Hunk, Location, Report
from findings_gate.place.diff import parse_diff
from findings_gate.place.paths import normalise


class History(NamedTuple):
    """What freshness asks of git (gate.py gives the real thing)."""
    resolve: Callable[[str], str | None]  # a revision's commit id, None when unknown
    merge_base: Callable[[str, str], str | None]
    diff: Callable[[str, str | None], str]  # from a commit to a commit, or to the index (None)


class Edit(NamedTuple):
    """How one file of the reviewed revision became the gated one."""
    path: str | None  # its path now; None when it was deleted
    hunks: tuple[Hunk, ...]


def patches(change: Change) -> dict[str, tuple[object, ...]]:
    """Each file's diff without line numbers: what was removed and added, hunk by hunk."""
    return {
        file.path: (
            file.status, file.old_mode, file.new_mode, file.binary, file.blob,
            *((hunk.heading, *(line for line in hunk.body if line[:1] in ('-', '+'))) for hunk in file.hunks),
        )
        for file in change.files
    }


def edits(change: Change) -> dict[str, Edit]:
    """By the reviewed revision's path: where each changed file went and how."""
    return {
        file.old_path: Edit(None if file.status == 'deleted' else file.path, file.hunks)
        for file in change.files
        if file.old_path is not None and file.status != 'copied'  # not a file the reviewed revision had, or a copy
    }


def _move_line(line: int, hunks: Sequence[Hunk], *, end: bool) -> tuple[int, bool]:
    """The line's number now, and whether it was rewritten (then: the rewrite's first or last line)."""
    shift = 0
    for hunk in hunks:
        if hunk.old_count == 0:  # lines added after old_start
            if hunk.old_start < line:
                shift += hunk.new_count
            continue
        last = hunk.old_start + hunk.old_count - 1
        if last < line:
            shift += hunk.new_count - hunk.old_count
        elif hunk.old_start <= line:
            now = hunk.new_start + (max(hunk.new_count, 1) - 1 if end else 0)
            return max(now, 1), True
    return line + shift, False


def _inserted_within(first: int, last: int, hunks: Sequence[Hunk]) -> bool:
    return any(h.old_count == 0 and first <= h.old_start < last for h in hunks)


def _move(location: Location, edit: Edit) -> tuple[Location, bool]:
    """The location at the gated revision, and whether its lines were rewritten."""
    path = edit.path or location.path
    if location.start_line is None:
        return location._replace(path=path), False
    first = location.start_line
    last = location.end_line or first
    start, rewritten_start = _move_line(first, edit.hunks, end=False)
    end, rewritten_end = _move_line(last, edit.hunks, end=True)
    rewritten = rewritten_start or rewritten_end or _inserted_within(first, last, edit.hunks) or any(
        h.old_count and first <= h.old_start and h.old_start + h.old_count - 1 <= last for h in edit.hunks)
    moved = location._replace(path=path, start_line=start,
                              end_line=max(end, start) if location.end_line is not None else None)
    return moved, rewritten


def _span(location: Location) -> str:
    first, last = location.start_line, location.end_line or location.start_line
    return f'line {first}' if first == last else f'lines {first}-{last}'


def move_findings(report: Report, changes: dict[str, Edit], revision: str, root: str | None) -> Report:
    """The report's findings at the gated revision's lines; rewritten ones marked stale."""
    def where(location: Location) -> Edit | None:
        if location.path is None or location.side == 'old':
            return None
        path, _ = normalise(location.path, root)
        return changes.get(path) if path else None

    moved = []
    for finding in report.findings:
        location = finding.location
        edit = where(location) if location else None
        if location is None or edit is None:
            moved.append(finding)
            continue
        if edit.path is None:
            moved.append(finding._replace(stale=f'{location.path} was deleted after the review of {revision[:12]}'))
            continue
        now, rewritten = _move(location, edit)
        related = []
        for other in finding.related:
            other_edit = where(other)
            if other_edit is None or other_edit.path is None:
                related.append(other)
            else:
                other_now, other_rewritten = _move(other, other_edit)
                related.append(other_now._replace(start_line=None, end_line=None) if other_rewritten else other_now)
        stale = (f'{_span(location)} changed after the review of {revision[:12]}' if rewritten else None)
        moved.append(finding._replace(location=now, related=tuple(related), stale=stale))
    return report._replace(findings=tuple(moved))


def _unreviewed(report: Report, change: Change) -> Report:
    """A review whose revision cannot be compared: it covers no file, its findings stay as they are."""
    return report._replace(stale_files=frozenset(f.path for f in change.files))


def check(report: Report, change: Change, current: dict[str, tuple[object, ...]], *,
          history: History, base: str | None, head: str | None, root: str | None) -> Report:
    """The report with its stale files and its findings moved to the gated revision.

    `current`: the patches of the gated change; `base`: where it starts;
    `head`: the gated commit, None for the index.
    """
    if report.revision is None:
        return report
    revision = history.resolve(report.revision)
    if revision is None:  # not fetched, or made up: fail closed
        return _unreviewed(report, change)
    start = (history.resolve(report.base) if report.base else None) or (
        history.merge_base(base, revision) if base else None) or base
    if revision == head and start == base:  # a review of the change as it is
        return report
    if start is None:
        return _unreviewed(report, change)
    reviewed = patches(parse_diff(history.diff(start, revision), 'the diff of the reviewed revision'))
    stale = frozenset(f.path for f in change.files if reviewed.get(f.path) != current.get(f.path))
    later = parse_diff(history.diff(revision, head), 'the diff since the reviewed revision')
    report = move_findings(report, edits(later), revision, root)
    return report._replace(stale_files=stale)
