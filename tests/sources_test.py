"""Where reports come from: every file a location names is read, in every mode, and nothing
that is not a file is read at all.

A prose review (`.reviews/review.md`, `.reviews/notes.txt`) in the default
location, or under a policy glob like `.reviews/*.md`, is read at pre-commit, at
pre-push and in CI alike; an empty `.gitkeep` is the one file a location skips.
A named pipe or a device named as a report is refused at once (exit 2), not read
forever; a report size limit that is not a number is exit 2 whether or not any
report is found.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from findings_gate.cli import main
from tests.conftest import Repo

SCRIPT = Path(sys.executable).parent / 'findings-gate'
ROOT = Path(__file__).parent.parent
PROSE = '''\
# Security review of app.py

1. **CWE-89: SQL Injection** (severity: critical) - `find_user()` in `app.py` line 2 builds the
   query from the user's input.
'''


@pytest.fixture
def change(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main, and branch `topic` that edits app.py (committed, and staged again for pre-commit)."""
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'def find_user(db, name):\n    return db.execute("SELECT 1")\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('app.py', 'def find_user(db, name):\n    return db.execute(f"SELECT {name}")\n')
    return repo


def _gitlab(monkeypatch: pytest.MonkeyPatch, repo: Repo) -> None:
    """GitLab CI's variables for a merge request pipeline on `topic`, and the target branch fetched."""
    repo.git('update-ref', 'refs/remotes/origin/main', 'main')
    for name, value in {'GITLAB_CI': 'true', 'CI': 'true', 'CI_PIPELINE_SOURCE': 'merge_request_event',
                        'CI_COMMIT_SHA': repo.git('rev-parse', 'HEAD').strip(),
                        'CI_MERGE_REQUEST_DIFF_BASE_SHA': repo.git('rev-parse', 'main').strip(),
                        'CI_MERGE_REQUEST_TARGET_BRANCH_NAME': 'main'}.items():
        monkeypatch.setenv(name, value)


def _github(monkeypatch: pytest.MonkeyPatch, repo: Repo, tmp_path: Path) -> None:
    """GitHub Actions' variables and event payload for a pull request from `topic`."""
    base, head = repo.git('rev-parse', 'main').strip(), repo.git('rev-parse', 'HEAD').strip()
    event = tmp_path / 'event.json'
    event.write_text(json.dumps({'pull_request': {'base': {'sha': base, 'ref': 'main'},
                                                  'head': {'sha': head, 'ref': 'topic'}}}))
    for name, value in {'GITHUB_ACTIONS': 'true', 'CI': 'true', 'GITHUB_EVENT_NAME': 'pull_request',
                        'GITHUB_EVENT_PATH': str(event), 'GITHUB_SHA': head, 'GITHUB_BASE_REF': 'main',
                        'GITHUB_HEAD_REF': 'topic', 'GITHUB_WORKSPACE': str(repo.root),
                        'GITHUB_STEP_SUMMARY': str(tmp_path / 'summary.md')}.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize('name', ['.reviews/review.md', '.reviews/notes.txt', '.reviews/deep/REVIEW'])
def test_a_prose_review_in_the_default_location_is_read_at_pre_commit(
        name: str, change: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    change.write(name, PROSE)
    change.git('add', '-A')
    assert main(['check']) == 1
    out = capsys.readouterr().out
    assert 'app.py:2: BLOCK block-severe-on-change: SQL Injection in find_user [' in out


@pytest.mark.parametrize('ci', ['gitlab', 'github'])
@pytest.mark.parametrize('policy', [None, 'version: 1\nreports: [".reviews/*.md"]\n'
                                          'rules: [{name: block-severe-on-change, severity: high, action: block}]\n'])
def test_a_prose_review_is_read_in_ci_as_at_pre_commit(ci: str, policy: str | None, change: Repo,
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    if policy is not None:  # the base commit's policy names the reports by a glob
        change.git('checkout', '-q', 'main')  # app.py's edit stays in the work tree
        change.write('.findings-gate.yaml', policy)
        change.git('add', '.findings-gate.yaml')
        change.git('commit', '-q', '-m', 'policy')
        change.git('checkout', '-q', 'topic')
        change.git('reset', '-q', 'main')  # topic starts from main's tip; the edit still to commit
    change.write('.reviews/review.md', PROSE)
    change.commit('the change and its review')
    _gitlab(monkeypatch, change) if ci == 'gitlab' else _github(monkeypatch, change, tmp_path)
    assert main(['check', '--ci', '--format', 'text']) == 1
    out = capsys.readouterr().out
    assert 'app.py:2: BLOCK block-severe-on-change: SQL Injection in find_user [' in out
    assert re.search(r'from 1 report on [0-9a-f]{12}\.\.\.[0-9a-f]{12}\b', out.splitlines()[-1])


def test_a_pre_push_range_reads_the_prose_review(change: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    change.write('.reviews/review.md', PROSE)
    change.commit('the change and its review')
    assert main(['check', '--from-ref', 'main', '--to-ref', 'topic']) == 1
    assert 'SQL Injection in find_user' in capsys.readouterr().out


def test_an_empty_gitkeep_is_skipped_and_any_other_file_is_read(change: Repo,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    change.write('.reviews/.gitkeep', '')
    change.write('.reviews/README', 'Reviews of this repository go here.\n')
    change.git('add', '-A')
    assert main(['check']) == 1
    out = capsys.readouterr().out
    assert '.reviews/README: BLOCK invalid_report: not a valid report (1 problem)' in out
    assert '.gitkeep' not in out
    change.commit('reviews')
    assert main(['check', '--base', 'main']) == 1
    out = capsys.readouterr().out
    assert ':.reviews/README: BLOCK invalid_report' in out and '.gitkeep' not in out


def test_a_named_pipe_as_a_report_is_refused_not_read_forever(change: Repo, tmp_path: Path) -> None:
    change.git('add', '-A')
    fifo = tmp_path / 'report.fifo'
    os.mkfifo(fifo)
    result = subprocess.run((str(SCRIPT), 'check', '--report', str(fifo)), cwd=change.root,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr == (f'findings-gate: error: {fifo}: a named pipe (FIFO), '
                             f'not a file; save the report to a file, or pipe it to --report -\n')


def test_a_named_pipe_in_the_report_location_is_refused(change: Repo) -> None:
    change.git('add', '-A')
    (change.root / '.reviews').mkdir()
    os.mkfifo(change.root / '.reviews' / 'review.json')
    for args in (('check',), ('validate', '.reviews/review.json')):
        result = subprocess.run((str(SCRIPT), *args), cwd=change.root, capture_output=True, text=True, timeout=60)
        assert (result.returncode, result.stdout) == (2, ''), args
        assert result.stderr == ('findings-gate: error: .reviews/review.json: a named pipe (FIFO), not a file; '
                                 'save the report to a file, or pipe it to --report -\n')


@pytest.mark.parametrize('value', ['abc', '\u00b2', '-5', '0'])
def test_a_size_limit_that_is_not_a_number_is_an_error_without_any_report(value: str, change: Repo) -> None:
    change.git('add', '-A')
    result = subprocess.run((str(SCRIPT), 'check'), cwd=change.root, capture_output=True, text=True,
                            env={**os.environ, 'FINDINGS_GATE_MAX_REPORT_BYTES': value})
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr == (f'findings-gate: error: FINDINGS_GATE_MAX_REPORT_BYTES={value}: not a number of '
                             f'bytes; give a whole number (the default is 52428800) or unset it\n')


def test_the_validate_hook_checks_every_file_under_reviews() -> None:
    [hook] = [h for h in yaml.safe_load((ROOT / '.pre-commit-hooks.yaml').read_text())
              if h['id'] == 'findings-gate-validate']
    checked = [name for name in ('.reviews/r.json', '.reviews/r.yaml', '.reviews/r.yml', '.reviews/review.md',
                                 '.reviews/notes.txt', '.reviews/deep/REVIEW', '.reviews/.gitkeep', 'docs/r.md')
               if re.search(hook['files'], name) and not re.search(hook.get('exclude', '^$'), name)]
    assert checked == ['.reviews/r.json', '.reviews/r.yaml', '.reviews/r.yml', '.reviews/review.md',
                       '.reviews/notes.txt', '.reviews/deep/REVIEW']
