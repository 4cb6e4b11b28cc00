"""The pipeline for one change: read the change and its reports, place, decide."""
from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from findings_gate import git, ssh_signature
from findings_gate.decide import baseline, configuration, inline, policy, thresholds, waivers
from findings_gate.errors import GateError
from findings_gate.model import Absent, Change, Decided, Decision, InvalidReport, Report
from findings_gate.place import diff, freshness, grounding, paths, placement, suppressions
from findings_gate.read import provenance, sources


class Target(NamedTuple):
    """Which change to gate. Exactly one way is used; staged is the fallback."""
    diff_file: str | None = None
    base: str | None = None
    head: str | None = None
    from_ref: str | None = None
    to_ref: str | None = None
    pre_push: bool = False


class Read(NamedTuple):
    change: Change
    commits: list[str]  # the change's commits, whose notes hold reports
    tree: str | None  # the revision whose files exist; None: the index
    base: str | None = None  # the commit the change starts from; None: none (a new history, a saved diff)
    target: str | None = None  # the tip the change merges into, whose configuration is trusted


def _read_diff_file(name: str, stdin: BinaryIO | None) -> Read:
    try:
        data = (stdin or sys.stdin.buffer).read() if name == '-' else Path(name).read_bytes()
    except OSError as e:
        raise GateError(f'--diff-file {name}: cannot read: {e.strerror}') from None
    text = data.decode('utf-8', 'surrogateescape')
    try:
        return Read(diff.parse_diff(text, name), [], None, None)
    except GateError as e:
        raise GateError(f'{name}:{e}') from None


def _range(repo: git.Repo, start: str, end: str, *, three_dot: bool, strict: bool) -> Read:
    head = git.resolve(repo, end)
    other = git.resolve(repo, start)
    base = git.merge_base(repo, other, head) if three_dot else other
    if base is None:
        if strict:
            raise GateError(
                f'{start!r} and {end!r} have no common ancestor; fetch more history '
                f'(git fetch --unshallow) or pass --from-ref/--to-ref for a two-dot diff',
            )
        base = other
    text = git.diff_range(repo, base, head)
    return Read(diff.parse_diff(text, f'{base[:12]}...{head[:12]}'),
                git.commits(repo, base, head), head, base, other)


def _head(repo: git.Repo) -> str | None:
    """The commit HEAD names; None before the first commit."""
    try:
        return git.resolve(repo, 'HEAD')
    except GateError:
        return None


def read_change(repo: git.Repo | None, target: Target, environ: dict[str, str],
                stdin: BinaryIO | None) -> Read:
    if target.diff_file is not None:
        return _read_diff_file(target.diff_file, stdin)
    assert repo is not None
    if target.base == 'auto':
        base, which = git.default_base(repo)
        gated = _range(repo, base, target.head or 'HEAD', three_dot=True, strict=True)
        return gated._replace(change=gated.change._replace(
            description=f'{gated.change.description} (--base auto: {base}, {which})'))
    if target.base is not None:
        return _range(repo, target.base, target.head or 'HEAD', three_dot=True, strict=True)
    from_ref = target.from_ref or environ.get('PRE_COMMIT_FROM_REF')
    to_ref = target.to_ref or environ.get('PRE_COMMIT_TO_REF')
    if from_ref and to_ref:  # as pre-commit does: three-dot, two-dot without a merge base
        return _range(repo, from_ref, to_ref, three_dot=True, strict=False)
    if target.pre_push:  # a first push of a new history: all of it is new
        head = git.resolve(repo, environ.get('PRE_COMMIT_LOCAL_BRANCH') or 'HEAD')
        text = git.diff_range(repo, git.empty_tree(repo), head)
        return Read(diff.parse_diff(text, f'everything up to {head[:12]}'),
                    git.commits(repo, None, head), head, None)
    text = git.diff_staged(repo)
    current = _head(repo)
    return Read(diff.parse_diff(text, 'staged changes'), [], None, current, current)


def _code(repo: git.Repo, tree: str | None,
          files: Callable[[], frozenset[str]]) -> grounding.Code:
    """The gated revision's files (the index for a staged change), read lazily, each once,
    all through one git process."""
    blobs = git.blob_reader(repo, tree)
    texts: dict[str, str | None] = {}

    def text(data: bytes | None) -> str | None:
        if data is None or b'\0' in data[:8192]:
            return None  # not a file of the revision, or binary
        return data.decode('utf-8', 'replace')

    def read(path: str) -> str | None:
        if path not in texts:
            texts[path] = text(blobs([path])[0])
        return texts[path]

    def prefetch(paths: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(p for p in paths if p not in texts))
        texts.update(zip(wanted, map(text, blobs(wanted))))

    def search(pattern: str) -> list[str]:
        return git.grep(repo, tree, pattern)

    return grounding.Code(files, read, search, prefetch)


def _from_tree(repo: git.Repo, tree: str, locations: Sequence[str],
               files: frozenset[str]) -> list[sources.Source]:
    """The reports a commit holds where the policy says, as `commit:path`."""
    found = [sources.Source(f'{tree[:12]}:{path}', git.blob(repo, tree, path), in_tree=True)
             for path in sources.in_tree(locations, files)]
    return [source for source in found if not sources.placeholder(source.origin, len(source.data))]


def _in_tree(source: sources.Source, root: Path, files: frozenset[str]) -> sources.Source:
    """A report named with --report that the change's own tree holds is one of its files."""
    if source.origin == '-':
        return source
    try:
        path = (Path.cwd() / source.origin).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return source  # outside the repository
    return source._replace(in_tree=path in files)


def _history(repo: git.Repo) -> freshness.History:
    """git for freshness; each question asked once however many reports name the same revision."""
    @functools.cache
    def resolve(revision: str) -> str | None:
        try:
            return git.resolve(repo, revision)
        except GateError:
            return None

    @functools.cache
    def diff(a: str, b: str | None) -> str:
        return git.diff_range(repo, a, b) if b else git.diff_to_index(repo, a)

    return freshness.History(resolve, functools.cache(lambda a, b: git.merge_base(repo, a, b)), diff)


def _signature(report: Report, source: sources.Source, signers: tuple[str | None, str] | None) -> str | None:
    """Whether the report's signature is its reviewer's (model.Report.signature)."""
    if signers is None or source.signature is None:
        return None
    text, where = signers
    if text is None:
        return f'{where}, the allowed signers, is not there to check it by'
    why = ssh_signature.verify(source.data, source.signature, report.reviewer.name, text)
    return 'good' if why is None else why


def _prepare(report: Report, source: sources.Source, config: configuration.Config, root: Path | None) -> Report:
    """Trust and coverage: whether the report may satisfy a requirement, and for which files and revision."""
    files = None
    if report.files is not None:
        files = tuple(p for p in (paths.normalise(f, str(root) if root else None)[0] for f in report.files) if p)
    return report._replace(
        files=files, advisory=source.in_tree and config.policy.in_tree_reports == 'advisory',
        revision=report.revision or source.commit,  # a note that names no revision reviewed its commit
        signature=_signature(report, source, config.signers),
    )


def _notes(repo: git.Repo, gated: Read, ref: str) -> list[tuple[str, str]]:
    """(commit, note) on the change's commits; for a commit without a note of its own, on the
    commits with the same patch (`git patch-id`: the commit as it was before an amend or a
    rebase), so that a review of the same patch still counts; freshness re-places it from the
    commit it reviewed."""
    noted = git.noted(repo, ref)
    found = git.notes(repo, gated.commits, ref, noted)
    bare = [c for c in gated.commits if c not in noted]
    ours = set(gated.commits)
    others = set()
    if bare:
        others = git.unmerged(repo, [c for c in noted if c not in ours], *filter(None, (gated.tree, gated.base)))
    if others:
        ids = git.patch_ids(repo, [*bare, *sorted(others)])
        for commit in bare:
            same = sorted(o for o in others if commit in ids and ids.get(o) == ids[commit])
            found += git.notes(repo, same, ref, noted)
            others -= set(same)
    return found


def _base_entries(repo: git.Repo | None, root: Path | None, gated: Read, config: configuration.Config,
                  patterns: Sequence[str], heads: Sequence[Report], mapping: paths.PathMap,
                  report_format: str | None, stdin: BinaryIO | None) -> dict[str, dict[str, Any]]:
    """The base's own reports of the same tools (--base-report), as baseline entries: their findings
    placed at the base commit and signed by its text, as `baseline write` would have recorded them."""
    if repo is None or root is None or gated.base is None:
        raise GateError('--base-report needs the base commit, which a saved diff or a new history does not name; '
                        'gate a range (--base REF)')
    if config.baseline is not None:
        raise GateError(f'--base-report and the baseline {config.baseline_origin} both say which findings are old; '
                        f'pass one: drop --base-report, or remove the baseline file')
    base, tools = gated.base, sorted({r.reviewer.name for r in heads})
    by_commit: dict[str, list[Report]] = {}  # each report placed on the commit it names, else on the base
    for source in sources.from_arguments(patterns, stdin, root):
        for report in sources.read_all(source, report_format):
            if isinstance(report, InvalidReport):
                raise GateError('\n'.join(f'--base-report {p}' for p in report.problems))
            if report.reviewer.name not in tools:
                raise GateError(f'--base-report {report.origin}: a report of {report.reviewer.name!r}, and this run '
                                f'has no report of it (it has {", ".join(map(repr, tools)) or "none"}); pass the '
                                f"base's report of the same tool")
            commit, named = base, (report.revision, *provenance.revisions(source.data, source.origin))
            for claimed in dict.fromkeys(filter(None, named)):
                commit = git.resolve_ref(repo, claimed) or claimed
                if commit not in (base, gated.target):
                    raise GateError(f'--base-report {report.origin}: a report of commit {claimed[:12]}, not of the '
                                    f'base {base[:12]}; pass the report of the base commit')
            by_commit.setdefault(commit, []).append(report)
    signed = []
    for commit, reports in by_commit.items():
        code = _code(repo, commit, functools.cache(functools.partial(git.tracked_files, repo, commit)))
        placed = placement.place(reports, Change((), commit), root=str(root), code=code, context=0, mapping=mapping)
        signed += baseline.sign(placed, {p.path: text for p in placed if p.path and (text := code.read(p.path))})
    found = baseline.document([Decided(p, 'ignore', 'base report') for p in signed])
    return {entry['signature']: entry for entry in found['findings']}


def run(target: Target, **options: Any) -> Decision:
    """Gate one change: the whole data flow, from git and files to a Decision."""
    return gate(target, **options)[0]


def gate(
        target: Target,
        *,
        reports: Sequence[str] = (),
        policy_file: str | None = None,
        context: int | None = None,
        notes: bool = True,
        notes_ref: str = git.NOTES_REF,
        report_format: str | None = None,
        environ: dict[str, str] | None = None,
        stdin: BinaryIO | None = None,
        trusted_config: str = 'tree',
        source_roots: Sequence[str] = (),
        signatures: bool = True,
        shadow_file: str | None = None,
        fail_on: str | None = None,
        placements: Sequence[str] | None = None,
        base_reports: Sequence[str] = (),
) -> tuple[Decision, policy.Policy]:
    """The decision on one change, and the policy that made it. Findings are signed (by the
    baseline's line-free signature) when an output shows it or a baseline or waiver needs it."""
    if target.diff_file is not None:
        try:
            repo = git.open_repo()
        except GateError:
            repo = None
    else:
        try:
            repo = git.open_repo()
        except GateError as e:  # the gating verbs can read a saved diff instead
            raise GateError(f'{e}, or pass --diff-file') from None
    root = git.root(repo) if repo else None
    sources.max_bytes()  # a limit that is not a number is an error, whether or not a report is found
    if trusted_config == 'base' and target.diff_file is not None:
        raise GateError('--trusted-config base needs the base commit, which a saved diff does not name; '
                        'gate a range (--base) or pass --trusted-config tree')
    gated = read_change(repo, target, environ or {}, stdin)
    config = configuration.read(repo, root, gated.target, gated.change, policy_file, trusted_config, shadow_file)
    rules = thresholds.apply(config.policy, fail_on, placements)
    files = functools.cache(lambda: git.tracked_files(repo, gated.tree) if repo else frozenset())
    code = _code(repo, gated.tree, files) if repo else None
    given = sources.from_arguments(reports, stdin, root)
    if root is not None and rules.in_tree_reports == 'advisory':  # only then does it matter (a git call)
        given = [_in_tree(s, root, files()) for s in given]
    if repo is not None and gated.tree is not None:  # a range: its head holds the reports
        given += _from_tree(repo, gated.tree, rules.reports, files())
    elif root is not None:  # staged: the work tree does
        given += sources.from_locations(rules.reports, root)
    if repo is not None and notes and gated.commits:
        given += sources.from_notes(_notes(repo, gated, notes_ref))
    found: list[Report | InvalidReport] = []
    current = functools.cache(lambda: freshness.patches(gated.change))
    history = _history(repo) if repo is not None and target.diff_file is None else None
    for source in sources.unique(given):
        for report in sources.read_all(source, report_format):
            if isinstance(report, Report):
                report = _prepare(report, source, config, root)
                if history is not None and report.revision is not None:
                    report = freshness.check(report, gated.change, current(), history=history,
                                             base=gated.base, head=gated.tree, root=str(root))
            found.append(report)
    valid = [r for r in found if isinstance(r, Report)]
    mapping = paths.path_map((*rules.path_map, *paths.source_roots(source_roots)))
    placed = placement.place(
        valid, gated.change, root=str(root) if root else None, code=code,
        context=rules.context_lines if context is None else context, mapping=mapping,
    )
    texts = {}
    if code is not None:  # for outputs that quote or hash the lines (SARIF, signatures)
        for path in {p.path for p in placed if p.path and p.placement != 'unlocated'}:
            text = code.read(path)
            if text is not None:
                texts[path] = text
    if rules.inline_suppressions != 'ignore':  # `# nosec` and the like, read from the texts above
        placed = inline.judge(suppressions.find(placed, texts, gated.change), rules, trusted=trusted_config == 'base')
    entries, entries_origin = config.baseline, config.baseline_origin
    if base_reports:  # the base's own findings stand for a baseline
        entries = _base_entries(repo, root, gated, config, base_reports, valid, mapping, report_format, stdin)
        entries_origin = f'--base-report {" ".join(base_reports)}'
    if signatures or entries is not None or config.waivers:
        placed = baseline.sign(placed, texts)
    absent: list[Absent] = []
    if entries is not None:
        placed, absent = baseline.compare(placed, entries, {r.reviewer.name for r in valid},
                                          rules.baseline_max_days, waivers.today())
    applied, about_waivers = (waivers.apply(config.waivers, placed, rules, waivers.today())
                              if config.waivers else ([], []))
    decided = [policy.decide(
        placed, found, gated.change, chosen, texts, waivers=applied,
        more=(*config.edited, *about_waivers), absent=absent, baseline=entries_origin,
        granted=config.waivers, owners=config.owners,
    ) for chosen in filter(None, (rules, config.shadow))]
    decision = decided[0]
    if config.shadow is not None:
        decision = decision._replace(shadow=policy.compare(decision, decided[1], config.shadow.origin))
    return decision._replace(config_commit=config.commit, head=gated.tree), rules
