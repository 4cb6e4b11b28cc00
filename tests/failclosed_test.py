"""Fail closed: every way the gate can fail, through the real console script, with its exit code
and its one line.

2: the gate could not run as asked (`findings-gate: error: ...` on stderr, one line naming
what, where and what to do); 1: the policy blocks (an invalid or truncated report is a
condition the policy decides, listed on stdout); 3: a bug (a traceback, then one line).
Never 0 for a failure: a warning is the only failure that passes, and only because the
default policy says `incomplete_report: warn`.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import Repo

SCRIPT = Path(sys.executable).parent / 'findings-gate'
REPORT = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
          'findings': [{'title': 'a finding', 'severity': 'high', 'location': {'path': 'app.py', 'start_line': 1}}]}
BUG = ('import findings_gate.place.placement\n'
       'def place(*args, **kwargs):\n'
       '    raise RuntimeError("planted bug")\n'
       'findings_gate.place.placement.place = place\n')


class Failure(NamedTuple):
    name: str
    prepare: Callable[[Repo, Path], dict[str, str]]  # makes the failure; returns environment changes
    args: tuple[str, ...]
    code: int
    stream: str  # where the line is: stdout or stderr
    line: str  # the one line, `{root}` and `{tmp}` filled in


def _report(repo: Repo, text: str | bytes, name: str = '.reviews/r.json') -> Path:
    return repo.write(name, text)


def _nothing(repo: Repo, tmp: Path) -> dict[str, str]:
    return {}


def _no_git(repo: Repo, tmp: Path) -> dict[str, str]:
    empty = tmp / 'no-git'
    empty.mkdir()
    return {'PATH': str(empty)}


def _not_a_repository(repo: Repo, tmp: Path) -> dict[str, str]:
    shutil.rmtree(repo.root / '.git')
    return {}


def _invalid_policy(repo: Repo, tmp: Path) -> dict[str, str]:
    repo.write('.findings-gate.yaml', 'version: 1\nrules:\n  - {name: x, action: block, severity: hgh}\n')
    return {}


def _unreadable_report(repo: Repo, tmp: Path) -> dict[str, str]:
    path = _report(repo, json.dumps(REPORT))
    path.chmod(0)
    return {}


def _report_that_is_gone(repo: Repo, tmp: Path) -> dict[str, str]:
    (repo.root / '.reviews').mkdir()
    os.symlink('gone.json', repo.root / '.reviews' / 'r.json')  # a dangling link, named on purpose
    return {}


def _invalid_report(repo: Repo, tmp: Path) -> dict[str, str]:
    _report(repo, json.dumps({**REPORT, 'reviewer': {'name': 'bot', 'kind': 'robot'}}))
    return {}


def _truncated_review(repo: Repo, tmp: Path) -> dict[str, str]:
    _report(repo, json.dumps({**REPORT, 'complete': False, 'findings': []}))
    return {}


def _cut_off_json(repo: Repo, tmp: Path) -> dict[str, str]:
    _report(repo, json.dumps(REPORT)[:60])
    return {}


def _internal_error(repo: Repo, tmp: Path) -> dict[str, str]:
    (tmp / 'sitecustomize.py').write_text(BUG)
    _report(repo, json.dumps(REPORT))
    return {'PYTHONPATH': str(tmp)}


def _bad_limit(repo: Repo, tmp: Path) -> dict[str, str]:
    _report(repo, json.dumps(REPORT))
    return {'FINDINGS_GATE_MAX_REPORT_BYTES': 'lots'}


def _malformed_diff(repo: Repo, tmp: Path) -> dict[str, str]:
    (tmp / 'bad.patch').write_text('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n')
    return {}


FAILURES = [
    Failure('git missing', _no_git, ('check',), 2, 'stderr',
            'findings-gate: error: git is not installed or not on PATH; install git, or pass --diff-file'),
    Failure('not a repository', _not_a_repository, ('check',), 2, 'stderr',
            'findings-gate: error: {root}: not a git repository; run inside one, or pass --diff-file'),
    Failure('unknown ref', _nothing, ('check', '--base', 'no-such-branch'), 2, 'stderr',
            "findings-gate: error: 'no-such-branch': unknown revision; fetch it or check the name"),
    Failure('invalid policy', _invalid_policy, ('check',), 2, 'stderr',
            "findings-gate: error: .findings-gate.yaml::$.rules[0].severity: 'hgh' is not one of "
            "['critical', 'high', 'medium', 'low', 'info']"),
    Failure('missing policy', _nothing, ('check', '--policy', 'nope.yaml'), 2, 'stderr',
            'findings-gate: error: nope.yaml: cannot read the policy: No such file or directory'),
    Failure('unreadable report', _unreadable_report, ('check',), 2, 'stderr',
            'findings-gate: error: .reviews/r.json: cannot read the report: Permission denied'),
    Failure('report that is gone', _report_that_is_gone, ('check', '--report', '.reviews/r.json'), 2, 'stderr',
            'findings-gate: error: .reviews/r.json: cannot read the report: No such file or directory'),
    Failure('no report matches', _nothing, ('check', '--report', 'reviews/*.json'), 2, 'stderr',
            "findings-gate: error: --report 'reviews/*.json': no report file matches; check the path"),
    Failure('invalid report', _invalid_report, ('check',), 1, 'stdout',
            "  .reviews/r.json::$.reviewer.kind: 'robot' is not one of ['human', 'llm', 'tool']"),
    Failure('truncated review (complete: false)', _truncated_review, ('check',), 0, 'stdout',
            ".reviews/r.json: WARN incomplete_report: bot's review was cut off (complete: false)"),
    Failure('truncated report (cut-off JSON)', _cut_off_json, ('check',), 1, 'stdout',
            '  .reviews/r.json:1:60: not valid JSON: Unterminated string starting at; fix the syntax'),
    Failure('report size limit not a number', _bad_limit, ('check',), 2, 'stderr',
            'findings-gate: error: FINDINGS_GATE_MAX_REPORT_BYTES=lots: not a number of bytes; give a whole '
            'number (the default is 52428800) or unset it'),
    Failure('malformed diff', _malformed_diff, ('check', '--diff-file', '{tmp}/bad.patch'), 2, 'stderr',
            "findings-gate: error: {tmp}/bad.patch:line 4: hunk '@@ -1,2 +1,2 @@' is cut short by the end of "
            'the diff, 1 old and 2 new lines missing; pass a unified diff (git diff)'),
    Failure('internal error', _internal_error, ('check',), 3, 'stderr',
            'findings-gate: internal error (exit 3); please report it with the traceback above'),
]


@pytest.mark.parametrize('failure', FAILURES, ids=lambda f: f.name)
def test_each_failure_exits_with_its_code_and_one_line(failure: Failure, repo: Repo, tmp_path: Path) -> None:
    if failure.prepare is _unreadable_report and os.geteuid() == 0:
        pytest.skip('root reads a file whatever its mode')
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 2\n')
    repo.git('add', 'app.py')
    env = {**os.environ, **failure.prepare(repo, tmp_path)}
    args = [a.format(tmp=tmp_path) for a in failure.args]
    result = subprocess.run((str(SCRIPT), *args), cwd=repo.root, capture_output=True, text=True, env=env)
    line = failure.line.format(root=repo.root, tmp=tmp_path)
    out, err = result.stdout, result.stderr
    assert result.returncode == failure.code, (out, err)
    if failure.code == 3:
        assert err.startswith('Traceback') and "RuntimeError: planted bug" in err
        assert err.splitlines()[-1] == line
        return
    if failure.stream == 'stderr':
        assert (out, err) == ('', line + '\n')
    else:
        assert err == ''
        assert line in out.splitlines(), out


def test_the_table_covers_every_exit_code() -> None:
    assert {f.code for f in FAILURES} == {0, 1, 2, 3}


def test_a_file_that_cannot_be_read_is_skipped_only_as_root(tmp_path: Path) -> None:
    # the unreadable-report row needs a reader the mode stops; root is not one
    path = tmp_path / 'x'
    path.write_text('x')
    path.chmod(0)
    readable = os.access(path, os.R_OK)
    assert readable == (os.geteuid() == 0)
    path.chmod(stat.S_IRUSR)
