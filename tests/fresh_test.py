"""Freshness: a review of an earlier revision, checked against the change as it is now (real git)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate import gate
from findings_gate.cli import main
from findings_gate.model import Decision
from findings_gate.place import freshness
from findings_gate.place.diff import parse_diff
from tests.conftest import Repo

APP = ''.join(f'line_{i} = {i}\n' for i in range(1, 21))


def _review(path: Path, revision: str, *findings: tuple[str, int, int | None], **change: object) -> str:
    path.write_text(json.dumps({
        'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
        'change': {'revision': revision, **change},
        'findings': [{'title': title, 'severity': 'high',
                      'location': {'path': 'app.py', 'start_line': start,
                                   **({'end_line': end} if end else {})}}
                     for title, start, end in findings],
    }))
    return str(path)


def _branch(repo: Repo, monkeypatch: pytest.MonkeyPatch, reviewed: str) -> str:
    """main has APP; branch `change` commits `reviewed` and returns that commit."""
    monkeypatch.chdir(repo.root)
    repo.write('app.py', APP)
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('app.py', reviewed)
    return repo.commit('reviewed')


def _by_title(decision: Decision) -> dict[str, tuple[int | None, str | None, str]]:
    return {d.placed.finding.title: (d.placed.finding.location.start_line, d.placed.finding.stale, d.rule)
            for d in decision.findings}


def test_findings_move_with_the_lines_above_them_and_rewritten_ones_are_stale(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    reviewed = APP.replace('line_5 = 5', 'line_5 = "five"')
    revision = _branch(repo, monkeypatch, reviewed)
    now = 'import os\nimport sys\n' + reviewed.replace('line_10 = 10', 'line_10 = "ten"').replace(
        'line_15 = 15\n', 'line_15 = 15\nline_15b = 15\n')
    repo.write('app.py', now)
    repo.commit('after the review')
    report = _review(tmp_path / 'r.json', revision,
                     ('above every edit', 5, None), ('on the rewritten line', 9, 11),
                     ('spans an insertion', 14, 17), ('below every edit', 20, None))
    decision = gate.run(gate.Target(base='main'), reports=[report])
    assert _by_title(decision) == {
        'above every edit': (7, None, 'block-severe-on-change'),
        'on the rewritten line': (11, 'lines 9-11 changed after the review of ' + revision[:12], 'stale'),
        'spans an insertion': (16, 'lines 14-17 changed after the review of ' + revision[:12], 'stale'),
        'below every edit': (23, None, 'warn-in-changed-files'),
    }
    [stale] = [d for d in decision.findings if d.rule == 'stale' and d.placed.finding.title == 'on the rewritten line']
    assert stale.action == 'warn'  # the default policy's `stale`


def test_a_renamed_file_takes_its_findings_along_and_a_deleted_one_makes_them_stale(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    revision = _branch(repo, monkeypatch, APP.replace('line_5 = 5', 'line_5 = "five"'))
    repo.write('other.py', 'x = 1\n')
    repo.commit('another file')
    repo.git('mv', 'app.py', 'renamed.py')
    repo.commit('rename')
    report = _review(tmp_path / 'r.json', revision, ('in the renamed file', 5, None))
    [decided] = gate.run(gate.Target(base='main'), reports=[report]).findings
    assert (decided.placed.path, decided.placed.finding.stale) == ('renamed.py', None)
    repo.git('rm', '-q', 'renamed.py')
    repo.commit('delete')
    [decided] = gate.run(gate.Target(base='main'), reports=[report]).findings
    assert decided.placed.finding.stale == f'app.py was deleted after the review of {revision[:12]}'


def _stale_files(decision: Decision) -> frozenset[str]:
    [report] = decision.reports
    return report.stale_files  # type: ignore[union-attr]


def test_a_file_whose_diff_is_unchanged_stays_reviewed_even_after_a_rebase(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    revision = _branch(repo, monkeypatch, APP.replace('line_15 = 15', 'line_15 = "fifteen"'))
    repo.write('notes.txt', 'touched after the review\n')
    repo.commit('a second file, after the review')
    report = _review(tmp_path / 'r.json', revision, ('in app.py', 15, None))
    assert _stale_files(gate.run(gate.Target(base='main'), reports=[report])) == {'notes.txt'}
    # main moves on in the same file; the branch is rebased: app.py's own diff is the same
    repo.git('checkout', '-q', 'main')
    repo.write('app.py', 'import os\n' + APP)
    repo.commit('main moves on')
    repo.git('checkout', '-q', 'change')
    repo.git('rebase', '-q', 'main')
    decision = gate.run(gate.Target(base='main'), reports=[report])
    assert _stale_files(decision) == {'notes.txt'}
    [decided] = decision.findings
    assert decided.placed.finding.stale is None  # the rebase moved it, it did not rewrite it
    assert decided.placed.finding.location.start_line == 16


def test_a_review_of_the_head_is_fresh_and_an_unknown_revision_reviews_nothing(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    revision = _branch(repo, monkeypatch, APP.replace('line_5 = 5', 'line_5 = "five"'))
    fresh_report = _review(tmp_path / 'freshness.json', revision, ('here', 5, None))
    decision = gate.run(gate.Target(base='main'), reports=[fresh_report])
    assert _stale_files(decision) == frozenset()
    unknown = _review(tmp_path / 'unknown.json', 'f' * 40, ('here', 5, None))
    decision = gate.run(gate.Target(base='main'), reports=[unknown])
    assert _stale_files(decision) == {'app.py'}  # fail closed: it covers no file
    [decided] = decision.findings
    assert (decided.placed.finding.stale, decided.action) == (None, 'block')  # nor does it weaken a finding


def test_a_staged_change_compared_with_a_review_of_the_last_commit(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    revision = _branch(repo, monkeypatch, APP.replace('line_5 = 5', 'line_5 = "five"'))
    repo.write('app.py', APP.replace('line_5 = 5', 'line_5 = "five"').replace('line_2 = 2', 'line_2 = "two"'))
    repo.git('add', 'app.py')
    report = _review(tmp_path / 'r.json', revision, ('reviewed line', 5, None), ('now rewritten', 2, None))
    decision = gate.run(gate.Target(), reports=[report])
    assert _stale_files(decision) == {'app.py'}  # the staged diff is not the one reviewed
    assert _by_title(decision) == {
        'reviewed line': (5, None, 'block-severe-on-change'),  # next to the staged edit
        'now rewritten': (2, f'line 2 changed after the review of {revision[:12]}', 'stale'),
    }


def _patches(text: str) -> dict[str, tuple[object, ...]]:
    return freshness.patches(parse_diff(text, 'x'))


def test_patches_leave_out_line_numbers_but_keep_what_changed() -> None:
    one = ('diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n'
           '@@ -3 +3 @@ def f():\n-a\n+b\n')
    moved = one.replace('@@ -3 +3 @@', '@@ -13 +14 @@')
    other = one.replace('+b', '+c')
    assert _patches(one) == _patches(moved) != _patches(other)
    assert list(_patches(one)) == ['f']


@pytest.mark.parametrize(('line', 'end', 'expected'), [
    (1, False, (1, False)),  # above every hunk
    (4, False, (4, True)),  # in the replaced lines 4-5: where the rewrite starts
    (5, True, (5, True)),  # ... and where it ends (two lines became two)
    (6, False, (6, False)),  # between the two hunks: no shift yet
    (9, False, (11, False)),  # after the two lines added after line 7
    (8, False, (10, False)),
])
def test_moving_a_line_through_hunks(line: int, end: bool, expected: tuple[int, bool]) -> None:
    hunks = (freshness.Hunk(4, 2, 4, 2), freshness.Hunk(7, 0, 8, 2))
    assert freshness._move_line(line, hunks, end=end) == expected


def test_a_binary_files_patch_is_its_new_content() -> None:
    def binary(old: str, new: str) -> str:
        return (f'diff --git a/img.png b/img.png\nindex {old}..{new} 100644\n'
                'Binary files a/img.png and b/img.png differ\n')

    reviewed = _patches(binary('1111111', '2222222'))
    assert _patches(binary('9999999', '2222222')) == reviewed  # a rebase changed what it replaced
    assert _patches(binary('1111111', '3333333')) != reviewed


def test_a_noted_finding_moves_with_its_line_when_lines_above_it_are_deleted(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _branch(repo, monkeypatch, APP.replace('line_10 = 10', 'line_10 = eval(input())'))
    review = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
              'findings': [{'title': 'eval of input', 'severity': 'high',
                            'location': {'path': 'app.py', 'start_line': 10}}]}
    (tmp_path / 'r.json').write_text(json.dumps(review))
    assert main(['attach', str(tmp_path / 'r.json')]) == 0
    repo.write('app.py', ''.join((repo.root / 'app.py').read_text().splitlines(keepends=True)[6:]))
    repo.commit('six lines fewer above it')
    capsys.readouterr()
    assert main(['check', '--base', 'main']) == 1  # not line 10, an unchanged line now (a warning)
    assert 'app.py:4: BLOCK block-severe-on-change: eval of input [bot]\n' in capsys.readouterr().out


def test_a_review_found_through_its_patch_after_a_rebase_moves_its_findings(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reviewed = _branch(repo, monkeypatch, APP.replace('line_10 = 10', 'line_10 = eval(input())'))
    review = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
              'findings': [{'title': 'eval of input', 'severity': 'high',
                            'location': {'path': 'app.py', 'start_line': 10}}]}
    (tmp_path / 'r.json').write_text(json.dumps(review))
    assert main(['attach', str(tmp_path / 'r.json')]) == 0
    repo.git('checkout', '-q', 'main')
    repo.write('app.py', '"""Three lines"""\n"""above"""\n"""it."""\n' + APP)
    repo.commit('main moves on')
    repo.git('checkout', '-q', 'change')
    repo.git('rebase', '-q', 'main')  # the note stays on the commit before the rebase
    capsys.readouterr()
    assert main(['check', '--base', 'main']) == 1
    assert capsys.readouterr().out == (
        '-- 1 on added or changed lines (added)\n'
        'app.py:13: BLOCK block-severe-on-change: eval of input [bot]\n'
        f'findings-gate: BLOCKED: 1 block, 0 warn, 0 note; 1 finding (added 1) from 1 report on '
        f'{repo.git("rev-parse", "main").strip()[:12]}...{repo.git("rev-parse", "HEAD").strip()[:12]}\n')
    assert repo.git('notes', '--ref=refs/notes/reviews', 'list').split()[1] == reviewed
