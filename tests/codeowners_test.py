"""`require` with `reviewer: codeowners`: CODEOWNERS read as GitHub reads it, from where the policy is read."""
from __future__ import annotations

import json

import pytest

from findings_gate.cli import main
from findings_gate.decide import codeowners
from tests.conftest import Repo

# overlapping patterns: the last matching line decides
CODEOWNERS = '''# owners of the repository
*                 @lead
src/              @backend          # any src directory, at any depth
src/auth/         @security
docs/*            writer@example.com
/src/generated/
'''
POLICY = 'version: 1\nrequire:\n  - {name: owners-review, paths: "**", reviewer: codeowners}\n'


@pytest.mark.parametrize(('pattern', 'path', 'matches'), [
    # GitHub's examples (docs.github.com, "About code owners"), and where gitignore differs
    ('*.js', 'a/b/c.js', True),  # no slash: any depth
    ('docs/*', 'docs/getting-started.md', True),
    ('docs/*', 'docs/build-app/troubleshooting.md', False),  # gitignore would match: docs/build-app is a child
    ('/*', 'README.md', True),
    ('/*', 'src/a.py', False),
    ('apps/', 'x/apps/y/z.py', True),  # a directory at any depth, and all below it
    ('/build/logs/', 'build/logs/a/b.log', True),
    ('/build/logs/', 'x/build/logs/a.log', False),  # anchored
    ('**/logs', 'deep/down/logs/a.log', True),
    ('/apps/github', 'apps/github/x.py', True),
    ('docs/*.md', 'docs/a.md', True),
    ('docs/*.md', 'x/docs/a.md', False),  # a slash in the middle anchors it
    ('*', 'a/b/c', True),
    ('src/*/x.py', 'src/a/b/x.py', False),  # `*` does not cross `/`
])
def test_patterns_match_as_github_says(pattern: str, path: str, matches: bool) -> None:
    owners = codeowners.parse(f'{pattern} @owner\n', 'CODEOWNERS')
    assert (codeowners.owners_of(owners, path) == ('@owner',)) is matches


def test_the_last_matching_line_wins_and_a_line_without_owners_unowns() -> None:
    owners = codeowners.parse(CODEOWNERS, 'CODEOWNERS')
    assert {p: codeowners.owners_of(owners, p) for p in (
        'README.md', 'src/app.py', 'lib/src/x.py', 'src/auth/login.py', 'docs/index.md',
        'docs/guide/deep.md', 'src/generated/api.py')} == {
        'README.md': ('@lead',), 'src/app.py': ('@backend',), 'lib/src/x.py': ('@backend',),
        'src/auth/login.py': ('@security',), 'docs/index.md': ('writer@example.com',),
        'docs/guide/deep.md': ('@lead',), 'src/generated/api.py': ()}


def _review(repo: Repo, name: str) -> str:
    path = repo.root.parent / f'{name}.json'
    path.write_text(json.dumps({'version': 1, 'reviewer': {'name': name, 'kind': 'human'}, 'findings': []}))
    return str(path)


def _changed(repo: Repo, owners: str = CODEOWNERS, where: str = '.github/CODEOWNERS') -> None:
    repo.write('.findings-gate.yaml', POLICY)
    repo.write(where, owners)
    for path in ('src/app.py', 'src/auth/login.py', 'docs/index.md', 'docs/guide/deep.md', 'src/generated/api.py'):
        repo.write(path, 'x = 1\n')
    repo.commit('base')
    for path in ('src/app.py', 'src/auth/login.py', 'docs/index.md', 'docs/guide/deep.md', 'src/generated/api.py'):
        repo.write(path, 'x = 2\n')
    repo.git('add', '-A')


def test_each_changed_file_needs_a_report_by_one_of_its_owners_and_unowned_files_are_named(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    _changed(repo)
    reports = [arg for name in ('backend', 'security', 'writer@example.com', 'mallory')
               for arg in ('--report', _review(repo, name))]
    assert main(['check', *reports]) == 1
    out = capsys.readouterr().out
    assert ('change: BLOCK require: owners-review: each changed file matching ** needs 1 report by distinct code '
            'owners of the file; 2 files have fewer; 1 of them has no code owner in .github/CODEOWNERS: '
            'src/generated/api.py\n  docs/guide/deep.md\n  src/generated/api.py\n') in out
    # the lead owns the nested docs file (docs/* does not reach it); the generated file stays unowned
    assert main(['check', *reports, '--report', _review(repo, 'lead'), '--format', 'json']) == 1
    [condition] = json.loads(capsys.readouterr().out)['conditions']
    assert condition['paths'] == ['src/generated/api.py']


def test_github_takes_the_first_codeowners_of_github_root_and_docs(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('CODEOWNERS', '* @root-owner\n')
    repo.write('docs/CODEOWNERS', '* @docs-owner\n')
    _changed(repo, '* @github-owner\n')
    assert main(['check', '--report', _review(repo, 'root-owner')]) == 1
    capsys.readouterr()
    assert main(['check', '--report', _review(repo, 'github-owner')]) == 0


def test_codeowners_is_read_from_the_trusted_base_not_from_the_change(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', POLICY)
    repo.write('CODEOWNERS', '* @security\n')
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('CODEOWNERS', '* @mallory\n')
    repo.write('app.py', 'x = 2\n')
    repo.commit('mallory owns everything now')
    report = _review(repo, 'mallory')
    assert main(['check', '--base', 'main', '--trusted-config', 'base', '--report', report]) == 1
    out = capsys.readouterr().out
    assert 'needs 1 report by distinct code owners of the file; 2 files have fewer' in out
    assert "CODEOWNERS: WARN config_changed: the change edits the gate's configuration" in out
    assert main(['check', '--base', 'main', '--trusted-config', 'base',
                 '--report', _review(repo, 'security')]) == 0


def test_without_a_codeowners_file_no_file_has_an_owner(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', POLICY)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 2\n')
    repo.git('add', '-A')
    assert main(['check', '--report', _review(repo, 'lead')]) == 1
    assert ('1 file has fewer; no CODEOWNERS file (.github/, the root or docs/) names their owners\n  app.py\n'
            in capsys.readouterr().out)


def test_a_pattern_github_skips_is_an_error_naming_its_line(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    _changed(repo, '* @lead\n!docs/ @nobody\nsrc/[ab].py @x\n', where='CODEOWNERS')
    assert main(['check', '--report', _review(repo, 'lead')]) == 2
    assert capsys.readouterr().err == (
        "findings-gate: error: CODEOWNERS:2: '!docs/': GitHub supports no ! in a CODEOWNERS pattern and skips "
        "the line; write the paths out\n"
        "findings-gate: error: CODEOWNERS:3: 'src/[ab].py': GitHub supports no [ ] in a CODEOWNERS pattern and "
        "skips the line; write the paths out\n")
