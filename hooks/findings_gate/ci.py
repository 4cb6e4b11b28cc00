"""Which CI the gate runs in, which change it is gating there, and what to write for it."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import NamedTuple

from findings_gate.errors import GateError

ZEROS = '0' * 40


class Job(NamedTuple):
    """What `check --ci` does in one CI: the change and the outputs its consumers read."""
    name: str
    base: str | None  # None: from the empty tree (a new history)
    head: str
    stdout: str  # the format for the job log
    outputs: tuple[tuple[str, str], ...]  # (format, path)


def _github(environ: Mapping[str, str]) -> Job:
    path = environ.get('GITHUB_EVENT_PATH')
    try:
        with open(path or '', encoding='utf-8') as f:
            event = json.load(f)
    except (OSError, ValueError, RecursionError) as e:
        reason = 'nested too deeply' if isinstance(e, RecursionError) else e
        raise GateError(f'GITHUB_EVENT_PATH {path!r}: cannot read the event payload ({reason}); '
                        f'pass --base and --head') from None

    def sha(*keys: str) -> str | None:
        """The commit id at `keys` in the payload; None when a key is missing; a GateError when
        what is there is not an object or a commit id (a payload GitHub did not write)."""
        value: object = event
        for n, key in enumerate(keys):
            if not isinstance(value, dict):
                where = '.'.join(('$', *keys[:n]))
                raise GateError(f'GITHUB_EVENT_PATH {path}: {where}: not an object, so not an event '
                                f'GitHub wrote; pass --base and --head')
            value = value.get(key)
            if value is None:
                return None
        if not isinstance(value, str) or not value:
            raise GateError(f'GITHUB_EVENT_PATH {path}: {".".join(("$", *keys))}: {value!r} is not a commit id; '
                            f'pass --base and --head')
        return value

    outputs = (('sarif', 'findings-gate.sarif'),)
    for name, base, head in (('pull_request', ('base', 'sha'), ('head', 'sha')),  # and pull_request_target
                             ('merge_group', ('base_sha',), ('head_sha',))):
        base_sha, head_sha = sha(name, *base), sha(name, *head)
        if base_sha is None and head_sha is None:
            continue
        if base_sha is None or head_sha is None:
            raise GateError(f'GITHUB_EVENT_PATH {path}: $.{name} names no base or no head commit; '
                            f'pass --base and --head')
        return Job('GitHub Actions', base_sha, head_sha, 'github', outputs)
    before, after = sha('before'), sha('after') or environ.get('GITHUB_SHA')
    if not after:
        raise GateError(f'GITHUB_EVENT_PATH {path}: the {environ.get("GITHUB_EVENT_NAME", "")} event names '
                        f'no commits; pass --base and --head')
    return Job('GitHub Actions', None if before in (None, ZEROS) else before, after, 'github', outputs)


def _gitlab(environ: Mapping[str, str]) -> Job:
    head = environ.get('CI_COMMIT_SHA', 'HEAD')
    base = (environ.get('CI_MERGE_REQUEST_DIFF_BASE_SHA') or environ.get('CI_MERGE_REQUEST_TARGET_BRANCH_SHA')
            or environ.get('CI_COMMIT_BEFORE_SHA'))
    outputs = (('gitlab', 'gl-code-quality-report.json'), ('junit', 'findings-gate-junit.xml'))
    return Job('GitLab CI', None if base in (None, '', ZEROS) else base, head, 'text', outputs)


def _zuul(environ: Mapping[str, str]) -> Job:
    branch = environ['ZUUL_BRANCH']
    return Job('Zuul', f'origin/{branch}', 'HEAD', 'text', (('zuul', 'findings-gate-zuul.json'),))


def detect(environ: Mapping[str, str]) -> Job:
    """The CI these environment variables come from, or a GateError naming what was looked for."""
    if environ.get('GITHUB_ACTIONS') == 'true':
        return _github(environ)
    if environ.get('GITLAB_CI') == 'true':
        return _gitlab(environ)
    if environ.get('ZUUL_BRANCH'):  # set by the findings-gate Zuul role
        return _zuul(environ)
    raise GateError('--ci: no CI found (GITHUB_ACTIONS, GITLAB_CI or ZUUL_BRANCH is not set); '
                    'pass --base REF instead')
