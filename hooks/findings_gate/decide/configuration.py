"""What the maintainers configured, from the work tree or from the change's base commit.

The policy, the waivers and the baseline; and which of them the change edits,
so that a change cannot loosen its own gate unseen (`--trusted-config base`).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from findings_gate.decide import baseline
from findings_gate import git
from findings_gate.decide import policy
from findings_gate.decide import waivers
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
    signers: tuple[str | None, str] | None = None  # (allowed signers or None when missing, where); None: none named


def read(repo: Repo | None, root: Path | None, base: str | None, change: Change,
         policy_file: str | None, trusted: str) -> Config:
    """The configuration from the work tree, or (`trusted` base) from the change's base commit.

    With no base commit (a new history, a first commit) the base has no
    configuration: the default policy applies, with no waivers and no baseline.
    """
    if root is None or repo is None:
        return Config(policy.load(policy_file, None))
    base_files = functools.cache(lambda: git.tracked_files(repo, base) if base else frozenset())

    def exists(path: str) -> bool:
        return path in base_files() if trusted == 'base' else (root / path).is_file()

    def fetch(path: str, what: str) -> tuple[str, str] | None:
        """(text, origin) of a repository-relative file, None when there is none."""
        if not exists(path):
            return None
        if trusted == 'base':
            assert base is not None
            origin = f'{base[:12]}:{path}'
            try:
                return git.blob(repo, base, path).decode('utf-8'), origin
            except UnicodeDecodeError:
                raise GateError(f'{origin}: cannot read {what}: not UTF-8 text') from None
        return policy.read(str(root / path), what), display(root / path)

    if policy_file is not None:
        rules = policy.load(policy_file, None)
    else:
        name = policy.find(exists)
        written = fetch(name, 'the policy') if name else None
        rules = policy.parse(*written) if written else policy.parse(policy.DEFAULT, 'the default policy')
    written = fetch(rules.waivers, 'the waivers')
    granted = waivers.parse(*written) if written else ()
    written = fetch(rules.baseline, 'the baseline')
    entries = baseline.parse(*written) if written else None
    signers = None
    if rules.signers is not None:
        written_signers = fetch(rules.signers, 'the allowed signers')
        signers = written_signers or (None, rules.signers)
    config_files = {*policy.FILENAMES, rules.waivers, rules.baseline, *filter(None, [rules.signers])}
    applies = ("the base commit's copy applies (--trusted-config base)" if trusted == 'base' else
               "the edited copy applies; in CI the base commit's does (--trusted-config base)")
    edited = tuple(
        Condition('config_changed', f.path, rules.config_changed,
                  f"the change edits the gate's configuration; {applies}")
        for f in change.files if config_files & {f.path, f.old_path}
    )
    return Config(rules, granted, entries, written[1] if written else None, edited, signers)
