"""Real analysers run on a temporary repository's files, for tests that need their real output."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(tool: str, *args: str, cwd: Path) -> str:
    """The standard output of `tool` (bandit, ruff: installed beside the tests' Python) run in `cwd`;
    their exit code says whether they found something, so it is not checked."""
    done = subprocess.run((str(Path(sys.executable).parent / tool), *args), cwd=cwd,
                          capture_output=True, text=True)
    assert done.stdout or done.returncode == 0, done.stderr
    return done.stdout


def bandit_sarif(cwd: Path, *paths: str) -> str:
    return run('bandit', '-q', '-f', 'sarif', *paths, cwd=cwd)


def ruff_sarif(cwd: Path, *paths: str, select: str = 'E501') -> str:
    return run('ruff', 'check', '--no-cache', '--isolated', '--output-format', 'sarif', '--select', select,
               '--exit-zero', *paths, cwd=cwd)
