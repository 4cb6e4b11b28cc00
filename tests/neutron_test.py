from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import neutron
from tests.neutron import NeutronRepo, neutron_repo  # noqa: F401  (the fixture)

# The fixture's commits have fixed content, author, committer and dates: same ids on every run.
BASE_COMMIT = 'e11da9ce977a7bae2d348cd31092390bf8b1f90c'
CHANGE_COMMIT = 'df8968d799d3dd4d73a6993aa8c31876447ad69e'


def git(repo: NeutronRepo, *args: str) -> str:
    return subprocess.run(
        ('git', *args), cwd=repo.path, check=True, capture_output=True, text=True,
    ).stdout


def changed_files(repo: NeutronRepo) -> list[str]:
    return git(repo, 'diff', '--no-renames', '--name-only', 'main...change').splitlines()


def test_the_fixture_builds_the_two_commits_with_fixed_ids(neutron_repo: NeutronRepo) -> None:
    assert (neutron_repo.base, neutron_repo.change) == (BASE_COMMIT, CHANGE_COMMIT)
    assert git(neutron_repo, 'rev-parse', 'main').strip() == BASE_COMMIT
    assert git(neutron_repo, 'rev-parse', 'change').strip() == CHANGE_COMMIT
    assert git(neutron_repo, 'rev-parse', 'change^').strip() == BASE_COMMIT
    assert git(neutron_repo, 'rev-list', '--count', 'change').strip() == '2'
    assert git(neutron_repo, 'symbolic-ref', '--short', 'HEAD').strip() == 'change'
    assert git(neutron_repo, 'status', '--porcelain', '--ignored') == ''


def test_each_commit_holds_only_the_package_tree(neutron_repo: NeutronRepo) -> None:
    for commit, count in ((BASE_COMMIT, 1619), (CHANGE_COMMIT, 1620)):
        files = git(neutron_repo, 'ls-tree', '-r', '--name-only', commit).splitlines()
        assert len(files) == count
        assert all(name.startswith('neutron/') for name in files)


@pytest.mark.parametrize('path', sorted(neutron.BLOBS))
def test_the_reviewed_files_are_the_known_blobs(neutron_repo: NeutronRepo, path: str) -> None:
    base_blob, change_blob = neutron.BLOBS[path]
    assert git(neutron_repo, 'rev-parse', f'main:{path}').startswith(base_blob)
    assert git(neutron_repo, 'rev-parse', f'change:{path}').startswith(change_blob)
    assert git(neutron_repo, 'hash-object', path).startswith(change_blob)  # the work tree


def test_the_diff_is_the_difference_between_the_releases(neutron_repo: NeutronRepo) -> None:
    files = changed_files(neutron_repo)
    assert len(files) == 157
    assert [name for name in files if name.startswith('neutron/services/trunk/')] == [
        'neutron/services/trunk/drivers/openvswitch/agent/ovsdb_handler.py',
        neutron.TRUNK_PLUGIN,
        neutron.TRUNK_SERVER,
    ]
    status = git(neutron_repo, 'diff', '--no-renames', '--name-status', 'main...change')
    kinds = sorted(line.split('\t')[0] for line in status.splitlines())
    assert (kinds.count('A'), kinds.count('D'), kinds.count('M')) == (4, 3, 150)


def test_the_server_change_adds_the_stale_data_retry(neutron_repo: NeutronRepo) -> None:
    diff = git(neutron_repo, 'diff', 'main...change', '--', neutron.TRUNK_SERVER)
    assert re.search(r'^\+.*StaleDataError', diff, re.MULTILINE)


def _definition_lines(text: str, name: str) -> tuple[int, int]:
    """(line of the first decorator, line of the def) of method `name`, 1-based."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if re.match(rf'\s+def {name}\(', line))
    start = index
    while start > 0 and lines[start - 1].lstrip().startswith('@'):
        start -= 1
    return start + 1, index + 1


def test_the_plugin_methods_are_where_the_readme_says(neutron_repo: NeutronRepo) -> None:
    text = git(neutron_repo, 'show', f'change:{neutron.TRUNK_PLUGIN}')
    assert _definition_lines(text, '_trigger_trunk_status_change') == (415, 416)
    assert _definition_lines(text, 'update_trunk') == (238, 239)
    assert text == (neutron_repo.path / neutron.TRUNK_PLUGIN).read_text()


# The cache and the download, without the network.

def test_the_cache_location_follows_the_environment(tmp_path: Path) -> None:
    assert neutron.cache_dir({'FINDINGS_GATE_TEST_CACHE': '/c', 'XDG_CACHE_HOME': '/x',
                              'HOME': '/h'}) == Path('/c')
    assert neutron.cache_dir({'XDG_CACHE_HOME': '/x', 'HOME': '/h'}) == Path(
        '/x/findings-gate-tests')
    assert neutron.cache_dir({'FINDINGS_GATE_TEST_CACHE': '', 'XDG_CACHE_HOME': '',
                              'HOME': '/h'}) == Path('/h/.cache/findings-gate-tests')


def _fake_pip(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Replace pip by a Python `script` run with the destination directory as argv[1]."""
    monkeypatch.setattr(neutron, '_pip_command', lambda version, dest: [
        sys.executable, '-c', script, str(dest),
    ])


def test_a_cached_wheel_is_used_without_pip(
        neutron_repo: NeutronRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError('pip was run although the cache holds the wheel')

    monkeypatch.setattr(neutron.subprocess, 'run', no_network)
    for version in (neutron.BASE_VERSION, neutron.CHANGE_VERSION):
        wheel = neutron.fetch_wheel(version)
        assert neutron.sha256_of(wheel) == neutron.WHEEL_SHA256[wheel.name]


def test_a_failing_download_skips_naming_the_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_pip(monkeypatch, 'import sys; sys.exit("ERROR: No matching distribution found")')
    with pytest.raises(pytest.skip.Exception) as skipped:
        neutron.fetch_wheel(neutron.BASE_VERSION, tmp_path / 'cache')
    reason = str(skipped.value)
    assert 'cannot download neutron 15.0.0' in reason
    assert f'`{sys.executable} -c ' in reason
    assert 'exited with 1: ERROR: No matching distribution found' in reason
    assert list((tmp_path / 'cache').iterdir()) == []


def test_the_real_pip_command_downloads_one_pinned_version() -> None:
    command = neutron._pip_command('15.1.0', Path('/d'))
    assert command[:4] == [sys.executable, '-m', 'pip', 'download']
    assert '--no-deps' in command and 'neutron==15.1.0' in command
    assert command[-2:] == ['-d', '/d']


def test_a_wheel_with_another_hash_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = neutron.wheel_name(neutron.BASE_VERSION)
    _fake_pip(monkeypatch, f'import sys, pathlib; (pathlib.Path(sys.argv[1]) / {name!r})'
                           '.write_bytes(b"not the wheel")')
    with pytest.raises(pytest.fail.Exception, match='not the pinned 61dfc43ea483'):
        neutron.fetch_wheel(neutron.BASE_VERSION, tmp_path / 'cache')
    assert list((tmp_path / 'cache').iterdir()) == []


def test_a_corrupt_cached_wheel_is_downloaded_again(
        neutron_repo: NeutronRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = neutron.fetch_wheel(neutron.CHANGE_VERSION)
    cache = tmp_path / 'cache'
    cache.mkdir()
    (cache / real.name).write_bytes(b'truncated')
    _fake_pip(monkeypatch, f'import sys, shutil; shutil.copy({str(real)!r}, sys.argv[1])')
    wheel = neutron.fetch_wheel(neutron.CHANGE_VERSION, cache)
    assert wheel == cache / real.name
    assert neutron.sha256_of(wheel) == neutron.WHEEL_SHA256[real.name]
    assert sorted(path.name for path in cache.iterdir()) == [real.name]
