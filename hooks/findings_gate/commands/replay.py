"""`findings-gate replay`: gate every change of a history again, with the reports it had then.

Each first-parent commit of the range is one change: its diff against its first
parent, and the reports it had: the notes on its commits (a merge's are those
of the branch it merges), the reports its tree holds where its policy says,
and `--report COMMIT=PATH`. The policy is `--policy`, else the one at each
commit. Every blob is read once, all through one `git cat-file --batch`, and
each git question is asked once for the whole range, so the time is linear in
the range (bench/run.py: replay).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from findings_gate import git
from findings_gate.decide import codeowners, policy
from findings_gate.errors import PASS, GateError, display
from findings_gate.model import Decision, InvalidReport, Replayed, Report
from findings_gate.place import diff, paths, placement
from findings_gate.read import sources
from findings_gate.render import replay as render

Write = Callable[[str], object]
Progress = Callable[[int, int], object]  # (changes done, changes in all)


class Change(NamedTuple):
    commit: str
    subject: str
    commits: tuple[str, ...]  # the commits it brings: itself, and for a merge the branch's


def _changes(repo: git.Repo, revisions: Sequence[str], since: str | None) -> tuple[list[Change], list[str]]:
    """The first-parent changes of the range, each with its commits; and the revisions for the
    whole range (from the first change's first parent)."""
    mainline = git.history(repo, revisions, since)
    if not mainline:
        raise GateError(f'{" ".join(revisions)}{f" since {since}" if since else ""}: no commits to replay; '
                        f'give a range with commits (main~50..main), or a longer --since')
    first_parents = mainline[0][1]
    span = [f'{first_parents[0]}..{mainline[-1][0]}'] if first_parents else [mainline[-1][0]]
    parents = git.graph(repo, span)
    reached: set[str] = set()
    found = []
    for commit, _, subject in mainline:
        brought, stack = [], [commit]
        while stack:
            c = stack.pop()
            if c in reached or c not in parents:
                continue
            reached.add(c)
            brought.append(c)
            stack.extend(parents[c])
        found.append(Change(commit, subject, tuple(brought)))
    return found, span


def _reports_given(specs: Sequence[str], repo: git.Repo, root: Path) -> dict[str, list[sources.Source]]:
    """--report COMMIT=PATH: the reports of the change a commit makes."""
    found: dict[str, list[sources.Source]] = {}
    for spec in specs:
        commit, sep, path = spec.partition('=')
        if not sep or not commit or not path:
            raise GateError(f'--report {spec!r}: write it as COMMIT=PATH, the change a commit makes and its report')
        found.setdefault(git.resolve(repo, commit), []).extend(sources.from_arguments([path], None, root))
    return found


def _named(repo: git.Repo, commits: Sequence[str], names: Sequence[str]) -> dict[str, tuple[str, str]]:
    """For each commit, the first of `names` it has: (name, blob id)."""
    ids = git.object_ids(repo, [f'{c}:{n}' for c in commits for n in names])
    found = {}
    for i, commit in enumerate(commits):
        for j, name in enumerate(names):
            oid = ids[i * len(names) + j]
            if oid is not None:
                found[commit] = (name, oid)
                break
    return found


def _static(location: str) -> str:
    """The directory a report location names before any wildcard ('' for the root)."""
    parts = location.removeprefix('./').strip('/').split('/')
    fixed = []
    for part in parts[:-1] if any(c in parts[-1] for c in '*?[') else parts:
        if any(c in part for c in '*?['):
            break
        fixed.append(part)
    return '/'.join(fixed)


def _in_tree(repo: git.Repo, locations: dict[str, tuple[str, ...]]) -> dict[str, list[tuple[str, str]]]:
    """(blob id, path) of the reports each commit's tree holds where its policy says; each
    directory a location names is listed once per tree it has in the range."""
    commits = list(locations)
    dirs = sorted({_static(loc) for locs in locations.values() for loc in locs})
    trees = git.object_ids(repo, [f'{c}:{d}' for c in commits for d in dirs])
    listed: dict[str, list[tuple[str, str]]] = {}
    found = {}
    for i, commit in enumerate(commits):
        files: dict[str, str] = {}
        for j, directory in enumerate(dirs):
            tree = trees[i * len(dirs) + j]
            if tree is None:
                continue
            if tree not in listed:
                listed[tree] = git.tree_files(repo, tree)
            files.update((f'{directory}/{p}' if directory else p, oid) for oid, p in listed[tree])
        found[commit] = [(files[p], p) for p in sources.in_tree(locations[commit], files)]
    return found


def run(revisions: Sequence[str], *, since: str | None, policy_file: str | None, against: str | None,
        reports: Sequence[str], notes_ref: str, fmt: str, out: Write, progress: Progress | None = None) -> int:
    if not revisions and since is None:
        raise GateError('replay needs a RANGE (main~200..main) or --since (90.days); give one')
    repo = git.open_repo()
    root = git.root(repo)
    given_policy = policy.load(policy_file, None) if policy_file else None
    candidate = policy.load(against, None) if against else None
    changes, span = _changes(repo, revisions or ['HEAD'], since)
    commits = [c.commit for c in changes]
    patches = git.first_parent_patches(repo, span)
    given = _reports_given(reports, repo, root)
    outside = sorted(given.keys() - set(commits))
    if outside:
        raise GateError(f'--report {outside[0][:12]}=...: commit {outside[0][:12]} makes no change of the range; '
                        f'name a first-parent commit of it')
    noted = git.noted(repo, notes_ref)

    # the policy and CODEOWNERS at each commit, each distinct one read and parsed once
    at = {} if given_policy else _named(repo, commits, policy.FILENAMES)
    wanted_owners = any(r.codeowners for p in (given_policy, candidate) if p for r in p.requirements) or (
        given_policy is None)
    owners_at = _named(repo, commits, codeowners.LOCATIONS) if wanted_owners else {}
    blobs = git.objects(repo, [oid for _, oid in (*at.values(), *owners_at.values())]
                        + [noted[c] for change in changes for c in change.commits if c in noted])

    def text(oid: str, origin: str) -> str:
        try:
            return blobs[oid].decode('utf-8')
        except UnicodeDecodeError:
            raise GateError(f'{origin}: not UTF-8 text') from None

    @functools.cache
    def policy_of(oid: str | None, origin: str) -> policy.Policy:
        return policy.parse(text(oid, origin), origin) if oid else policy.parse(policy.DEFAULT, 'the default policy')

    @functools.cache
    def owners_of(oid: str, origin: str) -> codeowners.Owners:
        return codeowners.parse(text(oid, origin), origin)

    def chosen(commit: str) -> policy.Policy:
        if given_policy is not None:
            return given_policy
        name, oid = at.get(commit, ('', None))
        return policy_of(oid, f'{commit[:12]}:{name}' if oid else '')

    in_tree = _in_tree(repo, {c: chosen(c).reports for c in commits})
    blobs.update(git.objects(repo, [oid for found in in_tree.values() for oid, _ in found if oid not in blobs]))

    @functools.cache
    def read(oid: str, path: str) -> tuple[Report | InvalidReport, ...]:
        source = sources.Source(path, blobs.get(oid, b''), in_tree=True)
        return tuple(sources.read_all(source))

    replayed = []
    for n, change in enumerate(changes, 1):
        rules = chosen(change.commit)
        found: list[Report | InvalidReport] = []
        for oid, path in in_tree[change.commit]:
            if not sources.placeholder(path, len(blobs.get(oid, b''))):
                found.extend(r._replace(advisory=rules.in_tree_reports == 'advisory') if isinstance(r, Report)
                             else r for r in read(oid, path))
        notes = [(c, blobs[noted[c]].decode('utf-8', 'replace')) for c in change.commits if c in noted]
        for source in sources.unique([*sources.from_notes(notes), *given.get(change.commit, [])]):
            found.extend(r._replace(revision=r.revision or source.commit) if isinstance(r, Report) else r
                         for r in sources.read_all(source))
        try:
            gated = diff.parse_diff(patches.get(change.commit, ''), f'{change.commit[:12]}')
        except GateError as e:
            raise GateError(f'commit {change.commit[:12]}: its diff:{e}') from None
        owned = owners_at.get(change.commit)
        asks = any(r.codeowners for p in (rules, candidate) if p for r in p.requirements)
        owners = owners_of(owned[1], f'{change.commit[:12]}:{owned[0]}') if owned and asks else None

        # placed once, as the policy places them: the --against policy decides the same placed findings
        placed = placement.place([r for r in found if isinstance(r, Report)], gated, root=str(root), code=None,
                                 context=rules.context_lines, mapping=paths.path_map(rules.path_map))

        def decide(chosen_policy: policy.Policy) -> Decision:
            return policy.decide(placed, found, gated, chosen_policy, owners=owners)

        replayed.append(Replayed(change.commit, change.subject, decide(rules),
                                 decide(candidate) if candidate is not None else None))
        if progress is not None:
            progress(n, len(changes))
    origin = display(policy_file) if policy_file else 'the policy at each commit'
    for chunk in render.RENDERERS[fmt](replayed, origin, display(against) if against else None):
        out(chunk)
    return PASS  # replay reports what would have been; it gates nothing
