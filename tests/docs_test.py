"""What the README and the docs show works as shown.

A fenced block that shows an example file starts with a comment naming it,
`# docs/examples/policy-strict.yaml`; the rest of the block is the file, byte
for byte. The tests read the files, so text can move between the docs without
breaking a test, and every file is checked for what it is.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from findings_gate import read, render, schema
from findings_gate.commands import demo
from findings_gate.decide import policy, waivers
from findings_gate.model import Report
from findings_gate.read import sources

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / 'docs' / 'examples'
README = ROOT / 'README.md'
DOCS = [README, ROOT / 'CONTRIBUTING.md', *sorted((ROOT / 'docs').glob('*.md'))]
NAMED = re.compile(r'# (docs/examples/\S+)\n')

# every example file, by what it is; each kind has its test below
KINDS = {
    'pre-commit-config.yaml': 'pre-commit config',
    'github-workflow.yml': 'GitHub workflow',
    'github-review-comments.yml': 'GitHub workflow',
    'github-post-review.yml': 'GitHub workflow',
    'github-llm-review.yml': 'GitHub workflow',
    'gitlab-ci.yml': 'GitLab CI config',
    'gitlab-review-discussions.gitlab-ci.yml': 'GitLab CI job',
    'zuul.yaml': 'Zuul project',
    'report.yaml': 'report',
    'policy-default.yaml': 'policy',
    'policy-quickstart.yaml': 'policy',
    'policy-rules.yaml': 'policy',
    'policy-strict.yaml': 'policy',
    'policy-require.yaml': 'policy',
    'policy-baseline.yaml': 'policy',
    'policy-trust.yaml': 'policy',
    'policy-reviewers.yaml': 'policy',
    'policy-signed.yaml': 'policy',
    'policy-path-map.yaml': 'policy',
    'policy-candidate.yaml': 'policy',
    'policy-tuning.yaml': 'policy',
    'policy-inline-suppressions.yaml': 'policy',
    'waivers.yaml': 'waivers',
    'allowed_signers': 'allowed signers',
    'pre-push': 'git hook',
}


def fenced_blocks(path: Path) -> list[tuple[str, str, str]]:
    """(where, language, text) of each fenced block of a Markdown file, its text byte for byte."""
    lines = path.read_bytes().decode().splitlines(keepends=True)
    found, i = [], 0
    while i < len(lines):
        opening = re.fullmatch(r'```(\S*)\r?\n', lines[i])
        if opening:
            end = i + 1
            while end < len(lines) and lines[end].rstrip('\r\n') != '```':
                end += 1
            assert end < len(lines), f'{path.name}:{i + 1}: a fenced block that is never closed'
            found.append((f'{path.relative_to(ROOT)}:{i + 1}', opening[1], ''.join(lines[i + 1:end])))
            i = end
        i += 1
    return found


BLOCKS = [block for path in DOCS for block in fenced_blocks(path)]


def shown() -> dict[str, list[tuple[str, str]]]:
    """Each example file a block names: where, and the text shown after the name."""
    found: dict[str, list[tuple[str, str]]] = {}
    for where, _, text in BLOCKS:
        named = NAMED.match(text)
        if named:
            found.setdefault(named[1], []).append((where, text[named.end():]))
    return found


def of_kind(kind: str) -> list[str]:
    return [name for name, what in KINDS.items() if what == kind]


def test_every_example_shown_is_the_file() -> None:
    assert shown(), 'no block names an example file'
    for name, places in shown().items():
        assert (ROOT / name).is_file(), f'{places[0][0]} names {name}, which does not exist'
        for where, text in places:
            assert text.encode() == (ROOT / name).read_bytes(), f'{where} does not show {name} as it is'


def test_every_example_file_is_shown() -> None:
    files = {str(path.relative_to(ROOT)) for path in EXAMPLES.rglob('*') if path.is_file()}
    assert sorted(files - set(shown())) == []


def test_every_yaml_block_shows_an_example_file() -> None:
    assert [where for where, lang, text in BLOCKS if lang in ('yaml', 'yml') and not NAMED.match(text)] == []


def test_every_example_file_has_a_check() -> None:
    assert sorted(path.name for path in EXAMPLES.iterdir()) == sorted(KINDS)


@pytest.mark.parametrize('name', of_kind('policy'))
def test_the_policy_is_valid_and_every_rule_can_decide(name: str) -> None:
    assert policy.warnings(policy.parse((EXAMPLES / name).read_text(), name)) == []


def test_the_default_policy_shown_is_the_embedded_one() -> None:
    assert (EXAMPLES / 'policy-default.yaml').read_text() == policy.DEFAULT


def test_every_policy_key_is_shown_in_an_example() -> None:
    document = json.loads((schema.schema_dir() / 'policy.schema.json').read_text())
    keys = {'policy': set(document['properties']) - {'$schema'},
            'rule': set(document['$defs']['rule']['properties']),
            'requirement': set(document['$defs']['requirement']['properties']),
            'trust': set(document['properties']['trust']['properties'])}
    used: dict[str, set[str]] = {kind: set() for kind in keys}
    for name in of_kind('policy'):
        example = yaml.safe_load((EXAMPLES / name).read_text())
        used['policy'] |= set(example)
        used['trust'] |= set(example.get('trust', {}))
        for rule in example.get('rules', []):
            used['rule'] |= set(rule)
        for requirement in example.get('require', []):
            used['requirement'] |= set(requirement)
    assert {kind: sorted(keys[kind] - used[kind]) for kind in keys} == {kind: [] for kind in keys}


def test_the_report_is_valid() -> None:
    [name] = of_kind('report')
    report = sources.read(sources.Source(name, (EXAMPLES / name).read_bytes()))
    assert isinstance(report, Report), report
    assert report.findings[0].location.symbol == '_trigger_trunk_status_change'  # type: ignore[union-attr]


def test_the_waivers_are_valid() -> None:
    [name] = of_kind('waivers')
    assert [w.owner for w in waivers.parse((EXAMPLES / name).read_text(), name)] == ['alice', 'release-team']


@pytest.mark.skipif(shutil.which('ssh-keygen') is None, reason='no ssh-keygen on PATH')
def test_the_allowed_signers_are_keys_ssh_keygen_reads() -> None:
    [name] = of_kind('allowed signers')
    lines = [line for line in (EXAMPLES / name).read_text().splitlines() if not line.startswith('#')]
    assert len(lines) >= 2
    for line in lines:
        kind, key = line.split()[-2:]
        done = subprocess.run(('ssh-keygen', '-l', '-f', '-'), input=f'{kind} {key}\n', capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_the_git_hook_runs_the_gate_on_every_pushed_ref() -> None:
    [name] = of_kind('git hook')
    path = EXAMPLES / name
    assert path.stat().st_mode & 0o111, f'{name} is not executable'
    assert path.read_text().splitlines()[-1] == 'exec findings-gate check --pre-push "$@"'
    # tests/push_test.py pushes with this file as the hook


@pytest.mark.parametrize('name', of_kind('GitHub workflow'))
def test_the_github_workflow_uses_the_actions_inputs_and_outputs(name: str) -> None:
    # check-jsonschema (ci_test) and actionlint (.ci/run) check the workflow itself
    text = (EXAMPLES / name).read_text()
    workflow = yaml.safe_load(text)
    action = yaml.safe_load((ROOT / 'action.yml').read_text())
    [step] = [s for job in workflow['jobs'].values() for s in job['steps'] if s.get('id') == 'gate']
    assert step['uses'].split('@')[0].endswith('/findings-gate')
    assert sorted(set(step['with']) - set(action['inputs'])) == []
    outputs = re.findall(r'steps\.gate\.outputs\.(\w+)', text)
    assert outputs and sorted(set(outputs) - set(action['outputs'])) == []
    if step['with'].get('fetch-review-comments') is True:
        assert workflow['permissions']['pull-requests'] in ('read', 'write')


def test_the_gitlab_config_includes_the_job_file() -> None:
    # check-jsonschema checks it against GitLab's schema (ci_test)
    [name] = of_kind('GitLab CI config')
    [include] = yaml.safe_load((EXAMPLES / name).read_text())['include']
    host, path = include['remote'].split('/-/raw/')
    assert host.startswith('https://')
    assert (ROOT / path.split('/', 1)[1]).is_file()
    # it installs the repository it includes, at the same revision
    package = yaml.safe_load((EXAMPLES / name).read_text())['variables']['FINDINGS_GATE_PACKAGE']
    assert package == f"git+{host}.git@{path.split('/', 1)[0]}"


def test_the_gitlab_job_gates_on_what_it_fetches_and_publishes_as_the_job_file() -> None:
    # check-jsonschema checks it against GitLab's schema (ci_test)
    [name] = of_kind('GitLab CI job')
    [job] = yaml.safe_load((EXAMPLES / name).read_text()).values()
    [shipped] = yaml.safe_load((ROOT / 'ci' / 'findings-gate.gitlab-ci.yml').read_text()).values()
    assert job['rules'] == shipped['rules']
    assert job['variables']['GIT_DEPTH'] == shipped['variables']['GIT_DEPTH'] == '0'
    assert job['artifacts']['reports'] == shipped['artifacts']['reports']
    fetched = set(re.findall(r'>>? (\.reviews/\S+\.json)', ''.join(job['script'])))
    [check] = [line for line in job['script'] if line.startswith('findings-gate check --ci')]
    assert fetched and fetched == set(re.findall(r'--report (\S+)', check))


def test_the_zuul_project_runs_the_job_with_the_roles_variables() -> None:
    [name] = of_kind('Zuul project')
    [stanza] = yaml.safe_load((EXAMPLES / name).read_text())
    jobs = {entry['job']['name'] for entry in yaml.safe_load((ROOT / 'zuul.d' / 'jobs.yaml').read_text())}
    defaults = yaml.safe_load((ROOT / 'roles' / 'findings-gate' / 'defaults' / 'main.yaml').read_text())
    [[(job, settings)]] = [entry.items() for entry in stanza['project']['check']['jobs']]
    assert job in jobs
    assert settings['vars']
    for variable, value in settings['vars'].items():
        assert variable in defaults, variable
        assert type(value) is type(defaults[variable]), variable


def test_the_pre_commit_config_is_valid_and_names_every_hook() -> None:
    [name] = of_kind('pre-commit config')
    pre_commit = Path(sys.executable).parent / 'pre-commit'
    result = subprocess.run((str(pre_commit), 'validate-config', str(EXAMPLES / name)),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = yaml.safe_load((ROOT / '.pre-commit-hooks.yaml').read_text())
    [repo] = yaml.safe_load((EXAMPLES / name).read_text())['repos']
    assert [hook['id'] for hook in repo['hooks']] == [hook['id'] for hook in manifest]


def test_the_pre_commit_hooks_shown_are_the_manifests() -> None:
    readme = README.read_text()
    for hook in yaml.safe_load((ROOT / '.pre-commit-hooks.yaml').read_text()):
        assert f"| `{hook['id']}` |" in readme


def test_the_output_shown_is_the_demos() -> None:
    outputs = [(where, text) for where, _, text in BLOCKS if text.startswith('-- 1 on added')]
    assert any(where.startswith('README.md:') for where, _ in outputs)
    out: list[str] = []
    demo.run(out.append)
    for where, text in outputs:
        assert text in ''.join(out), where


def format_names(section: str) -> set[str]:
    """The names in the first column of each `| format |` table of a section of docs/formats.md,
    the section running to the next heading of its level."""
    text = (ROOT / 'docs' / 'formats.md').read_text()
    start = text.index(f'\n## {section}\n')
    end = text.find('\n## ', start + 1)
    names: set[str] = set()
    in_table = False
    for line in text[start:end if end >= 0 else None].splitlines():
        if line.startswith('| format |'):
            in_table = True
        elif not line.startswith('|'):
            in_table = False
        elif in_table and not line.startswith('|---'):
            names |= set(re.findall(r'`([^`]+)`', line.split('|')[1]))
    return names


@pytest.mark.parametrize(('section', 'formats'), [
    ('Report formats read', read.FORMATS),
    ('Output formats', render.RENDERERS),
])
def test_every_format_is_in_the_formats_page(section: str, formats: dict[str, str]) -> None:
    names = format_names(section)
    assert sorted(set(formats) - names) == [], f'missing from docs/formats.md "{section}"'
    assert sorted(names - set(formats)) == [], f'docs/formats.md "{section}" names a format the gate lacks'


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r'[^\w\- ]', '', heading.strip().lower()).replace(' ', '-')


def anchors(path: Path) -> set[str]:
    text = re.sub(r'^```.*?^```$', '', path.read_text(), flags=re.S | re.M)
    return {slug(heading) for heading in re.findall(r'^#+ (.*)$', text, re.M)}


def test_every_relative_link_resolves() -> None:
    checked = 0
    for path in DOCS:
        text = re.sub(r'^```.*?^```$', '', path.read_text(), flags=re.S | re.M)  # code blocks hold no links
        text = re.sub(r'`[^`\n]*`', '', text)
        for target in re.findall(r'\]\(([^)\s]+)\)', text):
            if re.match(r'[a-z]+:', target):
                continue
            file, _, anchor = target.partition('#')
            linked = (path.parent / file).resolve() if file else path
            assert linked.exists(), f'{path.relative_to(ROOT)}: {target} names no file'
            if anchor:
                assert anchor in anchors(linked), f'{path.relative_to(ROOT)}: {target} names no heading'
            checked += 1
    assert checked >= 10


def test_every_module_is_named_in_the_architecture() -> None:
    """Each module file of the package appears in ARCHITECTURE.md by its file name; a package's
    `__init__.py` by its path in the package (`read/__init__.py`), unless it is empty."""
    package = ROOT / 'hooks' / 'findings_gate'
    text = (ROOT / 'ARCHITECTURE.md').read_text()
    missing = []
    for path in sorted(package.rglob('*.py')):
        if path.name == '__init__.py' and not path.read_text().strip():
            continue
        if path.name == '__init__.py':  # by its path: read/__init__.py, or __init__.py for the package's own
            named = rf'(?<![\w./]){re.escape(path.relative_to(package).as_posix())}(?!\w)'
        else:  # paths.py is not named by diff_paths.py
            named = rf'(?<![\w.]){re.escape(path.name)}(?!\w)'
        if not re.search(named, text):
            missing.append(path.relative_to(package).as_posix())
    assert missing == [], 'not named in ARCHITECTURE.md'
