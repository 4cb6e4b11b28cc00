"""`findings-gate attach`: what the note records, and writers at the same time (real git)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from findings_gate.cli import main
from tests.conftest import Repo

FINDINGS_GATE = shutil.which('findings-gate', path=str(Path(sys.executable).parent))


def review(name: str, **change: str) -> dict:
    return {'version': 1, 'reviewer': {'name': name, 'kind': 'human'}, 'verdict': 'no-findings', 'findings': [],
            **({'change': change} if change else {})}


@pytest.fixture
def branch(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main: one commit; branch `topic`: two more."""
    monkeypatch.chdir(repo.root)
    repo.write('a.py', 'a = 1\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('a.py', 'a = 2\n')
    repo.commit('topic 1')
    repo.write('b.py', 'b = 1\n')
    repo.commit('topic 2')
    return repo


def _noted(repo: Repo, commit: str = 'HEAD') -> list[dict]:
    return [json.loads(line) for line in repo.git('notes', '--ref=refs/notes/reviews', 'show', commit).splitlines()]


def _attach(report: dict, *args: str) -> int:
    Path('review.json').write_text(json.dumps(report))
    return main(['attach', 'review.json', *args])


def test_attach_records_the_commit_and_its_own_diff_as_what_was_reviewed(
        branch: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    head, parent = (branch.git('rev-parse', name).strip() for name in ('HEAD', 'HEAD~1'))
    assert _attach(review('ann')) == 0
    assert [r['change'] for r in _noted(branch)] == [{'revision': head, 'base': parent}]
    assert capsys.readouterr().out == (
        f'review.json: attached to {head[:12]} in refs/notes/reviews, a review of '
        f'{parent[:12]}..{head[:12]} (1 report there); share it with: git push origin refs/notes/reviews\n')


def test_attach_base_records_the_merge_base_and_names_are_pinned_to_commits(
        branch: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    start = branch.git('rev-parse', 'main').strip()
    branch.git('checkout', '-q', 'main')
    branch.write('c.py', 'c = 1\n')
    branch.commit('main moves on')
    branch.git('checkout', '-q', 'topic')
    assert _attach(review('ann'), '--base', 'main') == 0
    assert _noted(branch)[0]['change']['base'] == start
    # a report that names its revision by a name keeps the commit the name means now, and its claim
    assert _attach(review('bob', revision='HEAD~1'), '--commit', 'HEAD~1') == 0
    assert _noted(branch, 'HEAD~1')[0]['change'] == {'revision': branch.git('rev-parse', 'HEAD~1').strip()}
    capsys.readouterr()
    assert _attach(review('cy', base='main'), '--base', 'main') == 2
    assert capsys.readouterr().err == (
        'findings-gate: error: review.json: the report names its base (main); leave out --base, '
        'or take change.base out of the report\n')


@pytest.mark.skipif(FINDINGS_GATE is None, reason=f'no findings-gate script next to {sys.executable}')
def test_writers_at_the_same_time_all_keep_their_reports(branch: Repo, tmp_path: Path) -> None:
    assert FINDINGS_GATE is not None
    paths = []
    for i in range(8):
        paths.append(tmp_path / f'r{i}.json')
        paths[-1].write_text(json.dumps(review(f'reviewer-{i}')))
    running = [subprocess.Popen((FINDINGS_GATE, 'attach', str(p)), cwd=branch.root,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for p in paths]
    for proc in running:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
    assert sorted(r['reviewer']['name'] for r in _noted(branch)) == [f'reviewer-{i}' for i in range(8)]
    assert branch.git('for-each-ref', 'refs/notes/').count('\n') == 1  # no scratch ref is left behind
