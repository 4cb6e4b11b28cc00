"""`findings-gate replay`: a history of commits with notes, gated again change by change."""
from __future__ import annotations

import json

import pytest

from findings_gate import schema
from findings_gate.cli import main
from tests.conftest import Repo

POLICY = '''version: 1
rules:
  - {name: block-critical, severity: critical, action: block}
  - {name: warn-high, severity: high, action: warn}
default: ignore
'''
STRICTER = POLICY.replace('{name: warn-high, severity: high, action: warn}',
                          '{name: block-high, severity: high, action: block}')


def _note(repo: Repo, commit: str, severity: str, line: int, title: str = 'finding') -> None:
    report = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'tool'}, 'findings': [
        {'title': title, 'severity': severity, 'location': {'path': 'app.py', 'start_line': line}}]}
    repo.git('notes', '--ref', 'refs/notes/reviews', 'add', '-m', json.dumps(report), commit)


@pytest.fixture
def history(repo: Repo) -> Repo:
    """55 commits on main, each with a note: every tenth a high finding, the others low ones; then
    a merged branch whose commit's note has a critical finding."""
    repo.write('.findings-gate.yaml', POLICY)
    repo.write('app.py', 'x = 0\n')
    repo.commit('start')
    for i in range(1, 56):
        repo.write('app.py', ''.join(f'x = {n}\n' for n in range(i + 1)))
        commit = repo.commit(f'change {i}')
        _note(repo, commit, 'high' if i % 10 == 0 else 'low', i + 1, f'finding {i}')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('lib.py', 'eval(input())\n')
    topic = repo.commit('an eval')
    report = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'tool'}, 'findings': [
        {'title': 'eval of input', 'severity': 'critical', 'location': {'path': 'lib.py', 'start_line': 1}}]}
    repo.git('notes', '--ref', 'refs/notes/reviews', 'add', '-m', json.dumps(report), topic)
    repo.git('checkout', '-q', 'main')
    repo.git('merge', '-q', '--no-ff', '-m', 'Merge topic', 'topic')
    return repo


def test_replay_gates_every_first_parent_change_with_its_notes(
        history: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(history.root)
    assert main(['replay', 'main~56..main']) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == '-- 56 changes replayed with the policy at each commit'
    assert sum(' WARN (' in line for line in lines) == 5  # changes 10, 20, ... 50
    assert lines[-2:] == ['block-critical: 1 block', 'findings-gate replay: 1 of 56 changes blocked']
    assert 'default: 50 note\nwarn-high: 5 warn\nblock-critical: 1 block\n' in out
    merge = [line for line in lines if line.endswith(': Merge topic')]
    assert len(merge) == 1 and ' BLOCK (1 block)' in merge[0]  # the branch's note, on the merge's change


def test_replay_against_a_stricter_policy_names_each_change_whose_verdict_differs(
        history: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(history.root)
    (history.root.parent / 'stricter.yaml').write_text(STRICTER)
    against = str(history.root.parent / 'stricter.yaml')
    assert main(['replay', '--against', against, 'main~56..main']) == 0
    out = capsys.readouterr().out
    assert f'-- 5 changes with another verdict under {against}\n' in out
    tenth = history.git('log', '--format=%H', '--grep=^change 10$').strip()
    assert (f'{tenth[:12]} WARN -> BLOCK: change 10\n'
            f'    app.py:11: WARN warn-high -> BLOCK block-high: finding 10 [bot]\n') in out
    assert out.endswith(f'findings-gate replay: 1 of 56 changes blocked; 6 under {against}\n')

    assert main(['replay', '--against', against, '--format', 'json', 'main~56..main']) == 0
    document = json.loads(capsys.readouterr().out)
    assert schema.problems('replay', document) == []
    assert (document['blocked'], document['against']['blocked'], document['against']['differing']) == (1, 6, 5)
    [change] = [c for c in document['changes'] if c['commit'] == tenth]
    assert change['against']['differences'] == [{
        'path': 'app.py', 'line': 11, 'title': 'finding 10', 'severity': 'high', 'reviewer': 'bot',
        'report': f'note:{tenth[:12]}#1', 'action': 'warn', 'rule': 'warn-high',
        'against': {'action': 'block', 'rule': 'block-high'}}]
    assert {'rule': 'block-high', 'action': 'block', 'findings': 5} in document['against']['rules']

    assert main(['replay', '--against', against, '--format', 'markdown', 'main~56..main']) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith('## findings-gate replay: 1 of 56 changes blocked\n')
    assert '### 5 changes with another verdict under ' in markdown


def test_replay_takes_the_policy_at_each_commit_or_the_one_given(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 0\n')
    repo.commit('start')
    repo.write('app.py', 'x = 1\n')
    _note(repo, repo.commit('before the policy'), 'high', 1)
    repo.write('.findings-gate.yaml', STRICTER)
    repo.write('app.py', 'x = 2\n')
    _note(repo, repo.commit('with the stricter policy'), 'high', 1)
    assert main(['replay', 'HEAD~2..HEAD']) == 0
    out = capsys.readouterr().out
    assert ' BLOCK (1 block): before the policy\n' in out  # the default policy: high on a changed line blocks
    assert ' BLOCK (1 block): with the stricter policy\n' in out
    (repo.root.parent / 'p.yaml').write_text(POLICY)
    assert main(['replay', '--policy', str(repo.root.parent / 'p.yaml'), 'HEAD~2..HEAD']) == 0
    assert capsys.readouterr().out.count(' WARN (1 warn): ') == 2


def test_replay_reads_reports_in_the_tree_and_given_by_commit(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', POLICY + 'reports: [.reviews/]\n')
    repo.write('app.py', 'x = 0\n')
    repo.commit('start')
    repo.write('app.py', 'x = 1\n')
    repo.write('.reviews/bot.json', json.dumps({'version': 1, 'reviewer': {'name': 'bot', 'kind': 'tool'},
                                                'findings': [{'title': 'in the tree', 'severity': 'high',
                                                              'location': {'path': 'app.py', 'start_line': 1}}]}))
    first = repo.commit('with a report in the tree')
    repo.write('app.py', 'x = 2\n')
    second = repo.commit('with a report given')
    given = repo.root.parent / 'given.json'
    given.write_text(json.dumps({'version': 1, 'reviewer': {'name': 'ci', 'kind': 'tool'}, 'findings': [
        {'title': 'given', 'severity': 'critical', 'location': {'path': 'app.py', 'start_line': 1}}]}))
    assert main(['replay', '--format', 'json', '--report', f'{second}={given}', 'HEAD~2..HEAD']) == 0
    changes = {c['commit']: c for c in json.loads(capsys.readouterr().out)['changes']}
    assert changes[first]['findings']['warn'] == 1
    assert (changes[second]['verdict'], changes[second]['findings']['block']) == ('block', 1)


@pytest.mark.parametrize(('argv', 'error'), [
    (['replay'], 'findings-gate: error: replay needs a RANGE (main~200..main) or --since (90.days); give one\n'),
    (['replay', 'HEAD..HEAD'], 'findings-gate: error: HEAD..HEAD: no commits to replay; give a range with '
                               'commits (main~50..main), or a longer --since\n'),
    (['replay', '--report', 'nothing', 'HEAD'], "findings-gate: error: --report 'nothing': write it as "
                                                'COMMIT=PATH, the change a commit makes and its report\n'),
])
def test_replay_errors_are_one_line(repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                    argv: list[str], error: str) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 0\n')
    repo.commit('start')
    assert main(argv) == 2
    assert capsys.readouterr().err == error


def test_a_terminal_gets_a_progress_line(
        history: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.chdir(history.root)
    monkeypatch.setattr(sys.stderr, 'isatty', lambda: True)
    assert main(['replay', 'main~3..main']) == 0
    err = capsys.readouterr().err
    assert err == ''.join(f'\rfindings-gate replay: {n}/3 changes' for n in (1, 2, 3)) + '\n'


def test_since_replays_the_first_parent_commits_of_head_since_a_date(
        history: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(history.root)  # every commit is dated 2026-01-01 (tests/conftest.py)
    assert main(['replay', '--since', '2025-12-31']) == 0
    assert capsys.readouterr().out.startswith('-- 57 changes replayed with the policy at each commit\n')
    assert main(['replay', '--since', '2026-06-01']) == 2
    assert capsys.readouterr().err == ('findings-gate: error: HEAD since 2026-06-01: no commits to replay; give a '
                                       'range with commits (main~50..main), or a longer --since\n')


def test_a_report_for_a_commit_outside_the_range_is_an_error(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 0\n')
    start = repo.commit('start')
    repo.write('app.py', 'x = 1\n')
    repo.commit('next')
    given = repo.root.parent / 'given.json'
    given.write_text('{"version": 1, "reviewer": {"name": "ci", "kind": "tool"}, "findings": []}')
    assert main(['replay', '--report', f'{start}={given}', 'HEAD~1..HEAD']) == 2
    assert capsys.readouterr().err == (f'findings-gate: error: --report {start[:12]}=...: commit {start[:12]} makes '
                                       f'no change of the range; name a first-parent commit of it\n')


def test_replay_reads_codeowners_at_each_commit(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', 'version: 1\nrequire:\n  - {name: owners, paths: "**", reviewer: codeowners}\n')
    repo.write('.github/CODEOWNERS', '* @alice\n')
    repo.write('app.py', 'x = 0\n')
    repo.commit('start')
    for n, reviewer in enumerate(('alice', 'bob'), 1):
        repo.write('app.py', f'x = {n}\n')
        commit = repo.commit(f'reviewed by {reviewer}')
        repo.git('notes', '--ref', 'refs/notes/reviews', 'add', '-m', json.dumps(
            {'version': 1, 'reviewer': {'name': reviewer, 'kind': 'human'}, 'findings': []}), commit)
    repo.write('.github/CODEOWNERS', '* @bob\n')
    repo.write('app.py', 'x = 3\n')
    commit = repo.commit('bob owns it now, and reviewed it')
    repo.git('notes', '--ref', 'refs/notes/reviews', 'add', '-m', json.dumps(
        {'version': 1, 'reviewer': {'name': 'bob', 'kind': 'human'}, 'findings': []}), commit)
    assert main(['replay', 'HEAD~3..HEAD']) == 0
    out = capsys.readouterr().out
    assert ' PASS (no findings): reviewed by alice\n' in out
    assert ' BLOCK (no findings, 1 condition): reviewed by bob\n' in out
    assert ' PASS (no findings): bob owns it now, and reviewed it\n' in out
