"""The real OpenStack Neutron code the seed reviews talk about, as a git repository.

The five seed reviews (``/work/shared/fixtures/seeds/``) discuss files of the
``neutron`` package. Its code is not part of this project: the tests download
the two released wheels from the package index once, check them against the
sha256 pinned below, and cache them outside the repository. From them the
session fixture ``neutron_repo`` builds a two-commit repository:

- branch ``main``: one commit holding the ``neutron/`` tree of neutron 15.0.0;
- branch ``change``: one more commit on top of it holding the 15.1.0 tree,
  so that ``git diff main...change`` is exactly the difference between the
  two releases' ``neutron/`` trees. The work tree is left on ``change``.

The repository is shared by every test of the session: treat it as read-only
(copy it, or ``git clone`` it, before changing anything).

Use it from a test module with::

    from tests.neutron import neutron_repo  # noqa: F401  (the fixture)

    def test_something(neutron_repo):
        ...neutron_repo.path, neutron_repo.base, neutron_repo.change...

When no package index can be reached (pip fails to download a wheel that is
not in the cache yet), the tests using the fixture are skipped, naming the
command that failed. A downloaded or cached file whose sha256 is not the pinned
one is an error, never a skip.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import pytest

# The environment as it was when the test modules were collected, before any
# fixture (conftest's autouse `isolated_git`, a test's monkeypatch) changed it.
# pip gets this environment, so that it reads the user's index configuration
# (pip.conf, PIP_* variables) as it would outside the tests.
_ENVIRON_AT_IMPORT: dict[str, str] = dict(os.environ)

BASE_VERSION = '15.0.0'
CHANGE_VERSION = '15.1.0'

# sha256 of the wheels as published on PyPI.
WHEEL_SHA256: dict[str, str] = {
    'neutron-15.0.0-py2.py3-none-any.whl':
        '61dfc43ea48350066731e3714a0790121059837b5c93a708a3bb0657feda7d1a',
    'neutron-15.1.0-py2.py3-none-any.whl':
        '4857c15ca07bd3800d3708f26435d810e08cc7d058daed565cf434839a984102',
}

# Git blob ids (prefixes) of the reviewed files, per release.
TRUNK_SERVER = 'neutron/services/trunk/rpc/server.py'
TRUNK_PLUGIN = 'neutron/services/trunk/plugin.py'
BLOBS: dict[str, tuple[str, str]] = {
    # path: (blob in 15.0.0, blob in 15.1.0)
    TRUNK_SERVER: ('daeebd8', '5515fe7'),
    TRUNK_PLUGIN: ('3aa0132', '63820dc'),
}

PACKAGE_DIR = 'neutron'

# Fixed identity and dates, so that the commits get the same ids on every run.
_GIT_IDENTITY: dict[str, str] = {
    'GIT_AUTHOR_NAME': 'Neutron Fixture',
    'GIT_AUTHOR_EMAIL': 'neutron-fixture@example.com',
    'GIT_COMMITTER_NAME': 'Neutron Fixture',
    'GIT_COMMITTER_EMAIL': 'neutron-fixture@example.com',
}
_COMMIT_DATES: dict[str, str] = {
    BASE_VERSION: '2019-10-16T12:00:00+00:00',
    CHANGE_VERSION: '2020-04-07T12:00:00+00:00',
}


class NeutronRepo(NamedTuple):
    """The fixture repository: `base` is `main` (15.0.0), `change` is `change` (15.1.0)."""

    path: Path
    base: str
    change: str


def wheel_name(version: str) -> str:
    return f'neutron-{version}-py2.py3-none-any.whl'


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the wheels are kept between runs, outside the repository.

    ``$FINDINGS_GATE_TEST_CACHE`` if set, else ``$XDG_CACHE_HOME/findings-gate-tests``,
    else ``~/.cache/findings-gate-tests``.
    """
    env = _ENVIRON_AT_IMPORT if environ is None else environ
    if env.get('FINDINGS_GATE_TEST_CACHE'):
        return Path(env['FINDINGS_GATE_TEST_CACHE'])
    if env.get('XDG_CACHE_HOME'):
        return Path(env['XDG_CACHE_HOME']) / 'findings-gate-tests'
    home = env.get('HOME')
    return (Path(home) if home else Path.home()) / '.cache' / 'findings-gate-tests'


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as stream:
        for block in iter(lambda: stream.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _pip_command(version: str, dest: Path) -> list[str]:
    return [
        sys.executable, '-m', 'pip', 'download', '--no-deps', '--only-binary', ':all:',
        '--no-input', '--disable-pip-version-check', '--progress-bar', 'off',
        '--retries', '1', '--timeout', '30',
        f'neutron=={version}', '-d', str(dest),
    ]


def fetch_wheel(version: str, cache: Path | None = None) -> Path:
    """The cached wheel of neutron `version`, downloaded first if need be.

    A cached file with the pinned sha256 is used as it is, without the network.
    Skips the calling test when pip cannot download; fails when the file
    downloaded is not the pinned one.
    """
    name = wheel_name(version)
    expected = WHEEL_SHA256[name]
    cache = cache_dir() if cache is None else cache
    target = cache / name
    if target.is_file() and sha256_of(target) == expected:
        return target

    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='download-', dir=cache) as tmp:
        dest = Path(tmp)
        command = _pip_command(version, dest)
        # One version per pip call: pip refuses two versions of one project at once.
        result = subprocess.run(
            command, env=dict(_ENVIRON_AT_IMPORT), capture_output=True, text=True,
            stdin=subprocess.DEVNULL, check=False,
        )
        downloaded = dest / name
        if result.returncode != 0 or not downloaded.is_file():
            output = (result.stderr.strip() or result.stdout.strip()).splitlines()
            pytest.skip(
                f'cannot download neutron {version} (no package index reachable?): '
                f'`{" ".join(command)}` exited with {result.returncode}'
                + (f': {output[-1]}' if output else '')
            )
        actual = sha256_of(downloaded)
        if actual != expected:
            pytest.fail(
                f'{name} downloaded by `{" ".join(command)}` has sha256 {actual}, '
                f'not the pinned {expected}: the package index served a different file',
                pytrace=False,
            )
        os.replace(downloaded, target)  # atomic: a reader never sees half a wheel
    return target


def git_env(config_dir: Path) -> dict[str, str]:
    """An environment for git that no user or system configuration reaches."""
    env = {k: v for k, v in _ENVIRON_AT_IMPORT.items() if not k.startswith('GIT_')}
    global_config = config_dir / 'gitconfig'
    if not global_config.exists():
        global_config.write_text('')
    env.update(_GIT_IDENTITY)
    env.update(GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL=str(global_config),
               LC_ALL='C', TZ='UTC')
    return env


def _git(root: Path, env: Mapping[str, str], *args: str) -> str:
    return subprocess.run(
        ('git', *args), cwd=root, env=dict(env), check=True, capture_output=True, text=True,
    ).stdout


def extract_package(wheel: Path, dest: Path) -> int:
    """Write the files under ``neutron/`` of `wheel` into `dest`; return how many."""
    count = 0
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename)
            if info.is_dir() or name.parts[:1] != (PACKAGE_DIR,):
                continue
            if name.is_absolute() or '..' in name.parts or '\\' in info.filename:
                raise ValueError(f'{wheel.name}: unsafe member {info.filename!r}')
            target = dest.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            if (info.external_attr >> 16) & 0o111:
                target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            count += 1
    return count


def _commit(root: Path, env: Mapping[str, str], version: str) -> str:
    commit_env = {**env, 'GIT_AUTHOR_DATE': _COMMIT_DATES[version],
                  'GIT_COMMITTER_DATE': _COMMIT_DATES[version]}
    # -f: a .gitignore inside the package must not keep a file out.
    _git(root, commit_env, 'add', '-A', '-f')
    _git(root, commit_env, 'commit', '-q', '--no-verify', '-m', f'neutron {version}')
    return _git(root, commit_env, 'rev-parse', 'HEAD').strip()


def _blob(root: Path, env: Mapping[str, str], commit: str, path: str) -> str:
    return _git(root, env, 'rev-parse', f'{commit}:{path}').strip()


def build_neutron_repo(root: Path, base_wheel: Path, change_wheel: Path) -> NeutronRepo:
    """Build the two-commit repository in `root` (which must not exist yet)."""
    root.mkdir(parents=True)
    config_dir = root.parent / f'{root.name}-gitconfig'
    config_dir.mkdir(exist_ok=True)
    env = git_env(config_dir)
    _git(root, env, 'init', '-q', '-b', 'main')

    extract_package(base_wheel, root)
    base = _commit(root, env, BASE_VERSION)

    _git(root, env, 'checkout', '-q', '-b', 'change')
    shutil.rmtree(root / PACKAGE_DIR)  # so that files gone in 15.1.0 are deleted
    extract_package(change_wheel, root)
    change = _commit(root, env, CHANGE_VERSION)

    for path, (base_blob, change_blob) in BLOBS.items():
        for commit, want in ((base, base_blob), (change, change_blob)):
            got = _blob(root, env, commit, path)
            if not got.startswith(want):
                raise AssertionError(f'{commit}:{path} is blob {got}, expected {want}…')
    return NeutronRepo(root, base, change)


@pytest.fixture(scope='session')
def neutron_repo(tmp_path_factory: pytest.TempPathFactory) -> NeutronRepo:
    """neutron 15.0.0 on `main`, 15.1.0 on `change`, built once per session."""
    base_wheel = fetch_wheel(BASE_VERSION)
    change_wheel = fetch_wheel(CHANGE_VERSION)
    return build_neutron_repo(
        tmp_path_factory.mktemp('neutron') / 'repo', base_wheel, change_wheel,
    )
