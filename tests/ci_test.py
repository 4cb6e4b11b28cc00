"""CI detection, `check --ci`, and the integration files for GitHub Actions, GitLab and Zuul."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from findings_gate import ci
from findings_gate.cli import main
from findings_gate.errors import GateError
from tests.conftest import Repo

ROOT = Path(__file__).parent.parent
CHECK_JSONSCHEMA = Path(sys.executable).parent / 'check-jsonschema'


def event(tmp_path: Path, payload: dict) -> dict[str, str]:
    path = tmp_path / 'event.json'
    path.write_text(json.dumps(payload))
    return {'GITHUB_ACTIONS': 'true', 'GITHUB_EVENT_PATH': str(path), 'GITHUB_EVENT_NAME': 'x'}


def test_github_pull_request(tmp_path: Path) -> None:
    env = event(tmp_path, {'pull_request': {'base': {'sha': 'b' * 40}, 'head': {'sha': 'h' * 40}}})
    assert ci.detect(env) == ci.Job('GitHub Actions', 'b' * 40, 'h' * 40, 'github',
                                    (('sarif', 'findings-gate.sarif'),))


def test_github_merge_group_and_push(tmp_path: Path) -> None:
    env = event(tmp_path, {'merge_group': {'base_sha': 'b' * 40, 'head_sha': 'h' * 40}})
    assert ci.detect(env)[1:3] == ('b' * 40, 'h' * 40)
    env = event(tmp_path, {'before': 'a' * 40, 'after': 'c' * 40})
    assert ci.detect(env)[1:3] == ('a' * 40, 'c' * 40)
    env = event(tmp_path, {'before': ci.ZEROS, 'after': 'c' * 40})  # a new branch
    assert ci.detect(env)[1:3] == (None, 'c' * 40)


def test_github_without_a_readable_event(tmp_path: Path) -> None:
    with pytest.raises(GateError, match='cannot read the event payload'):
        ci.detect({'GITHUB_ACTIONS': 'true', 'GITHUB_EVENT_PATH': str(tmp_path / 'none.json')})


def test_gitlab() -> None:
    env = {'GITLAB_CI': 'true', 'CI_COMMIT_SHA': 'h' * 40, 'CI_MERGE_REQUEST_DIFF_BASE_SHA': 'b' * 40}
    assert ci.detect(env) == ci.Job('GitLab CI', 'b' * 40, 'h' * 40, 'text', (
        ('gitlab', 'gl-code-quality-report.json'), ('junit', 'findings-gate-junit.xml')))
    assert ci.detect({'GITLAB_CI': 'true', 'CI_COMMIT_SHA': 'h' * 40,
                      'CI_COMMIT_BEFORE_SHA': ci.ZEROS}).base is None


def test_zuul() -> None:
    assert ci.detect({'ZUUL_BRANCH': 'stable/2024.1'})[1:3] == ('origin/stable/2024.1', 'HEAD')


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
    for name, value in {'GITLAB_CI': 'true', 'CI_COMMIT_SHA': head,
                        'CI_MERGE_REQUEST_DIFF_BASE_SHA': base}.items():
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
    ('vendor.github-workflows', '.github/workflows/ci.yml'),
    ('vendor.gitlab-ci', 'ci/findings-gate.gitlab-ci.yml'),
    ('vendor.gitlab-ci', 'docs/examples/gitlab-ci.yml'),
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
    assert [t['name'] for t in tasks] == ['Install findings-gate', 'Gate the change',
                                         'Fail when the policy blocks the change']
    [job] = yaml.safe_load((ROOT / 'zuul.d/jobs.yaml').read_text())
    assert job['job']['run'] == 'playbooks/findings-gate/run.yaml'
    assert yaml.safe_load((ROOT / job['job']['run']).read_text())[0]['roles'] == ['findings-gate']
