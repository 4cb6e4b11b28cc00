"""Which CI the gate runs in, which change it is gating there, and what to write for it.

The change is named by two commits: the tip of the branch it merges into, whose
policy, waivers and baseline apply (a change cannot edit them), and its head;
the diff is from their merge base to the head. A push that creates a branch
merges into the default branch as far as the gate knows: it is gated against
that branch, with that branch's configuration.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from findings_gate.errors import GateError, shown

ZEROS = '0' * 40
_COMMIT = re.compile(r'[0-9a-f]{40}|[0-9a-f]{64}')


class Job(NamedTuple):
    """What `check --ci` writes in one CI: the format for the job log, the files its consumers read."""
    name: str
    stdout: str
    outputs: tuple[tuple[str, str], ...]  # (format, path)


class Commits(NamedTuple):
    """The change a CI names."""
    base: str | None  # the tip the change merges into; None: from the empty tree (a new history)
    head: str


def _payload(environ: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """(its path, the event) of GitHub's event payload, or a GateError saying why it cannot be used."""
    path = environ.get('GITHUB_EVENT_PATH')
    if not path:
        raise GateError('GITHUB_EVENT_PATH is not set, so there is no event payload to read; '
                        'pass --base and --head')
    try:
        with open(path, 'rb') as f:
            event = json.load(f)
    except OSError as e:
        raise GateError(f'{path}: cannot read the event payload (GITHUB_EVENT_PATH): {e.strerror}; '
                        f'pass --base and --head') from None
    except (ValueError, RecursionError) as e:  # not JSON, not UTF-8, nested past the recursion limit
        raise GateError(f'{path}: the event payload (GITHUB_EVENT_PATH) is not JSON: '
                        f'{shown(str(e) or type(e).__name__)}; pass --base and --head') from None
    if not isinstance(event, dict):
        raise GateError(f'{path}: the event payload (GITHUB_EVENT_PATH) is not a JSON object; '
                        f'pass --base and --head')
    return path, event


def _field(event: dict[str, Any], path: str, dotted: str, *, commit: bool = False) -> str | None:
    """The string at `dotted` in the event, None when there is none; a GateError when what is
    there is not a name (or a commit id)."""
    value: Any = event
    for key in dotted.split('.'):
        value = value.get(key) if isinstance(value, dict) else None
    if value is not None and (not isinstance(value, str) or not value
                              or (commit and not _COMMIT.fullmatch(value))):
        raise GateError(f'{path}::$.{dotted}: {shown(json.dumps(value), 80)} is not '
                        f'{"a commit id" if commit else "a name"}; pass --base and --head')
    return value


def _needed(event: dict[str, Any], path: str, dotted: str, *, commit: bool = False) -> str:
    value = _field(event, path, dotted, commit=commit)
    if value is None:
        raise GateError(f'{path}::$.{dotted}: missing from the event payload (GITHUB_EVENT_PATH); '
                        f'pass --base and --head')
    return value


def _new_branch(default: str | None, pushed: str | None) -> str | None:
    """What a push that creates a branch is gated against: the default branch, unless it is
    that branch (a new history: all of it, with the default policy)."""
    if default is None or pushed == default:
        return None
    return f'origin/{default}'


def _github(environ: Mapping[str, str]) -> Commits:
    path, event = _payload(environ)
    if 'pull_request' in event:  # pull_request, pull_request_target
        return Commits(_needed(event, path, 'pull_request.base.sha', commit=True),
                       _needed(event, path, 'pull_request.head.sha', commit=True))
    if 'merge_group' in event:
        return Commits(_needed(event, path, 'merge_group.base_sha', commit=True),
                       _needed(event, path, 'merge_group.head_sha', commit=True))
    after = _field(event, path, 'after', commit=True) or environ.get('GITHUB_SHA')
    if not after:
        raise GateError(f'{path}: the {environ.get("GITHUB_EVENT_NAME", "")} event names no commits '
                        f'(no `after`, no GITHUB_SHA); pass --base and --head')
    before = _field(event, path, 'before', commit=True)
    if before not in (None, ZEROS):
        return Commits(before, after)
    ref = _field(event, path, 'ref') or environ.get('GITHUB_REF', '')
    default = _needed(event, path, 'repository.default_branch')
    return Commits(_new_branch(default, ref.removeprefix('refs/heads/')), after)


def _gitlab(environ: Mapping[str, str]) -> Commits:
    head = environ.get('CI_COMMIT_SHA') or 'HEAD'
    # CI_MERGE_REQUEST_TARGET_BRANCH_SHA is set in merged results pipelines only
    target = environ.get('CI_MERGE_REQUEST_TARGET_BRANCH_SHA')
    name = environ.get('CI_MERGE_REQUEST_TARGET_BRANCH_NAME')
    if target or name:
        return Commits(target or f'origin/{name}', head)
    if environ.get('CI_MERGE_REQUEST_IID') or environ.get('CI_MERGE_REQUEST_DIFF_BASE_SHA'):
        raise GateError('a merge request pipeline without CI_MERGE_REQUEST_TARGET_BRANCH_NAME: the branch '
                        'it merges into is unknown; pass --base origin/<that branch>')
    before = environ.get('CI_COMMIT_BEFORE_SHA')
    if before and before != ZEROS:
        return Commits(before, head)
    return Commits(_new_branch(environ.get('CI_DEFAULT_BRANCH'), environ.get('CI_COMMIT_BRANCH')), head)


def _zuul(environ: Mapping[str, str]) -> Commits:
    return Commits(f'origin/{environ["ZUUL_BRANCH"]}', 'HEAD')


JOBS = {
    'github': (Job('GitHub Actions', 'github', (('sarif', 'findings-gate.sarif'),)), _github),
    'gitlab': (Job('GitLab CI', 'text', (('gitlab', 'gl-code-quality-report.json'),
                                         ('junit', 'findings-gate-junit.xml'))), _gitlab),
    'zuul': (Job('Zuul', 'text', (('zuul', 'findings-gate-zuul.json'),)), _zuul),
}


def _which(environ: Mapping[str, str]) -> str:
    if environ.get('GITHUB_ACTIONS') == 'true':
        return 'github'
    if environ.get('GITLAB_CI') == 'true':
        return 'gitlab'
    if environ.get('ZUUL_BRANCH'):  # set by the findings-gate Zuul role
        return 'zuul'
    raise GateError('--ci: no CI found (GITHUB_ACTIONS, GITLAB_CI or ZUUL_BRANCH is not set); '
                    'pass --base REF instead')


def detect(environ: Mapping[str, str]) -> Job:
    """The CI these environment variables come from, or a GateError naming what was looked for."""
    return JOBS[_which(environ)][0]


def commits(environ: Mapping[str, str]) -> Commits:
    """The change the CI names: read only when the command line names none."""
    return JOBS[_which(environ)][1](environ)
