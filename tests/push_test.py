"""Pushes: every pushed ref gated, and review notes the remote lacks named (real git, real pushes)."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from findings_gate import push
from findings_gate.cli import main
from tests.conftest import Repo

FINDINGS_GATE = shutil.which('findings-gate', path=str(Path(sys.executable).parent))
REVIEW = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
          'findings': [{'title': 'eval of input', 'severity': 'high', 'location': {'path': 'app.py', 'start_line': 2}}]}


@pytest.fixture
def pushing(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main pushed to `origin`; branches `good` and `bad` on it, `bad` with a noted high finding."""
    monkeypatch.chdir(repo.root)
    subprocess.run(('git', 'init', '-q', '--bare', str(tmp_path / 'remote.git')), check=True)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.git('remote', 'add', 'origin', str(tmp_path / 'remote.git'))
    repo.git('push', '-q', 'origin', 'main')
    repo.git('checkout', '-q', '-b', 'good')
    repo.write('app.py', 'x = 1\ny = 2\n')
    repo.commit('good')
    repo.git('checkout', '-q', '-b', 'bad', 'main')
    repo.write('app.py', 'x = 1\nz = eval(input())\n')
    repo.commit('bad')
    (tmp_path / 'review.json').write_text(json.dumps(REVIEW))
    assert main(['attach', str(tmp_path / 'review.json')]) == 0
    repo.git('checkout', '-q', 'main')
    return repo


def _lines(repo: Repo, *branches: str) -> bytes:
    """What git writes to a pre-push hook for a first push of `branches`."""
    zero = '0' * 40
    return ''.join(f'refs/heads/{b} {repo.git("rev-parse", b).strip()} refs/heads/{b} {zero}\n'
                   for b in branches).encode()


def test_as_gits_pre_push_hook_every_pushed_ref_is_gated(
        pushing: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr('sys.stdin', io.TextIOWrapper(io.BytesIO(_lines(pushing, 'good', 'bad'))))
    capsys.readouterr()
    assert main(['check', '--pre-push', 'origin', 'url-of-origin']) == 1
    out, err = capsys.readouterr()
    assert out.startswith('findings-gate: refs/heads/good to origin refs/heads/good\n')
    assert '\nfindings-gate: refs/heads/bad to origin refs/heads/bad\n' in out
    assert 'app.py:2: BLOCK block-severe-on-change: eval of input [bot]\n' in out
    bad = pushing.git('rev-parse', 'bad').strip()[:12]
    assert err == (f'findings-gate: warning: 1 pushed commit has review notes in refs/notes/reviews that origin '
                   f'does not ({bad}); share them with: git push origin refs/notes/reviews\n')
    pushing.git('push', '-q', 'origin', 'refs/notes/reviews')
    monkeypatch.setattr('sys.stdin', io.TextIOWrapper(io.BytesIO(_lines(pushing, 'good'))))
    assert main(['check', '--pre-push', 'origin', 'url-of-origin']) == 0
    assert capsys.readouterr().err == ''


@pytest.mark.skipif(FINDINGS_GATE is None, reason=f'no findings-gate script next to {sys.executable}')
def test_git_push_of_two_branches_with_the_gate_as_gits_own_hook(
        pushing: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy2(Path(__file__).parent.parent / 'docs' / 'examples' / 'pre-push', pushing.root / '.git' / 'hooks')
    monkeypatch.setenv('PATH', f'{Path(sys.executable).parent}{os.pathsep}{os.environ["PATH"]}')
    done = subprocess.run(('git', 'push', 'origin', 'good', 'bad'), cwd=pushing.root, capture_output=True, text=True)
    assert done.returncode != 0, done.stdout
    assert 'app.py:2: BLOCK block-severe-on-change: eval of input [bot]' in done.stdout
    assert subprocess.run(('git', 'for-each-ref', '--format=%(refname)'), cwd=tmp_path / 'remote.git',
                          capture_output=True, text=True).stdout == 'refs/heads/main\n'  # neither was pushed
    done = subprocess.run(('git', 'push', '-q', 'origin', 'good'), cwd=pushing.root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(('argv', 'configured', 'expected'), [
    (['git', 'push', 'origin', 'good', 'bad'], {}, ['good', 'bad']),
    (['/usr/bin/git', '-C', 'x', '-c', 'a=b', 'push', '-u', '--force-with-lease', 'origin', 'HEAD:main'], {},
     ['HEAD:main']),
    (['git', 'push', '-o', 'ci.skip', 'origin', 'a'], {}, ['a']),
    (['git', 'push', '--repo', 'origin', 'origin', 'a', ':gone'], {}, ['a']),
    (['git', 'push', '--delete', 'origin', 'a', 'b'], {}, []),
    (['git', 'push', 'origin', 'refs/heads/*:refs/heads/*'], {}, ['refs/heads/*:refs/heads/*', '(a pattern)']),
    (['git', 'push', '--all', 'origin'], {}, ['--all']),
    (['git', 'push', 'origin', '--', 'a', 'b'], {}, ['a', 'b']),
    (['git', 'push'], {}, ['(the current branch)']),
    (['git', 'push'], {'push.default': ['matching']}, ['--all']),
    (['git', 'push', 'up'], {'remote.up.push': ['a', 'b']}, ['a', 'b']),
    (['git', 'fetch', 'origin'], {}, None),
    (['python', 'push'], {}, None),
])
def test_the_refs_a_git_push_command_line_names(argv: list[str], configured: dict, expected: list[str] | None) -> None:
    assert push.named(argv, lambda key: configured.get(key, [])) == expected


def test_a_remote_is_for_the_pre_push_hook_and_its_input_is_gits(
        pushing: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['check', 'origin']) == 2
    assert capsys.readouterr().err == ("findings-gate: error: 'origin': check takes no such argument; a remote and "
                                       "its URL go after --pre-push, as git runs its pre-push hook\n")
    monkeypatch.setattr('sys.stdin', io.TextIOWrapper(io.BytesIO(b'refs/heads/good\n')))
    assert main(['check', '--pre-push', 'origin', 'url']) == 2
    assert capsys.readouterr().err.startswith(
        "findings-gate: error: standard input:1: 'refs/heads/good' is not a line git gives a pre-push hook")
    # a deletion and a notes ref send no code
    zero = '0' * 40
    notes = pushing.git('rev-parse', 'refs/notes/reviews').strip()
    lines = f'(delete) {zero} refs/heads/old {"1" * 40}\nrefs/notes/reviews {notes} refs/notes/reviews {zero}\n'
    monkeypatch.setattr('sys.stdin', io.TextIOWrapper(io.BytesIO(lines.encode())))
    assert main(['check', '--pre-push', 'origin', 'url']) == 0
    assert capsys.readouterr().out == 'findings-gate: nothing to gate: the push sends no commit the remote lacks\n'
