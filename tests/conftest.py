from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def pytest_report_header() -> str:
    import yaml

    return f'PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__})'


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        '--update-golden', action='store_true',
        help='rewrite the expected output of tests/cases/ from this run',
    )


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the user's and the system's git configuration out of every test."""
    home = tmp_path_factory.mktemp('home')
    monkeypatch.setenv('GIT_CONFIG_NOSYSTEM', '1')
    monkeypatch.setenv('GIT_CONFIG_GLOBAL', str(home / '.gitconfig'))
    monkeypatch.setenv('FINDINGS_GATE_CACHE', str(home / 'cache'))  # each test starts with none
    for name in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_NOTES_REF',
                 'PRE_COMMIT_FROM_REF', 'PRE_COMMIT_TO_REF', 'NO_COLOR', 'PRE_COMMIT_COLOR',
                 'GITHUB_ACTIONS', 'GITLAB_CI', 'ZUUL_BRANCH'):
        monkeypatch.delenv(name, raising=False)
    for role in ('AUTHOR', 'COMMITTER'):
        monkeypatch.setenv(f'GIT_{role}_NAME', 'Test Author')
        monkeypatch.setenv(f'GIT_{role}_EMAIL', 'author@example.com')
        monkeypatch.setenv(f'GIT_{role}_DATE', '2026-01-01T00:00:00+00:00')


def git(cwd: Path, *args: str) -> str:
    """Run real git in `cwd` and return its standard output."""
    return subprocess.run(
        ('git', *args), cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout


class Repo:
    """A throwaway git repository in a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        git(root, 'init', '-q', '-b', 'main')

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def write(self, path: str, text: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_bytes(text.encode())
        return target

    def commit(self, message: str = 'change') -> str:
        self.git('add', '-A')
        self.git('commit', '-q', '--allow-empty', '-m', message)
        return self.git('rev-parse', 'HEAD').strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / 'repo')


def fetch_origin(repo: Repo) -> None:
    """Every branch fetched as `origin/<branch>`, as a CI's full clone has them."""
    if 'origin' not in repo.git('remote').split():
        repo.git('remote', 'add', 'origin', str(repo.root))
    repo.git('fetch', '-q', 'origin')


def gitlab_merge_request(repo: Repo, base: str, target: str) -> dict[str, str]:
    """What GitLab sets in a merge request pipeline (not a merged results one), in a
    clone of every branch (GIT_DEPTH: 0)."""
    fetch_origin(repo)
    return {'GITLAB_CI': 'true', 'CI_PIPELINE_SOURCE': 'merge_request_event', 'CI_DEFAULT_BRANCH': 'main',
            'CI_COMMIT_SHA': repo.git('rev-parse', 'HEAD').strip(), 'CI_COMMIT_BEFORE_SHA': '0' * 40,
            'CI_MERGE_REQUEST_IID': '1', 'CI_MERGE_REQUEST_DIFF_BASE_SHA': base,
            'CI_MERGE_REQUEST_TARGET_BRANCH_NAME': target,
            'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME': repo.git('branch', '--show-current').strip()}
