"""What the maintainers configured, from the work tree or from a commit the change cannot edit.

The policy, the waivers and the baseline; and which of them the change edits,
so that a change cannot loosen its own gate unseen (`--trusted-config base`).
The trusted commit is the tip of the branch the change merges into (the ref
`--base` names, the one the CI names under `--ci`), not the merge base: a
change branched before the policy was made stricter gets the stricter one.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from findings_gate import git
from findings_gate.decide import baseline, codeowners, policy, waivers
from findings_gate.errors import GateError, display
from findings_gate.model import Change, Condition, Waiver

if TYPE_CHECKING:
    from findings_gate.git import Repo


class Config(NamedTuple):
    """What the maintainers configured: the policy, the waivers, the baseline."""
    policy: policy.Policy
    waivers: tuple[Waiver, ...] = ()
    baseline: dict[str, dict[str, object]] | None = None
    baseline_origin: str | None = None
    edited: tuple[Condition, ...] = ()  # the configuration files the change edits
    commit: str | None = None  # the commit it was read from; None: the work tree, or no commit
    signers: tuple[str | None, str] | None = None  # (allowed signers or None when missing, where); None: none named
    shadow: policy.Policy | None = None  # the candidate policy decided beside this one
    owners: codeowners.Owners | None = None  # CODEOWNERS, read when a `require` entry asks for code owners


def check_directories(path: str, key: str, is_file: Callable[[str], bool], shown: Callable[[str], str]) -> None:
    """A GateError when a directory of the repository-relative `path` is a file (`.findings-gate` for
    `.findings-gate/waivers.yaml`): what `path` names could never be read, and that must not pass
    for "no waivers" or "no baseline"."""
    parts = PurePosixPath(path).parts[:-1]
    for directory in ('/'.join(parts[:n]) for n in range(1, len(parts) + 1)):
        if is_file(directory):
            raise GateError(f'{shown(directory)}: a file, where the directory of the {key} file {path} '
                            f'belongs; move the file, or set `{key}` in the policy to another path')


def _in_repository(path: str, root: Path) -> str | None:
    """`path` relative to the work tree's top, as git names it; None when it is outside."""
    for here, top in ((Path(os.path.abspath(path)), root), (Path(os.path.realpath(path)), root.resolve())):
        try:
            return here.relative_to(top).as_posix()
        except ValueError:
            continue
    return None


def read(repo: Repo | None, root: Path | None, commit: str | None, change: Change,
         policy_file: str | None, trusted: str, shadow_file: str | None = None) -> Config:
    """The configuration from the work tree, or (`trusted` base) from `commit`.

    With no commit (a new history, a first commit) there is no configuration:
    the default policy applies, with no waivers and no baseline. A `policy_file`
    inside the repository is read like the repository's own policy file. The
    candidate policy is `shadow_file` (read as given), else the one the policy's
    `shadow` key names, read from where the policy was.
    """
    given_shadow = policy.parse(policy.read(shadow_file, 'the shadow policy'), display(shadow_file)) \
        if shadow_file is not None else None
    if root is None or repo is None:
        rules = policy.load(policy_file, None)
        if rules.shadow is not None and given_shadow is None:
            raise GateError(f'{rules.origin}::$.shadow: {rules.shadow} is a file of the repository, and a saved '
                            f'diff outside one has none; pass --shadow-policy FILE, or gate in the repository')
        return Config(rules, shadow=given_shadow)
    from_commit = trusted == 'base'
    commit_files = functools.cache(lambda: git.tracked_files(repo, commit) if commit else frozenset())
    changed = {p for f in change.files for p in (f.path, f.old_path) if p}

    def exists(path: str) -> bool:
        return path in commit_files() if from_commit else (root / path).is_file()

    def fetch(path: str, what: str) -> tuple[str, str] | None:
        """(text, origin) of a repository-relative file, None when there is none."""
        if not exists(path):
            return None
        if from_commit:
            assert commit is not None
            origin = f'{commit[:12]}:{path}'
            try:
                return git.blob(repo, commit, path).decode('utf-8'), origin
            except UnicodeDecodeError:
                raise GateError(f'{origin}: cannot read {what}: not UTF-8 text') from None
        return policy.read(str(root / path), what), display(root / path)

    named = _in_repository(policy_file, root) if policy_file is not None else None
    if policy_file is not None and (named is None or not from_commit):
        rules = policy.load(policy_file, None)  # outside the repository, or the work tree's copy
    else:
        name = named or policy.find(exists)
        if named is not None and not exists(named) and named not in changed:  # nobody's: say so
            where = f'commit {commit[:12]}' if commit else 'a new history (no commit before it)'
            raise GateError(f'--policy {policy_file}: not in {where}, where the configuration is read '
                            f'from (--trusted-config base); commit it there first, or name a file '
                            f'outside the repository')
        written = fetch(name, 'the policy') if name else None
        rules = policy.parse(*written) if written else policy.parse(policy.DEFAULT, 'the default policy')
    for path, key in ((rules.waivers, 'waivers'), (rules.baseline, 'baseline')):
        if from_commit:
            check_directories(path, key, commit_files().__contains__, lambda d: f'{(commit or "")[:12]}:{d}')
        else:
            check_directories(path, key, lambda d: (root / d).is_file(), lambda d: display(root / d))
    written = fetch(rules.waivers, 'the waivers')
    granted = waivers.parse(*written) if written else ()
    written = fetch(rules.baseline, 'the baseline')
    entries = baseline.parse(*written) if written else None
    signers = None
    if rules.signers is not None:
        written_signers = fetch(rules.signers, 'the allowed signers')
        signers = written_signers or (None, rules.signers)
    owners, owners_file = None, None
    if any(r.codeowners for r in rules.requirements):
        owners_file = next((name for name in codeowners.LOCATIONS if exists(name)), None)
        written_owners = fetch(owners_file, 'CODEOWNERS') if owners_file else None
        owners = codeowners.parse(*written_owners) if written_owners else None
    config_files = {*policy.FILENAMES, rules.waivers, rules.baseline, *([named] if named else []),
                    *([rules.signers] if rules.signers else []), *([owners_file] if owners_file else [])}
    applies = ("the base commit's copy applies (--trusted-config base)" if from_commit else
               "the edited copy applies; in CI the base commit's does (--trusted-config base)")
    edited = tuple(
        Condition('config_changed', f.path, rules.config_changed,
                  f"the change edits the gate's configuration; {applies}")
        for f in change.files if config_files & {f.path, f.old_path}
    )
    shadow = given_shadow
    if shadow is None and rules.shadow is not None:
        written_shadow = fetch(rules.shadow, 'the shadow policy')
        if written_shadow is None:
            where = f'commit {commit[:12]}' if from_commit and commit else 'the work tree'
            raise GateError(f'{rules.origin}::$.shadow: {rules.shadow} is not in {where}; commit the '
                            f'candidate policy there, or set `shadow: null`')
        shadow = policy.parse(*written_shadow)
    return Config(rules, granted, entries, written[1] if written else None, edited,
                  commit if from_commit else None, signers, shadow, owners)
