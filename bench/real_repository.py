"""The real-repository case: django 4.2 -> 4.2.16, with ruff's findings over the head.

The two sdists come from the package index with their hashes pinned and are kept
outside the repository ($FINDINGS_GATE_BENCH_CACHE, else ~/.cache/findings-gate-bench),
so a second run downloads nothing. The repository is built from their `django/`
package (3,613 files at the head; the sdists' tests and docs are left out): 4.2 on
`main`, 4.2.16 on `change` (64 files changed). ruff (the `bench` extra pins it) checks the head with every
rule: SARIF for the gate, its concise text (flake8's form) for diff-quality.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import NamedTuple

SDISTS = {  # version -> sha256 of its sdist
    '4.2': 'c36e2ab12824e2ac36afa8b2515a70c53c7742f0d6eaefa7311ec379558db997',
    '4.2.16': '6f1616c2786c408ce86ab7e10f792b8f15742f7b7b7460243929cb371e7f1dad',
}
BASE, HEAD = '4.2', '4.2.16'


class Real(NamedTuple):
    root: Path
    sarif: Path
    concise: Path
    findings: int
    untouched: int  # findings in files the change does not touch
    changed_files: int
    files: int


def cache_dir() -> Path:
    folder = os.environ.get('FINDINGS_GATE_BENCH_CACHE')
    return Path(folder) if folder else Path.home() / '.cache' / 'findings-gate-bench'


def sdist(version: str) -> Path:
    """The sdist of django `version`, downloaded once and checked against its pinned hash."""
    folder = cache_dir() / 'sdists'
    path = folder / f'Django-{version}.tar.gz'
    if not path.exists() or _sha256(path) != SDISTS[version]:
        folder.mkdir(parents=True, exist_ok=True)
        requirement = folder / f'django-{version}.txt'
        requirement.write_text(f'django=={version} --hash=sha256:{SDISTS[version]}\n')
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps', '--no-binary', ':all:',
                        '--require-hashes', '-r', str(requirement), '-d', str(folder)], check=True)
    if _sha256(path) != SDISTS[version]:
        sys.exit(f'{path}: not the pinned django {version} sdist')
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unpack(version: str, into: Path) -> None:
    """The sdist's `django/` package in place of what `into` held (but .git)."""
    for entry in into.iterdir():
        if entry.name != '.git':
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    prefix = f'Django-{version}/'
    with tarfile.open(sdist(version)) as archive:
        members = []
        for member in archive.getmembers():
            if member.name.startswith(f'{prefix}django/') and (member.isfile() or member.isdir()):
                member.name = member.name[len(prefix):]
                members.append(member)
        archive.extractall(into, members=members, filter='data')


def build(root: Path, env: dict[str, str], ruff: str) -> Real:
    def git(*args: str) -> str:
        return subprocess.run(('git', *args), cwd=root, env=env, check=True, capture_output=True,
                              text=True).stdout

    root.mkdir(parents=True)
    git('init', '-q', '-b', 'main')
    _unpack(BASE, root)
    git('add', '-A')
    git('commit', '-q', '-m', f'django {BASE}')
    git('checkout', '-q', '-b', 'change')
    _unpack(HEAD, root)
    git('add', '-A')
    git('commit', '-q', '-m', f'django {HEAD}')
    sarif, concise = root.parent / 'ruff.sarif', root.parent / 'ruff.txt'
    for fmt, path in (('sarif', sarif), ('concise', concise)):
        with open(path, 'wb') as out:
            subprocess.run([ruff, 'check', '--isolated', '--no-cache', '--select', 'ALL', '--exit-zero',
                            '--output-format', fmt, '.'], cwd=root, env=env, stdout=out, check=True)
    changed = set(git('diff', '--name-only', 'main...change').split('\n')) - {''}
    lines = [line for line in concise.read_text().splitlines() if line.count(':') >= 3]
    untouched = sum(line.split(':', 1)[0] not in changed for line in lines)
    files = len(git('ls-files').splitlines())
    return Real(root, sarif, concise, len(lines), untouched, len(changed), files)
