"""`findings-gate review`: real reviewer programs, written here, run on real git changes."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from findings_gate.cli import main
from tests.conftest import Repo

NATIVE = '''
import json, re, sys
request = sys.stdin.read()
files = re.findall(r"^- (.+)$", request.split("\\n## Files\\n")[1].split("\\n## Diff\\n")[0], re.M)
with open(sys.argv[1], "a") as log:
    log.write(json.dumps({"files": files, "request": request}) + "\\n")
findings = [{"title": "command injection", "severity": "high", "message": None, "confidence": "high",
             "category": "security", "cwe": ["CWE-78"], "rule": None, "related": None, "suggestion": None,
             "fingerprint": None, "suppression": None,
             "location": {"path": "app.py", "start_line": 3, "end_line": None, "start_column": None,
                          "end_column": None, "symbol": "run", "side": "new"}}] if "app.py" in files else []
print(json.dumps({"version": 1, "reviewer": {"name": "review-bot", "kind": "llm", "model": "m-1", "version": None},
                  "complete": None, "verdict": "findings" if findings else "no-findings", "failures": None,
                  "notes": None, "findings": findings}))
'''
PROSE = '''
import sys
sys.stdin.read()
print("""Based on the provided code, here are the potential security defects:
1. CWE-78: OS Command Injection - The `run` function in `app.py` passes the user's input to
   os.system on line 3 without checking it, so an attacker can run any command. Severity: high""")
'''
FAILING = '''
import sys
sys.stdin.read()
print("partial answer")
print("error: model 'gpt-x' not found\\x1b[31m", file=sys.stderr)
sys.exit(1)
'''
HANGING = '''
import sys, time
print("thinking", file=sys.stderr, flush=True)
time.sleep(120)
'''
SILENT = '''
import sys
sys.stdin.read()
print("   ")
'''


@pytest.fixture
def change(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main: app.py; branch `topic`: a shell call in app.py, and a new file lib.py."""
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'import os\n\ndef run(cmd):\n    return 0\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('app.py', 'import os\n\ndef run(cmd):\n    return os.system(cmd)\n')
    repo.write('lib.py', 'def helper():\n    return 1\n')
    repo.commit('shell out')
    return repo


def reviewer(tmp_path: Path, name: str, source: str, *args: str) -> str:
    script = tmp_path / f'{name}.py'
    script.write_text(source)
    return shlex.join([sys.executable, str(script), *args])


def _sha(repo: Repo, ref: str) -> str:
    return repo.git('rev-parse', ref).strip()


def test_a_native_answer_is_bound_to_the_revision_and_files_attached_and_gated(
        change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / 'requests.jsonl'
    command = reviewer(tmp_path, 'native', NATIVE, str(log))
    assert main(['review', '--command', command]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['reviewer'] == {'name': 'review-bot', 'kind': 'llm', 'model': 'm-1'}  # its nulls dropped
    assert report['change'] == {'revision': _sha(change, 'HEAD'), 'base': _sha(change, 'main'),
                                'files': ['app.py', 'lib.py']}
    assert report['findings'] == [{'title': 'command injection', 'severity': 'high', 'confidence': 'high',
                                   'category': 'security', 'cwe': ['CWE-78'],
                                   'location': {'path': 'app.py', 'start_line': 3, 'symbol': 'run', 'side': 'new'}}]
    request = json.loads(log.read_text().splitlines()[0])['request']
    assert 'one JSON document and nothing else' in request and '"additionalProperties": false' in request
    assert '## Files\n\n- app.py\n- lib.py\n' in request
    assert '+    return os.system(cmd)\n' in request and ' def run(cmd):\n' in request  # with context

    assert main(['review', '--command', command, '--attach']) == 0
    assert capsys.readouterr().out.startswith(f'python3 output: attached to {_sha(change, "HEAD")[:12]}'
                                              .replace('python3', Path(sys.executable).name))
    note = json.loads(change.git('notes', '--ref=refs/notes/reviews', 'show', 'HEAD'))
    assert note['change']['revision'] == _sha(change, 'HEAD') and note['findings'][0]['cwe'] == ['CWE-78']

    assert main(['check', '--base', 'main']) == 1
    out = capsys.readouterr().out
    assert 'app.py:3: BLOCK' in out and '[review-bot]' in out


def test_a_prose_answer_is_read_as_the_seeds_are_and_named_by_the_options(
        change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command = reviewer(tmp_path, 'prose', PROSE)
    assert main(['review', '--command', command, '--base', 'main', '--name', 'llama', '--output', 'r.json']) == 0
    assert capsys.readouterr().out == ''
    report = json.loads(Path('r.json').read_text())
    assert report['reviewer'] == {'name': 'llama', 'kind': 'llm'}
    assert report['change']['files'] == ['app.py', 'lib.py']
    [finding] = report['findings']
    assert finding['cwe'] == ['CWE-78'] and finding['severity'] == 'high'
    assert finding['location']['path'] == 'app.py' and finding['location']['start_line'] == 3


SEEDS = Path(__file__).parent.parent.parent / 'shared' / 'fixtures' / 'seeds'


@pytest.mark.skipif(not SEEDS.is_dir(), reason='no seeds beside the checkout')
def test_a_seed_as_the_answer_reads_as_import_reads_it_and_is_bound(
        change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEEDS / 'seed-000.txt'
    cat = 'import shutil, sys; sys.stdin.read(); shutil.copyfileobj(open(sys.argv[1], "rb"), sys.stdout.buffer)'
    assert main(['review', '--command', reviewer(tmp_path, 'seed', cat, str(seed)), '--name', 'seed-llm']) == 0
    report = json.loads(capsys.readouterr().out)
    assert main(['import', str(seed)]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert imported['findings'] and report['findings'] == imported['findings']
    assert report['verdict'] == imported['verdict']
    assert report['change']['revision'] == _sha(change, 'HEAD')
    assert report['reviewer']['name'] == 'seed-llm'


def test_a_large_change_goes_file_by_file_and_the_reports_are_merged(
        change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / 'requests.jsonl'
    command = reviewer(tmp_path, 'native', NATIVE, str(log))
    assert main(['review', '--command', command]) == 0
    whole = len(json.loads(log.read_text())['request'].encode())
    log.unlink()
    capsys.readouterr()
    assert main(['review', '--command', command, '--max-bytes', str(whole - 60)]) == 0
    report = json.loads(capsys.readouterr().out)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [c['files'] for c in calls] == [['app.py'], ['lib.py']]
    assert 'part 1 of 2' in calls[0]['request'] and 'part 2 of 2' in calls[1]['request']
    assert report['change']['files'] == ['app.py', 'lib.py']
    assert report['verdict'] == 'findings' and len(report['findings']) == 1


def test_a_file_over_the_limit_is_said_never_cut(change: Repo, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / 'requests.jsonl'
    assert main(['review', '--command', reviewer(tmp_path, 'native', NATIVE, str(log)), '--max-bytes', '2000']) == 2
    err = capsys.readouterr().err
    assert err.startswith('findings-gate: error: app.py: its diff alone makes a request of ')
    assert err.endswith('bytes, over --max-bytes 2000; raise --max-bytes (a file is never cut)\n')
    assert not log.exists()


def test_a_reviewer_that_fails_gives_no_review_and_its_stderr_is_shown_inert(
        change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['review', '--command', reviewer(tmp_path, 'failing', FAILING), '--attach']) == 2
    program = Path(sys.executable).name
    assert capsys.readouterr() == ('', (
        f'findings-gate: error: --command {program}: exited with status 1; no review was made\n'
        f"findings-gate: error: {program}: stderr: error: model 'gpt-x' not found\\x1b[31m\n"))
    assert change.git('notes', '--ref=refs/notes/reviews', 'list') == ''


def test_a_reviewer_that_hangs_is_stopped_at_the_timeout(change: Repo, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    assert main(['review', '--command', reviewer(tmp_path, 'hanging', HANGING), '--timeout', '1']) == 2
    assert time.monotonic() - started < 30
    program = Path(sys.executable).name
    assert capsys.readouterr().err == (
        f'findings-gate: error: --command {program}: still running after 1 s, stopped; raise --timeout or make '
        f'the reviewer faster; no review was made\n'
        f'findings-gate: error: {program}: stderr: thinking\n')


def test_a_reviewer_that_prints_nothing_is_not_a_clean_review(change: Repo, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['review', '--command', reviewer(tmp_path, 'silent', SILENT), '--output', 'r.json']) == 2
    program = Path(sys.executable).name
    assert capsys.readouterr().err == (
        f'findings-gate: error: --command {program}: printed nothing on standard output; no review was made\n'
        f'findings-gate: error: {program}: it wrote nothing to stderr\n')
    assert not Path('r.json').exists()


def test_the_command_is_words_not_a_shell_line(change: Repo, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['review', '--command', 'no-such-reviewer; touch hacked']) == 2
    assert capsys.readouterr().err == (
        'findings-gate: error: --command no-such-reviewer;: no such program; install it, or give its path\n')
    assert main(['review', '--command', '"unclosed']) == 2
    assert capsys.readouterr().err == (
        'findings-gate: error: --command "unclosed: cannot split it into words: No closing quotation; '
        'close the quotes\n')
    assert not Path('hacked').exists()


def test_an_answer_that_is_not_a_valid_report_is_not_kept(change: Repo, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    bad = 'import sys; sys.stdin.read(); print(\'{"version": 1, "reviewer": {"name": "x", "kind": "llm"}, ' \
          '"findings": [{"title": "t", "severity": "urgent"}]}\')'
    assert main(['review', '--command', reviewer(tmp_path, 'bad', bad), '--attach']) == 2
    program = Path(sys.executable).name
    assert capsys.readouterr().err == (
        f"findings-gate: error: {program} output::$.findings[0].severity: 'urgent' is not one of "
        f"['critical', 'high', 'medium', 'low', 'info']\n"
        f'findings-gate: error: {program} output: not a valid report; nothing was kept\n')
    assert change.git('notes', '--ref=refs/notes/reviews', 'list') == ''


def test_each_part_is_checked_before_the_parts_are_merged(change: Repo, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    odd = '{"version": 1, "reviewer": {"name": "x", "kind": "llm"}, "notes": 7, "findings": 3}'
    assert main(['review', '--command', reviewer(tmp_path, 'odd', ECHO, odd)]) == 2
    program = Path(sys.executable).name
    assert capsys.readouterr().err == (
        f"findings-gate: error: {program} output::$.findings: 3 is not of type 'array'\n"
        f"findings-gate: error: {program} output::$.notes: 7 is not of type 'array'\n"
        f'findings-gate: error: {program} output: not a valid report; nothing was kept\n')


def test_sign_needs_attach(change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['review', '--command', 'true', '--sign', 'key']) == 2
    assert capsys.readouterr().err == 'findings-gate: error: --sign signs the note --attach writes; add --attach\n'


ECHO = '''
import json, sys
request = sys.stdin.read()
answer = {"version": 1, "reviewer": {"name": "echo", "kind": "tool"}, "verdict": "no-findings", "findings": [],
          "notes": [request.splitlines()[0]]}
print(sys.argv[1].replace("ANSWER", json.dumps(answer)))
'''


def test_renames_deletions_and_a_root_commit_are_named_as_the_diff_names_them(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('old name.py', 'x = 1\n' * 20)
    repo.write('gone.py', 'y = 2\n')
    root = repo.commit('root')
    command = reviewer(tmp_path, 'echo', ECHO, 'ANSWER')
    assert main(['review', '--command', command]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['change'] == {'revision': root, 'files': ['gone.py', 'old name.py']}  # no base: a root commit
    (repo.root / 'old name.py').rename(repo.root / 'new ñame.py')
    (repo.root / 'gone.py').unlink()
    repo.commit('rename and delete')
    assert main(['review', '--command', command]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['change']['files'] == ['gone.py', 'new ñame.py'] and report['change']['base'] == root
    assert report['reviewer'] == {'name': 'echo', 'kind': 'tool'}


def test_an_answer_in_a_fence_or_as_yaml_is_native_and_a_claim_of_another_revision_is_refused(
        change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fenced = reviewer(tmp_path, 'fenced', ECHO, '```json\nANSWER\n```')
    assert main(['review', '--command', fenced, '--kind', 'llm']) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report['reviewer'], report['verdict']) == ({'name': 'echo', 'kind': 'llm'}, 'no-findings')
    yaml_answer = 'version: 1\nreviewer: {name: yamlbot, kind: llm, model: null}\nverdict: null\nfindings: []\n'
    assert main(['review', '--command', reviewer(tmp_path, 'yaml', ECHO, yaml_answer)]) == 0
    assert json.loads(capsys.readouterr().out)['reviewer'] == {'name': 'yamlbot', 'kind': 'llm'}
    other = '{"version": 1, "reviewer": {"name": "x", "kind": "llm"}, "change": {"revision": "0123abcd"}, "findings": []}'
    assert main(['review', '--command', reviewer(tmp_path, 'other', ECHO, other)]) == 2
    program = Path(sys.executable).name
    assert capsys.readouterr().err == (
        f'findings-gate: error: {program} output: change.revision is 0123abcd, but the reviewer was given '
        f'{_sha(change, "HEAD")}; leave change.revision out of its answer\n')


def test_the_reviewers_text_stays_inert_in_the_report(change: Repo, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    hostile = ('{"version": 1, "reviewer": {"name": "x", "kind": "llm"}, "findings": '
               '[{"title": "evil\\u202e\\u001b]52;c;aGk=\\u0007 title", "severity": "low"}]}')
    assert main(['review', '--command', reviewer(tmp_path, 'hostile', ECHO, hostile)]) == 0
    out = capsys.readouterr().out
    assert '\u202e' not in out and '\x1b' not in out and '\x07' not in out
    assert json.loads(out)['findings'][0]['title'] == 'evil\u202e\x1b]52;c;aGk=\x07 title'


def test_a_commit_and_a_prompt_of_ones_own(change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / 'prompt.md').write_text('Review this for SQL injection only.\n')
    command = reviewer(tmp_path, 'echo', ECHO, 'ANSWER')
    assert main(['review', '--command', command, '--commit', 'main', '--prompt', str(tmp_path / 'prompt.md')]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['notes'] == ['Review this for SQL injection only.']
    assert report['change'] == {'revision': _sha(change, 'main'), 'files': ['app.py']}
    change.git('checkout', '-q', '-b', 'empty', 'main')
    change.commit('nothing')
    assert main(['review', '--command', command]) == 2
    assert capsys.readouterr().err == (
        f'findings-gate: error: {_sha(change, "main")[:12]}..{_sha(change, "HEAD")[:12]}: changes no file; '
        f'nothing to review (commit the change first, or pass --base)\n')


@pytest.mark.skipif(shutil.which('ssh-keygen') is None, reason='no ssh-keygen on PATH')
def test_attach_sign_keeps_a_signed_report(change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / 'bot'
    subprocess.run(('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'bot', '-f', str(key)), check=True)
    command = reviewer(tmp_path, 'native', NATIVE, str(tmp_path / 'log'))
    assert main(['review', '--command', command, '--attach', '--sign', str(key)]) == 0
    assert ', signed, a review of ' in capsys.readouterr().out
    note = json.loads(change.git('notes', '--ref=refs/notes/reviews', 'show', 'HEAD'))
    assert note['signature'].startswith('-----BEGIN SSH SIGNATURE-----')
    assert note['report']['reviewer']['name'] == 'review-bot'


ROOT = Path(__file__).parent.parent


def test_the_actions_reviewer_step_attaches_a_review_the_gate_reads(
        change: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """action.yml's step, run as the runner runs it (bash -e), on a pull request from `topic` to `main`."""
    [step] = [s for s in yaml.safe_load((ROOT / 'action.yml').read_text())['runs']['steps']
              if s['name'] == 'Run the reviewer']
    assert step['if'] == "inputs.review-command != ''"
    runner = tmp_path / 'runner'
    (runner / 'findings-gate' / 'bin').mkdir(parents=True)
    (runner / 'findings-gate' / 'bin' / 'findings-gate').symlink_to(Path(sys.executable).parent / 'findings-gate')
    env = {**os.environ, 'RUNNER_TEMP': str(runner), 'FG_BASE': '', 'FG_HEAD': '', 'FG_REVIEW_NAME': 'gpt-bot',
           'FG_REVIEW_COMMAND': reviewer(tmp_path, 'native', NATIVE, str(tmp_path / 'log')),
           'FG_PULL_BASE': _sha(change, 'main'), 'FG_PULL_HEAD': _sha(change, 'topic')}
    for name in ('GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'):
        env.pop(name)  # a runner has no identity: the step gives the note one
    change.git('checkout', '-q', '--detach', 'main')  # the runner's checkout need not be the head
    done = subprocess.run(('bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', step['run']),
                          cwd=change.root, env={**env, **{k: v for k, v in step['env'].items() if 'GIT_' in k}},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f'{Path(sys.executable).name} output: attached to {_sha(change, "topic")[:12]}')
    assert main(['check', '--base', 'main', '--head', 'topic']) == 1
    assert 'app.py:3: BLOCK block-severe-on-change: command injection [gpt-bot]' in capsys.readouterr().out


def test_the_zuul_role_runs_the_reviewer_before_the_gate_only_when_asked() -> None:
    tasks = yaml.safe_load((ROOT / 'roles/findings-gate/tasks/main.yaml').read_text())
    [task] = [t for t in tasks if t['name'] == 'Run the reviewer']
    assert task['when'] == 'findings_gate_review_command | length > 0'
    assert "'review', '--command', findings_gate_review_command" in task['command']['argv']
    assert "'--base', 'origin/' ~ zuul.branch, '--attach'" in task['command']['argv']
    assert [t['name'] for t in tasks].index('Run the reviewer') < [t['name'] for t in tasks].index('Gate the change')
