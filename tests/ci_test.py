"""CI detection, `check --ci`, and the integration files for GitHub Actions, GitLab and Zuul."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from findings_gate import ci, schema
from findings_gate.cli import main
from findings_gate.errors import GateError
from tests.conftest import Repo, gitlab_merge_request

ROOT = Path(__file__).parent.parent
CHECK_JSONSCHEMA = Path(sys.executable).parent / 'check-jsonschema'


def event(tmp_path: Path, payload: dict) -> dict[str, str]:
    path = tmp_path / 'event.json'
    path.write_text(json.dumps(payload))
    return {'GITHUB_ACTIONS': 'true', 'GITHUB_EVENT_PATH': str(path), 'GITHUB_EVENT_NAME': 'x'}


BASE, HEAD, BEFORE = 'b' * 40, 'c' * 40, 'a' * 40


def test_github_pull_request(tmp_path: Path) -> None:
    env = event(tmp_path, {'pull_request': {'base': {'sha': BASE}, 'head': {'sha': HEAD}}})
    assert ci.detect(env) == ci.Job('GitHub Actions', 'github', (('sarif', 'findings-gate.sarif'),))
    assert ci.commits(env) == (BASE, HEAD)


def test_github_merge_group_and_push(tmp_path: Path) -> None:
    env = event(tmp_path, {'merge_group': {'base_sha': BASE, 'head_sha': HEAD}})
    assert ci.commits(env) == (BASE, HEAD)
    env = event(tmp_path, {'before': BEFORE, 'after': HEAD})
    assert ci.commits(env) == (BEFORE, HEAD)
    new_branch = {'ref': 'refs/heads/topic', 'before': ci.ZEROS, 'after': HEAD,
                  'repository': {'default_branch': 'trunk'}}
    assert ci.commits(event(tmp_path, new_branch)) == ('origin/trunk', HEAD)
    first_push = {**new_branch, 'ref': 'refs/heads/trunk'}  # a new history: all of it
    assert ci.commits(event(tmp_path, first_push)) == (None, HEAD)


def test_github_without_a_readable_event(tmp_path: Path) -> None:
    with pytest.raises(GateError, match='cannot read the event payload'):
        ci.commits({'GITHUB_ACTIONS': 'true', 'GITHUB_EVENT_PATH': str(tmp_path / 'none.json')})


PULL = {'pull_request': {'base': {'sha': BASE}, 'head': {'sha': HEAD}}}


@pytest.mark.parametrize(('payload', 'message'), [
    (b'{"pull_request": ', '{path}: the event payload (GITHUB_EVENT_PATH) is not JSON: '
                          'Expecting value: line 1 column 18 (char 17); pass --base and --head'),
    (b'[' * 100_000, '{path}: the event payload (GITHUB_EVENT_PATH) is not JSON: maximum recursion depth '
                     'exceeded while decoding a JSON array from a unicode string; pass --base and --head'),
    (b'["pull_request"]', '{path}: the event payload (GITHUB_EVENT_PATH) is not a JSON object; '
                          'pass --base and --head'),
    (json.dumps({'pull_request': {'head': {'sha': HEAD}}}).encode(),
     '{path}::$.pull_request.base.sha: missing from the event payload (GITHUB_EVENT_PATH); pass --base and --head'),
    (json.dumps({'pull_request': {'base': 'main', 'head': {'sha': HEAD}}}).encode(),
     '{path}::$.pull_request.base.sha: missing from the event payload (GITHUB_EVENT_PATH); pass --base and --head'),
    (json.dumps({'pull_request': {'base': {'sha': 42}, 'head': {'sha': HEAD}}}).encode(),
     '{path}::$.pull_request.base.sha: 42 is not a commit id; pass --base and --head'),
    (json.dumps({'pull_request': {'base': {'sha': BASE}, 'head': {'sha': '--output=x'}}}).encode(),
     '{path}::$.pull_request.head.sha: "--output=x" is not a commit id; pass --base and --head'),
    (json.dumps({'merge_group': {'base_sha': BASE}}).encode(),
     '{path}::$.merge_group.head_sha: missing from the event payload (GITHUB_EVENT_PATH); pass --base and --head'),
    (json.dumps({'before': ci.ZEROS, 'after': HEAD}).encode(),
     '{path}::$.repository.default_branch: missing from the event payload (GITHUB_EVENT_PATH); '
     'pass --base and --head'),
    (json.dumps({'before': ci.ZEROS, 'after': HEAD, 'repository': {'default_branch': ['main']}}).encode(),
     '{path}::$.repository.default_branch: ["main"] is not a name; pass --base and --head'),
    (json.dumps({'before': None}).encode(),
     '{path}: the push event names no commits (no `after`, no GITHUB_SHA); pass --base and --head'),
])
def test_a_malformed_event_payload_is_a_one_line_error(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        payload: bytes, message: str) -> None:
    monkeypatch.chdir(repo.root)
    repo.commit('base')
    path = tmp_path / 'event.json'
    path.write_bytes(payload)
    for name, value in {'GITHUB_ACTIONS': 'true', 'GITHUB_EVENT_PATH': str(path),
                        'GITHUB_EVENT_NAME': 'push'}.items():
        monkeypatch.setenv(name, value)
    assert main(['check', '--ci']) == 2
    assert capsys.readouterr().err == f'findings-gate: error: {message.format(path=path)}\n'


def test_no_event_payload_is_a_one_line_error(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    monkeypatch.setenv('GITHUB_ACTIONS', 'true')
    monkeypatch.delenv('GITHUB_EVENT_PATH', raising=False)
    assert main(['check', '--ci']) == 2
    assert capsys.readouterr().err == ('findings-gate: error: GITHUB_EVENT_PATH is not set, so there is no '
                                       'event payload to read; pass --base and --head\n')


GITLAB_MERGE_REQUEST = {
    'GITLAB_CI': 'true', 'CI_PIPELINE_SOURCE': 'merge_request_event', 'CI_COMMIT_SHA': HEAD,
    'CI_COMMIT_BEFORE_SHA': ci.ZEROS, 'CI_MERGE_REQUEST_DIFF_BASE_SHA': BEFORE,
    'CI_MERGE_REQUEST_TARGET_BRANCH_NAME': 'trunk', 'CI_DEFAULT_BRANCH': 'trunk',
}


def test_gitlab() -> None:
    assert ci.detect(GITLAB_MERGE_REQUEST) == ci.Job('GitLab CI', 'text', (
        ('gitlab', 'gl-code-quality-report.json'), ('junit', 'findings-gate-junit.xml')))
    assert ci.commits(GITLAB_MERGE_REQUEST) == ('origin/trunk', HEAD)
    merged_results = {**GITLAB_MERGE_REQUEST, 'CI_MERGE_REQUEST_TARGET_BRANCH_SHA': BASE}
    assert ci.commits(merged_results) == (BASE, HEAD)
    push = {'GITLAB_CI': 'true', 'CI_COMMIT_SHA': HEAD, 'CI_COMMIT_BEFORE_SHA': BEFORE,
            'CI_COMMIT_BRANCH': 'topic', 'CI_DEFAULT_BRANCH': 'trunk'}
    assert ci.commits(push) == (BEFORE, HEAD)
    assert ci.commits({**push, 'CI_COMMIT_BEFORE_SHA': ci.ZEROS}) == ('origin/trunk', HEAD)
    default_branch = {**push, 'CI_COMMIT_BEFORE_SHA': ci.ZEROS, 'CI_COMMIT_BRANCH': 'trunk'}
    assert ci.commits(default_branch).base is None


def test_zuul() -> None:
    assert ci.commits({'ZUUL_BRANCH': 'stable/2024.1'}) == ('origin/stable/2024.1', 'HEAD')


def test_no_ci() -> None:
    with pytest.raises(GateError, match='no CI found'):
        ci.detect({})


@pytest.fixture
def pull_request(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Repo, str, str]:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', ''.join(f'x{i} = {i}\n' for i in range(1, 11)))
    base = repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('app.py', ''.join(f'x{i} = {i}\n' for i in range(1, 10)) + 'x10 = eval(input())\n')
    repo.write('.reviews/r.json', json.dumps({
        'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
        'findings': [{'title': 'eval of input', 'severity': 'critical', 'cwe': ['CWE-95'],
                      'location': {'path': 'app.py', 'start_line': 10}}]}))
    head = repo.commit('topic')
    return repo, base, head


def test_check_ci_on_github_writes_annotations_and_sarif(
        pull_request: tuple[Repo, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo, base, head = pull_request
    for name, value in event(tmp_path, {'pull_request': {'base': {'sha': base}, 'head': {'sha': head}}}).items():
        monkeypatch.setenv(name, value)
    summary = tmp_path / 'summary.md'
    monkeypatch.setenv('GITHUB_STEP_SUMMARY', str(summary))
    assert main(['check', '--ci']) == 1
    out = capsys.readouterr().out
    assert '::error file=app.py,line=10' in out
    sarif = json.loads((repo.root / 'findings-gate.sarif').read_text())
    assert sarif['runs'][0]['results'][0]['locations'][0]['physicalLocation']['region']['startLine'] == 10
    assert 'eval of input' in summary.read_text()


def test_check_ci_on_gitlab_writes_code_quality_and_junit(
        pull_request: tuple[Repo, str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo, base, head = pull_request
    for name, value in gitlab_merge_request(repo, base, 'main').items():
        monkeypatch.setenv(name, value)
    assert main(['check', '--ci']) == 1
    assert 'app.py:10: BLOCK block-severe-on-change: eval of input [bot]' in capsys.readouterr().out
    [issue] = json.loads((repo.root / 'gl-code-quality-report.json').read_text())
    assert issue['location'] == {'path': 'app.py', 'lines': {'begin': 10, 'end': 10}}
    assert '<failure' in (repo.root / 'findings-gate-junit.xml').read_text()


def test_output_arguments_are_checked(pull_request: tuple[Repo, str, str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['check', '--base', 'main', '--output', 'xml=out.xml']) == 2
    assert capsys.readouterr().err.startswith("findings-gate: error: --output 'xml=out.xml': write it as")


@pytest.mark.parametrize(('schema', 'path'), [
    ('vendor.github-actions', 'action.yml'),
    ('vendor.github-workflows', 'docs/examples/github-workflow.yml'),
    ('vendor.github-workflows', 'docs/examples/github-review-comments.yml'),
    ('vendor.github-workflows', 'docs/examples/github-post-review.yml'),
    ('vendor.github-workflows', 'docs/examples/github-llm-review.yml'),
    ('vendor.github-workflows', '.github/workflows/ci.yml'),
    ('vendor.gitlab-ci', 'ci/findings-gate.gitlab-ci.yml'),
    ('vendor.gitlab-ci', 'docs/examples/gitlab-ci.yml'),
    ('vendor.gitlab-ci', 'docs/examples/gitlab-review-discussions.gitlab-ci.yml'),
])
def test_integration_files_are_valid(schema: str, path: str) -> None:
    result = subprocess.run((str(CHECK_JSONSCHEMA), '--builtin-schema', schema, str(ROOT / path)),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_action_passes_inputs_through_the_environment() -> None:
    action = yaml.safe_load((ROOT / 'action.yml').read_text())
    for step in action['runs']['steps']:
        assert '${{' not in step['run'], 'inputs reach the shell only through env:'
        assert step['shell'] == 'bash'
    assert set(action['outputs']) == {'verdict', 'sarif'}


def test_the_zuul_role_documents_each_variable() -> None:
    defaults = yaml.safe_load((ROOT / 'roles/findings-gate/defaults/main.yaml').read_text())
    readme = (ROOT / 'roles/findings-gate/README.rst').read_text()
    assert sorted(re.findall(r'\.\. zuul:rolevar:: (\w+)', readme)) == sorted(defaults)
    tasks = yaml.safe_load((ROOT / 'roles/findings-gate/tasks/main.yaml').read_text())
    assert [t['name'] for t in tasks] == ['Require what to install', 'Install findings-gate', 'Run the reviewer',
                                         'Gate the change', 'Fail when the policy blocks the change']
    [job] = yaml.safe_load((ROOT / 'zuul.d/jobs.yaml').read_text())
    assert job['job']['run'] == 'playbooks/findings-gate/run.yaml'
    assert yaml.safe_load((ROOT / job['job']['run']).read_text())[0]['roles'] == ['findings-gate']


def test_every_output_names_the_commit_the_configuration_came_from(
        pull_request: tuple[Repo, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo, base, head = pull_request
    for name, value in event(tmp_path, {'pull_request': {'base': {'sha': base}, 'head': {'sha': head}}}).items():
        monkeypatch.setenv(name, value)
    formats = ('json', 'sarif', 'junit', 'markdown', 'gerrit', 'zuul', 'rdjson', 'html')
    assert main(['check', '--ci', *(f'--output={f}={tmp_path / f}' for f in formats)]) == 1
    clause = f'configuration from commit {base[:12]}'
    assert clause in capsys.readouterr().out  # github: the summary line
    document = json.loads((tmp_path / 'json').read_text())
    assert (document['config_commit'], schema.problems('decision', document)) == (base, [])
    assert json.loads((tmp_path / 'sarif').read_text())['runs'][0]['properties']['config_commit'] == base
    assert f'<property name="config_commit" value="{base}" />' in (tmp_path / 'junit').read_text()
    assert clause in (tmp_path / 'markdown').read_text()
    assert clause in (tmp_path / 'html').read_text()  # the summary's first paragraph
    assert clause in json.loads((tmp_path / 'gerrit').read_text())['message']
    assert clause in json.loads((tmp_path / 'zuul').read_text())['zuul']['warnings'][0]
    assert json.loads((tmp_path / 'rdjson').read_text())['config_commit'] == base
    # read from the work tree, the outputs name no commit
    assert main(['check', '--base', base, '--output', f'json={tmp_path / "json"}']) == 1
    assert 'config_commit' not in json.loads((tmp_path / 'json').read_text())
    assert 'configuration from' not in capsys.readouterr().out


def run_action(repo: Repo, tmp_path: Path, env: dict[str, str], **inputs: str) -> tuple[int, dict[str, str], str]:
    """The action's gating step as the runner runs it: its inputs through `env:`, bash with
    `-eo pipefail`, the gate installed in RUNNER_TEMP, a fresh GITHUB_OUTPUT file."""
    action = yaml.safe_load((ROOT / 'action.yml').read_text())
    [step] = [s for s in action['runs']['steps'] if s.get('id') == 'gate']
    values = {name: spec.get('default', '') for name, spec in action['inputs'].items()} | inputs
    step_env = {name: re.sub(r'\$\{\{ inputs\.([\w-]+) \}\}', lambda m: values[m[1]], value)
                for name, value in step['env'].items()}
    runner = tmp_path / 'runner'
    installed = runner / 'findings-gate' / 'bin'
    if not installed.exists():
        installed.mkdir(parents=True)
        (installed / 'findings-gate').symlink_to(CHECK_JSONSCHEMA.parent / 'findings-gate')
        (installed / 'python').symlink_to(sys.executable)
    script = runner / 'step.sh'
    script.write_text(step['run'])
    output = runner / f'output-{len(list(runner.glob("output-*")))}'
    output.touch()
    done = subprocess.run(
        ('bash', '--noprofile', '--norc', '-eo', 'pipefail', str(script)), cwd=repo.root, capture_output=True,
        text=True, env={**os.environ, **env, **step_env, 'RUNNER_TEMP': str(runner), 'GITHUB_OUTPUT': str(output)},
    )
    outputs = dict(line.split('=', 1) for line in output.read_text().splitlines())
    return done.returncode, outputs, done.stdout + done.stderr


@pytest.fixture
def loosened(pull_request: tuple[Repo, str, str], tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """A pull request that blocks, and then loosens its own gate; the event GitHub sends for it."""
    repo, base, _ = pull_request
    repo.write('.findings-gate.yaml', 'version: 1\nrules: []\nconfig_changed: ignore\n')
    head = repo.commit('loosen the gate')
    return repo, event(tmp_path, {'pull_request': {'base': {'sha': base}, 'head': {'sha': head}}})


@pytest.mark.parametrize('inputs', [{}, {'base': 'main'}, {'base': 'main', 'head': 'topic'}])
def test_the_actions_inputs_do_not_turn_trusted_configuration_off(
        loosened: tuple[Repo, dict[str, str]], tmp_path: Path, inputs: dict[str, str]) -> None:
    repo, env = loosened
    code, outputs, log = run_action(repo, tmp_path, env, **inputs)
    assert (code, outputs['verdict'], outputs['sarif']) == (1, 'block', 'findings-gate.sarif'), log
    assert '::error file=app.py,line=10' in log
    assert f'configuration from commit {repo.git("rev-parse", "main")[:12]}' in log


def test_the_actions_policy_input_is_read_from_the_base(
        pull_request: tuple[Repo, str, str], tmp_path: Path) -> None:
    repo, base, _ = pull_request
    repo.git('checkout', '-q', 'main')
    repo.write('ci/gate.yaml', 'version: 1\nrules: [{name: block-all, action: block}]\nconfig_changed: block\n')
    repo.commit('a policy of its own')
    repo.git('checkout', '-q', 'topic')
    repo.git('rebase', '-q', 'main')
    repo.write('ci/gate.yaml', 'version: 1\nrules: []\n')
    head = repo.commit('loosen it')
    env = event(tmp_path, {'pull_request': {'base': {'sha': repo.git('rev-parse', 'main').strip()},
                                            'head': {'sha': head}}})
    code, outputs, log = run_action(repo, tmp_path, env, policy='ci/gate.yaml')
    assert (code, outputs['verdict']) == (1, 'block'), log
    assert 'title=BLOCK block-all' in log
    assert 'title=BLOCK config_changed' in log


def test_the_actions_verdict_is_this_runs(loosened: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, env = loosened
    code, outputs, log = run_action(repo, tmp_path, env, base='main', policy=str(tmp_path / 'lax.yaml'))
    assert (code, outputs['verdict']) == (2, 'error'), log  # no such file: the gate could not run
    (tmp_path / 'lax.yaml').write_text('version: 1\nrules: []\n')
    code, outputs, log = run_action(repo, tmp_path, env, base='main', policy=str(tmp_path / 'lax.yaml'))
    assert (code, outputs['verdict']) == (0, 'warn'), log  # config_changed: warn
    code, outputs, log = run_action(repo, tmp_path, env, base='main', policy=str(tmp_path / 'missing.yaml'))
    assert (code, outputs) == (2, {'verdict': 'error'}), log
    assert not (repo.root / 'findings-gate.sarif').exists()


def test_a_change_named_on_the_command_line_needs_nothing_from_the_event_payload(
        pull_request: tuple[Repo, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo, base, _ = pull_request
    for name, value in event(tmp_path, {'schedule': '0 3 * * *'}).items():  # names no change
        monkeypatch.setenv(name, value)
    assert main(['check', '--ci']) == 2
    assert capsys.readouterr().err.endswith('event names no commits (no `after`, no GITHUB_SHA); '
                                            'pass --base and --head\n')
    assert main(['check', '--ci', '--base', 'main']) == 1
    out = capsys.readouterr().out
    assert '::error file=app.py,line=10' in out  # the CI's format
    assert f'configuration from commit {base[:12]}' in out


@pytest.mark.parametrize('trusted', ['tree', 'base'])
def test_a_file_where_the_configuration_directory_belongs_is_exit_2(
        trusted: str, pull_request: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, base, head = pull_request
    repo.git('checkout', '-q', 'main')
    repo.write('.findings-gate', 'notes\n')
    repo.commit('a file named like the directory')
    repo.git('checkout', '-q', 'topic')
    repo.git('rebase', '-q', 'main')
    assert main(['check', '--base', 'main', '--trusted-config', trusted]) == 2
    shown = f'{repo.git("rev-parse", "main").strip()[:12]}:.findings-gate' if trusted == 'base' else '.findings-gate'
    assert capsys.readouterr() == ('', (
        f'findings-gate: error: {shown}: a file, where the directory of the waivers file '
        f'.findings-gate/waivers.yaml belongs; move the file, or set `waivers` in the policy to another path\n'))


def test_no_ci_template_installs_a_name_this_project_does_not_own(tmp_path: Path) -> None:
    # findings-gate is not on the package index: a package of that name there would not be this project
    [job] = yaml.safe_load((ROOT / 'ci/findings-gate.gitlab-ci.yml').read_text()).values()
    assert job['variables']['FINDINGS_GATE_PACKAGE'] == ''
    [check] = [line for line in job['before_script'] if 'FINDINGS_GATE_PACKAGE' in line and 'test -n' in line]
    done = subprocess.run(['bash', '-c', check], env={'PATH': os.environ['PATH']}, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (
        2, 'findings-gate: set FINDINGS_GATE_PACKAGE to git+<findings-gate repository URL>@<tag or commit>\n')
    done = subprocess.run(['bash', '-c', check], env={'PATH': os.environ['PATH'], 'FINDINGS_GATE_PACKAGE': 'git+x@v1'},
                          capture_output=True, text=True)
    assert done.returncode == 0
    defaults = yaml.safe_load((ROOT / 'roles/findings-gate/defaults/main.yaml').read_text())
    assert defaults['findings_gate_package'] == ''
    tasks = yaml.safe_load((ROOT / 'roles/findings-gate/tasks/main.yaml').read_text())
    assert tasks[0]['fail'] and tasks[0]['when'] == 'findings_gate_package | length == 0'
