"""The hooks as pre-commit runs them: real pre-commit, real git, this checkout as the hooks repo.

pre-commit builds a virtualenv and pip-installs the checkout for every hooks repo
and rev it has not seen. try-repo always builds into a throw-away store, so each
try-repo run here costs one build; the installed hooks share one store for the
whole session (PRE_COMMIT_HOME) and so one build.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from findings_gate.cli import main
from tests.conftest import Repo

CHECKOUT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which('pre-commit', path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None,
    reason=f'no pre-commit next to {sys.executable} (pip install findings-gate[test])',
)

# a 20-line module; the change edits line 5 and line 18
BASE = '''\
import sqlite3


def find_user(db, name):
    query = 'SELECT * FROM users WHERE name = ?'
    return db.execute(query, (name,)).fetchone()


def count_users(db):
    return db.execute('SELECT count(*) FROM users').fetchone()[0]


def list_users(db):
    rows = db.execute('SELECT name FROM users ORDER BY name').fetchall()
    names = [row[0] for row in rows]
    if not names:
        return []
    return names[:100]


'''
LINE_5 = '''    query = f"SELECT * FROM users WHERE name = '{name}'"'''
LINE_18 = '    return names[:1000]'
REPORT = {
    'version': 1,
    'reviewer': {'name': 'review-bot', 'kind': 'llm'},
    'findings': [
        {'title': 'SQL query built from user input', 'severity': 'high',
         'category': 'security', 'location': {'path': 'app.py', 'start_line': 5}},
        {'title': 'the limit grew tenfold', 'severity': 'low',
         'location': {'path': 'app.py', 'start_line': 18}},
    ],
}


def edited(*, line_5: bool, line_18: bool) -> str:
    lines = BASE.splitlines()
    assert len(lines) == 20 and 'query' in lines[4] and 'names[:100]' in lines[17]
    if line_5:
        lines[4] = LINE_5
    if line_18:
        lines[17] = LINE_18
    return '\n'.join(lines) + '\n'


class HookResult(NamedTuple):
    status: str  # Passed, Failed, Skipped
    exit_code: int
    output: str  # what the hook printed


def hook_results(output: str) -> dict[str, HookResult]:
    """pre-commit's `--verbose` output, hook by hook, by hook id."""
    heads = list(re.finditer(r'^.+?\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$',
                             output, re.MULTILINE))
    results = {}
    for head, following in zip(heads, [*heads[1:], None]):
        section = output[head.end():following.start() if following else len(output)]
        hook_id = re.search(r'^- hook id: (\S+)$', section, re.MULTILINE)
        assert hook_id, f'no hook id after {head.group()!r} in:\n{output}'
        code = re.search(r'^- exit code: (\d+)$', section, re.MULTILINE)
        body = re.sub(r'\A(?:\n?- [a-z ]+: .*)+\n', '', section).strip('\n')
        results[hook_id.group(1)] = HookResult(head.group(1), int(code.group(1)) if code else 0,
                                               body)
    return results


def run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command with its standard error folded into its output, as a person sees it."""
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, stdin=subprocess.DEVNULL, timeout=600,
    )


def pre_commit(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PRE_COMMIT is not None
    return run(PRE_COMMIT, *args, cwd=cwd)


def finding_lines(output: str, where: str) -> list[str]:
    """The gate's lines for the finding at `where` (`path:line`)."""
    return [line for line in output.splitlines() if line.startswith(f'{where}: ')]


@pytest.fixture(scope='session')
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit store for the session: the hook environment is built once per rev."""
    return tmp_path_factory.mktemp('pre-commit-home')


@pytest.fixture(autouse=True)
def pre_commit_env(pre_commit_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PRE_COMMIT_HOME', str(pre_commit_home))
    for name in ('SKIP', 'PRE_COMMIT_ALLOW_NO_CONFIG'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope='session')
def hooks_rev() -> str:
    """The commit of this checkout that `repo:`/`rev:` configurations install."""
    if not (CHECKOUT / '.git').exists():
        pytest.fail(f'{CHECKOUT} is not a git checkout: these tests install the hooks from one')
    rev = subprocess.run(('git', '-C', str(CHECKOUT), 'rev-parse', 'HEAD'),
                         check=True, capture_output=True, text=True).stdout.strip()
    pending = subprocess.run(
        ('git', '-C', str(CHECKOUT), 'status', '--porcelain', '--',
         'hooks', 'schemas', 'pyproject.toml', '.pre-commit-hooks.yaml'),
        check=True, capture_output=True, text=True,
    ).stdout
    if pending:
        warnings.warn(
            f'the installed hooks are built from {rev[:12]} (HEAD), without these uncommitted '
            f'changes (try-repo takes tracked changes only):\n{pending}', stacklevel=1,
        )
    return rev


def write_config(repo_root: Path, rev: str) -> None:
    hooks = ''.join(f'  - id: {hook}\n    verbose: true\n'
                    for hook in ('findings-gate', 'findings-gate-push'))
    (repo_root / '.pre-commit-config.yaml').write_text(
        f'repos:\n- repo: {json.dumps(str(CHECKOUT))}\n  rev: {rev}\n  hooks:\n{hooks}',
    )


def test_manifest_is_valid() -> None:
    result = pre_commit('validate-manifest', CHECKOUT / '.pre-commit-hooks.yaml', cwd=CHECKOUT)
    assert (result.returncode, result.stdout) == (0, '')


def test_try_repo_blocks_a_high_finding_on_the_staged_change_until_the_line_is_fixed(
        repo: Repo) -> None:
    repo.write('app.py', BASE)
    repo.commit('base')
    repo.write('app.py', edited(line_5=True, line_18=True))
    repo.write('.reviews/review.json', json.dumps(REPORT, indent=2))
    repo.git('add', '-A')

    blocked = pre_commit('try-repo', CHECKOUT, 'findings-gate', '--verbose', cwd=repo.root)
    assert blocked.returncode == 1, blocked.stdout
    gate = hook_results(blocked.stdout)['findings-gate']
    assert (gate.status, gate.exit_code) == ('Failed', 1), blocked.stdout
    assert finding_lines(gate.output, 'app.py:5') == [
        'app.py:5: BLOCK block-severe-on-change: SQL query built from user input [review-bot]',
    ]
    assert finding_lines(gate.output, 'app.py:18') == [
        'app.py:18: WARN warn-in-changed-files: the limit grew tenfold [review-bot]',
    ]
    assert gate.output.endswith('on staged changes')

    repo.write('app.py', edited(line_5=False, line_18=True))
    repo.git('add', 'app.py')
    # no --verbose: the hook's own `verbose: true` shows a passing run's warnings
    passed = pre_commit('try-repo', CHECKOUT, 'findings-gate', cwd=repo.root)
    assert passed.returncode == 0, passed.stdout
    gate = hook_results(passed.stdout)['findings-gate']
    assert (gate.status, gate.exit_code) == ('Passed', 0), passed.stdout
    # the finding is still shown, on a line the change no longer touches
    assert finding_lines(gate.output, 'app.py:5') == [
        'app.py:5: WARN warn-in-changed-files: SQL query built from user input [review-bot]',
    ]
    assert 'findings-gate: passed with warnings: 0 block, 2 warn' in gate.output


def test_installed_pre_commit_hook_refuses_the_commit_until_the_line_is_fixed(
        repo: Repo, hooks_rev: str) -> None:
    repo.write('app.py', BASE)
    write_config(repo.root, hooks_rev)
    base = repo.commit('base')
    installed = pre_commit('install', cwd=repo.root)
    assert installed.returncode == 0, installed.stdout

    repo.write('app.py', edited(line_5=True, line_18=True))
    repo.write('.reviews/review.json', json.dumps(REPORT, indent=2))
    repo.git('add', '-A')
    refused = run('git', 'commit', '-m', 'list more users', cwd=repo.root)
    assert refused.returncode == 1, refused.stdout
    assert finding_lines(refused.stdout, 'app.py:5') == [
        'app.py:5: BLOCK block-severe-on-change: SQL query built from user input [review-bot]',
    ]
    assert repo.git('rev-parse', 'HEAD').strip() == base

    # fixed in the work tree only: the gate judges what would be committed
    repo.write('app.py', edited(line_5=False, line_18=True))
    refused = run('git', 'commit', '-m', 'list more users', cwd=repo.root)
    assert refused.returncode == 1, refused.stdout
    assert 'app.py:5: BLOCK' in refused.stdout
    assert (repo.root / 'app.py').read_text() == edited(line_5=False, line_18=True)

    repo.git('add', 'app.py')
    committed = run('git', 'commit', '-m', 'list more users', cwd=repo.root)
    assert committed.returncode == 0, committed.stdout
    assert finding_lines(committed.stdout, 'app.py:5') == [
        'app.py:5: WARN warn-in-changed-files: SQL query built from user input [review-bot]',
    ]
    assert repo.git('rev-parse', 'HEAD~1').strip() == base
    assert repo.git('show', 'HEAD:app.py') == edited(line_5=False, line_18=True)


def test_installed_pre_push_hook_refuses_the_push_until_a_later_commit_fixes_it(
        repo: Repo, hooks_rev: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / 'remote.git'
    run('git', 'init', '-q', '--bare', '-b', 'main', remote, cwd=tmp_path).check_returncode()
    repo.write('app.py', BASE)
    write_config(repo.root, hooks_rev)
    base = repo.commit('base')
    repo.git('remote', 'add', 'origin', str(remote))
    installed = pre_commit('install', '--hook-type', 'pre-push', cwd=repo.root)
    assert installed.returncode == 0, installed.stdout

    # a first push: the whole history is new, and nothing is reported on it
    first = run('git', 'push', '-q', 'origin', 'main', cwd=repo.root)
    assert first.returncode == 0, first.stdout
    assert (f'findings-gate: passed: 0 block, 0 warn, 1 note; 0 findings from 0 reports '
            f'on everything up to {base[:12]}') in first.stdout

    repo.write('app.py', edited(line_5=True, line_18=True))
    bad = repo.commit('list more users')
    report = tmp_path / 'review.json'
    report.write_text(json.dumps(REPORT))
    monkeypatch.chdir(repo.root)
    assert main(['attach', '--commit', 'HEAD', str(report)]) == 0

    refused = run('git', 'push', 'origin', 'main', cwd=repo.root)
    assert refused.returncode != 0, refused.stdout
    assert finding_lines(refused.stdout, 'app.py:5') == [
        'app.py:5: BLOCK block-severe-on-change: SQL query built from user input [review-bot]',
    ]
    assert f'on {base[:12]}...{bad[:12]}' in refused.stdout
    assert run('git', 'rev-parse', 'main', cwd=remote).stdout.strip() == base

    # the fix is a new commit; the pushed range nets the line back to what the remote has, and the
    # review, of the commit before it, speaks of a line rewritten since (stale: warn)
    repo.write('app.py', edited(line_5=False, line_18=True))
    fixed = repo.commit('keep the query parameterised')
    pushed = run('git', 'push', 'origin', 'main', cwd=repo.root)
    assert pushed.returncode == 0, pushed.stdout
    assert finding_lines(pushed.stdout, 'app.py:5') == [
        'app.py:5: WARN stale: SQL query built from user input [review-bot]',
    ]
    assert run('git', 'rev-parse', 'main', cwd=remote).stdout.strip() == fixed

    # CI runs the same hook on a range it names
    for head, code, label in ((bad, 1, 'BLOCK'), (fixed, 0, 'WARN')):
        ci = pre_commit('run', 'findings-gate-push', '--hook-stage', 'pre-push',
                        '--from-ref', base, '--to-ref', head, cwd=repo.root)
        assert ci.returncode == code, ci.stdout
        gate = hook_results(ci.stdout)['findings-gate-push']
        assert gate.exit_code == code, ci.stdout
        assert finding_lines(gate.output, 'app.py:5')[0].startswith(f'app.py:5: {label} ')


def test_installed_pre_push_hook_refuses_a_push_of_two_branches_and_names_notes_not_pushed(
        repo: Repo, hooks_rev: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / 'remote.git'
    run('git', 'init', '-q', '--bare', '-b', 'main', remote, cwd=tmp_path).check_returncode()
    repo.write('app.py', BASE)
    write_config(repo.root, hooks_rev)
    repo.commit('base')
    repo.git('remote', 'add', 'origin', str(remote))
    assert pre_commit('install', '--hook-type', 'pre-push', cwd=repo.root).returncode == 0
    assert run('git', 'push', '-q', 'origin', 'main', cwd=repo.root).returncode == 0
    repo.git('checkout', '-q', '-b', 'good')
    repo.write('app.py', edited(line_5=False, line_18=True))
    repo.commit('a longer list')
    repo.git('checkout', '-q', '-b', 'bad', 'main')
    repo.write('app.py', edited(line_5=True, line_18=False))
    bad = repo.commit('build the query by hand')
    report = tmp_path / 'review.json'
    report.write_text(json.dumps({**REPORT, 'findings': REPORT['findings'][:1]}))
    monkeypatch.chdir(repo.root)
    assert main(['attach', str(report)]) == 0

    # pre-commit passes its hook only the first ref, `good`: the push of both is refused
    refused = run('git', 'push', 'origin', 'good', 'bad', cwd=repo.root)
    assert refused.returncode != 0, refused.stdout
    assert ('findings-gate: error: this push names 2 refs (good, bad) and pre-commit passes this hook only the '
            'first ref of a push (pre-commit/pre-commit#1908): nothing was pushed; push them one at a time '
            '(git push origin good)') in refused.stdout
    assert run('git', 'for-each-ref', '--format=%(refname)', cwd=remote).stdout == 'refs/heads/main\n'

    refused = run('git', 'push', 'origin', 'bad', cwd=repo.root)
    assert refused.returncode != 0, refused.stdout
    assert finding_lines(refused.stdout, 'app.py:5')[0].startswith('app.py:5: BLOCK ')
    pushed = run('git', 'push', 'origin', 'good', cwd=repo.root)
    assert pushed.returncode == 0, pushed.stdout
    assert 'review notes' not in pushed.stdout  # good has none
    repo.git('checkout', '-q', 'good')
    repo.write('app.py', edited(line_5=False, line_18=True) + '# more\n')
    repo.commit('one more')
    assert main(['attach', str(report)]) == 0  # a finding on a line this commit leaves as it is
    pushed = run('git', 'push', 'origin', 'good', cwd=repo.root)
    assert pushed.returncode == 0, pushed.stdout
    assert ('findings-gate: warning: 1 pushed commit has review notes in refs/notes/reviews that origin does '
            'not') in pushed.stdout
    assert bad  # never pushed


def stage_reports_and_policy(repo: Repo, *, bad: bool) -> None:
    repo.write('app.py', BASE)
    repo.commit('base')
    good = {**REPORT, 'findings': REPORT['findings'][1:]}
    other = {**REPORT, 'findings': [{**REPORT['findings'][0],
                                     'severity': 'urgent' if bad else 'medium'}]}
    repo.write('.reviews/good.json', json.dumps(good))
    repo.write('.reviews/other.yaml', yaml.safe_dump(other))
    # prose reviews are reports too: the gate reads them, so the hook validates them
    repo.write('.reviews/notes.txt', 'Thanks, will look tomorrow.\n' if bad else
               '1. **CWE-89: SQL Injection** (severity: high) - `find_user()` in `app.py` line 5 builds the '
               'query from the input.\n')
    repo.write('.findings-gate.yaml', 'version: 1\nblock_on: high\n' if bad else 'version: 1\n')
    repo.git('add', '-A')


def test_try_repo_validate_and_policy_hooks_reject_an_invalid_report_and_an_unknown_key(
        repo: Repo) -> None:
    stage_reports_and_policy(repo, bad=True)
    # no hook id: every hook of the manifest for the pre-commit stage
    result = pre_commit('try-repo', CHECKOUT, '--verbose', cwd=repo.root)
    assert result.returncode == 1, result.stdout
    hooks = hook_results(result.stdout)
    assert set(hooks) == {'findings-gate', 'findings-gate-validate', 'findings-gate-policy'}

    validate = hooks['findings-gate-validate']
    assert (validate.status, validate.exit_code) == ('Failed', 1), result.stdout
    assert sorted(validate.output.splitlines()) == [
        '.reviews/good.json: valid, 1 finding(s)',
        '.reviews/notes.txt: not JSON or YAML of a known format (native, sarif, rdjson, rdjsonl, codeclimate), '
        'and read as a prose review it states no finding, no advice and no verdict; write it as a native '
        "report, or say 'no defects found'",
        ".reviews/other.yaml::$.findings[0].severity: 'urgent' is not one of "
        "['critical', 'high', 'medium', 'low', 'info']",
    ]

    policy = hooks['findings-gate-policy']
    assert (policy.status, policy.exit_code) == ('Failed', 1), result.stdout
    assert policy.output.splitlines() == [
        ".findings-gate.yaml::$: Additional properties are not allowed ('block_on' was unexpected)",
    ]

    # the gate itself will not judge a change under a policy it cannot read
    gate = hooks['findings-gate']
    assert (gate.status, gate.exit_code) == ('Failed', 2), result.stdout
    assert gate.output.startswith('findings-gate: error: .findings-gate.yaml::$: ')


def test_try_repo_validate_and_policy_hooks_pass_valid_files(repo: Repo) -> None:
    stage_reports_and_policy(repo, bad=False)
    result = pre_commit('try-repo', CHECKOUT, '--verbose', cwd=repo.root)
    assert result.returncode == 0, result.stdout
    hooks = hook_results(result.stdout)
    assert {k: (h.status, h.exit_code) for k, h in hooks.items()} == {
        'findings-gate': ('Passed', 0),
        'findings-gate-validate': ('Passed', 0),
        'findings-gate-policy': ('Passed', 0),
    }
    assert sorted(hooks['findings-gate-validate'].output.splitlines()) == [
        '.reviews/good.json: valid, 1 finding(s)',
        '.reviews/notes.txt: valid, 1 finding(s)',
        '.reviews/other.yaml: valid, 1 finding(s)',
    ]
    assert hooks['findings-gate-policy'].output == '.findings-gate.yaml: valid policy'
