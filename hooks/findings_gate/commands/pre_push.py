"""`findings-gate check --pre-push`: gate what a push sends, every ref of it.

As git's own pre-push hook (`check --pre-push REMOTE URL`, git's lines on
standard input) each pushed ref is gated, and the push is refused when any is
blocked. Run by pre-commit (`check --pre-push`, its PRE_COMMIT_* variables),
which passes a hook only the first ref of a push, a push that names more than
one ref is refused (push.py). Either way, a warning names the pushed commits
whose review notes the remote does not have.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import BinaryIO

from findings_gate import git, push
from findings_gate.commands import check
from findings_gate.errors import PASS, GateError

FIRST_REF_ONLY = 'pre-commit passes this hook only the first ref of a push (pre-commit/pre-commit#1908)'
EACH = "or run findings-gate as git's own pre-push hook, which gates each ref (docs/ci.md)"


def _one_ref_only(repo: git.Repo, remote: str, warn: check.Write) -> None:
    """Refuse a push that names more than one ref, where the command line shows it; warn where not."""
    argv = push.command_line()
    refs = push.named(argv, lambda key: git.settings(repo, key)) if argv else None
    if refs is None:
        warn(f'{FIRST_REF_ONLY}, and no git push command line can be read here to check that the push '
             f'names one ref (only Linux shows it); push one ref at a time, {EACH}\n')
    elif len(refs) > 1:
        raise GateError(f'this push names {len(refs)} refs ({", ".join(refs)}) and {FIRST_REF_ONLY}: '
                        f'nothing was pushed; push them one at a time (git push {remote} {refs[0]}), {EACH}')


def _target(options: check.GateOptions, environ: Mapping[str, str],
            pushed: push.Pushed) -> tuple[check.GateOptions, dict[str, str]]:
    """The options and environment that gate one pushed ref as `check` gates a range."""
    env = {k: v for k, v in environ.items() if k not in ('PRE_COMMIT_FROM_REF', 'PRE_COMMIT_TO_REF')}
    if pushed.start is None:  # a new history: all of it
        return options, {**env, 'PRE_COMMIT_LOCAL_BRANCH': pushed.end}
    return options._replace(pre_push=False, from_ref=pushed.start, to_ref=pushed.end), env


def _share_notes(repo: git.Repo, remote: str, commits: Sequence[str], ref: str, warn: check.Write) -> None:
    full = git.notes_ref(repo, ref)
    missing = push.unshared(repo, remote, commits, full)
    if missing is None:
        warn(f'cannot ask {remote} which review notes it has; share yours with: git push {remote} {full}\n')
    elif missing:
        n = len(missing)
        warn(f'{n} pushed commit{"s have" if n != 1 else " has"} review notes in {full} that {remote} does not '
             f'({", ".join(c[:12] for c in missing)}); share them with: git push {remote} {full}\n')


def run(options: check.GateOptions, hook: Sequence[str], *, fmt: str | None, specs: Sequence[str], color: bool,
        out: check.Write, warn: check.Write, environ: Mapping[str, str], stdin: BinaryIO | None) -> int:
    """`hook`: the remote and its URL when git runs this as its pre-push hook; empty under pre-commit."""
    repo = git.open_repo()
    if hook:
        if '-' in options.reports or options.diff_file == '-':
            raise GateError("as git's pre-push hook, standard input holds the pushed refs; "
                            "save the report or diff to a file")
        remote = hook[0]
        data = stdin.read() if stdin is not None else b''
        pushed = push.ranges(repo, remote, push.updates(data.decode('utf-8', 'surrogateescape')))
        if len(pushed) > 1 and (fmt not in (None, 'text') or specs):
            raise GateError(f'this push sends {len(pushed)} refs, each gated on its own: one document each '
                            f'would not fit one output; use the text output, or push one ref at a time')
        if not pushed:
            out('findings-gate: nothing to gate: the push sends no commit the remote lacks\n')
    else:
        remote = environ.get('PRE_COMMIT_REMOTE_NAME', '')
        if remote:
            _one_ref_only(repo, remote, warn)
        if push.holds_notes(environ.get('PRE_COMMIT_REMOTE_BRANCH', '')):
            out('findings-gate: nothing to gate: the push sends review notes, not code\n')
            return PASS
        start = environ.get('PRE_COMMIT_FROM_REF')
        end = environ.get('PRE_COMMIT_TO_REF') or environ.get('PRE_COMMIT_LOCAL_BRANCH') or 'HEAD'
        pushed = [push.Pushed('', '', start and git.resolve(repo, start), git.resolve(repo, end))]
    codes = [PASS]
    for each in pushed:
        if hook:
            out(f'findings-gate: {each.local_ref} to {remote} {each.remote_ref}\n')
            gated, env = _target(options, environ, each)
        else:
            gated, env = options, dict(environ)
        codes.append(check.run(gated, fmt=fmt, specs=specs, in_ci=False, color=color, out=out,
                               environ=env, stdin=stdin))
    if remote:
        commits = [c for each in pushed for c in git.commits(repo, each.start, each.end)]
        _share_notes(repo, remote, commits, options.notes_ref, warn)
    return max(codes)
