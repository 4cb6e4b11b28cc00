"""Which change is gated, and which reports reach it, with real git."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from findings_gate import gate, git
from findings_gate.cli import main
from findings_gate.errors import GateError
from findings_gate.model import InvalidReport
from tests.conftest import Repo


def lines(n: int, changed: int | None = None) -> str:
    return ''.join(f'v{i} = {"0" if i == changed else i}\n' for i in range(1, n + 1))


def report(line: int, name: str = 'bot', path: str = 'a.py') -> dict:
    return {'version': 1, 'reviewer': {'name': name, 'kind': 'llm'},
            'findings': [{'title': f'at {line}', 'severity': 'high',
                          'location': {'path': path, 'start_line': line}}]}


@pytest.fixture
def history(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main: base; branch `topic` two commits on, main one commit on."""
    monkeypatch.chdir(repo.root)
    repo.write('a.py', lines(30))
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('a.py', lines(30, changed=5))
    repo.commit('topic 1')
    repo.write('b.py', lines(3))
    repo.commit('topic 2')
    repo.git('checkout', '-q', 'main')
    repo.write('a.py', lines(30, changed=25))
    repo.commit('main moves on')
    repo.git('checkout', '-q', 'topic')
    return repo


def files(read: gate.Read) -> dict[str, tuple]:
    return {f.path: f.added for f in read.change.files}


def test_base_is_three_dot(history: Repo) -> None:
    read = gate.read_change(git.open_repo(), gate.Target(base='main'), {}, None)
    assert files(read) == {'a.py': ((5, 5),), 'b.py': ((1, 3),)}  # not main's line 25
    assert len(read.commits) == 2


def test_from_and_to_refs_come_from_pre_commit(history: Repo) -> None:
    env = {'PRE_COMMIT_FROM_REF': 'topic~1', 'PRE_COMMIT_TO_REF': 'topic'}
    read = gate.read_change(git.open_repo(), gate.Target(), env, None)
    assert files(read) == {'b.py': ((1, 3),)}
    read = gate.read_change(git.open_repo(), gate.Target(pre_push=True), env, None)
    assert files(read) == {'b.py': ((1, 3),)}


def test_without_a_merge_base_pre_push_falls_back_to_two_dot(history: Repo) -> None:
    history.git('checkout', '-q', '--orphan', 'other')
    history.write('a.py', lines(30, changed=7))
    history.commit('unrelated')
    read = gate.read_change(git.open_repo(), gate.Target(from_ref='main', to_ref='other'), {}, None)
    assert set(files(read)) == {'a.py', 'b.py'}
    with pytest.raises(GateError, match='have no common ancestor'):
        gate.read_change(git.open_repo(), gate.Target(base='main'), {}, None)


def test_a_first_push_gates_all_history(history: Repo) -> None:
    read = gate.read_change(git.open_repo(), gate.Target(pre_push=True), {}, None)
    assert files(read) == {'a.py': ((1, 30),), 'b.py': ((1, 3),)}
    assert len(read.commits) == 3


def test_staged_in_a_repository_with_no_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / 'fresh')
    monkeypatch.chdir(repo.root)
    repo.write('x.py', 'print(1)\n')
    repo.git('add', 'x.py')
    read = gate.read_change(git.open_repo(), gate.Target(), {}, None)
    assert files(read) == {'x.py': ((1, 1),)}


def test_diff_file_from_stdin_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    patch = b'--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n'
    decision = gate.run(gate.Target(diff_file='-'), stdin=io.BytesIO(patch))
    assert [f.path for f in decision.change.files] == ['x.py']


def test_a_malformed_diff_file_names_the_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'bad.patch').write_text('--- a/x\n+++ b/x\n@@ -1 +1 @@ \n-a\n+b\n@@ nonsense\n')
    assert main(['check', '--diff-file', 'bad.patch']) == 2
    assert capsys.readouterr().err.startswith('findings-gate: error: bad.patch:line 6: ')


def test_notes_on_the_change_commits_are_read(history: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    Path('r1.json').write_text(json.dumps(report(5)))
    Path('r2.yaml').write_text('version: 1\nreviewer: {name: person, kind: human}\nfindings: []\n')
    assert main(['attach', '--commit', 'topic~1', 'r1.json']) == 0
    assert main(['attach', '--commit', 'topic~1', 'r2.yaml']) == 0
    assert main(['attach', '--commit', 'topic~1', 'r1.json']) == 0  # the same report once
    assert main(['attach', '--commit', 'main', 'r1.json']) == 0  # not a commit of the change
    out = capsys.readouterr().out
    assert '(2 reports there); share it with: git push origin refs/notes/reviews' in out
    note = history.git('notes', '--ref=refs/notes/reviews', 'show', 'topic~1')
    assert [json.loads(line)['reviewer']['name'] for line in note.splitlines()] == ['bot', 'person']
    decision = gate.run(gate.Target(base='main'))
    assert [r.origin.split('#')[1] for r in decision.reports] == ['1', '2']
    assert [d.placed.finding.title for d in decision.findings] == ['at 5']
    assert gate.run(gate.Target(base='main'), notes=False).reports == ()


def test_a_note_written_by_hand_as_one_document(history: Repo) -> None:
    history.git('notes', '--ref=refs/notes/reviews', 'add', '-m', json.dumps(report(5), indent=2), 'topic')
    decision = gate.run(gate.Target(base='main'))
    assert [d.placed.placement for d in decision.findings] == ['added']


def test_attach_refuses_an_invalid_report(history: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    Path('bad.json').write_text('{"version": 1}')
    assert main(['attach', 'bad.json']) == 2
    err = capsys.readouterr().err
    assert "findings-gate: error: bad.json::$: 'reviewer' is a required property" in err
    assert err.endswith('findings-gate: error: bad.json: not attached; fix it first\n')


def test_report_arguments_globs_directories_and_duplicates(history: Repo) -> None:
    history.write('.reviews/one.json', json.dumps(report(5, 'one')))
    history.write('.reviews/deep/two.yml', json.dumps(report(5, 'two')))
    history.write('.reviews/readme.txt', 'not a report')
    history.write('extra/three.json', json.dumps(report(5, 'three')))
    decision = gate.run(gate.Target(), reports=['.reviews/one.json', 'extra/*.json'])
    assert [r.origin for r in decision.reports] == [
        '.reviews/one.json', 'extra/three.json', '.reviews/deep/two.yml', '.reviews/readme.txt']
    assert isinstance(decision.reports[-1], InvalidReport)  # every file there is read: this one says nothing


def test_a_range_reads_the_reports_its_head_commit_holds(history: Repo) -> None:
    history.write('.reviews/committed.json', json.dumps(report(5, 'committed')))
    history.write('.reviews/deep/two.yml', json.dumps(report(5, 'two')))
    history.write('.reviews/readme.txt', 'not a report')
    head = history.commit('reviews')
    history.write('.reviews/uncommitted.json', json.dumps(report(5, 'uncommitted')))
    history.git('checkout', '-q', 'main')  # the gated branch need not be checked out
    decision = gate.run(gate.Target(from_ref='main', to_ref='topic'))
    assert [r.origin for r in decision.reports] == [
        f'{head[:12]}:.reviews/committed.json', f'{head[:12]}:.reviews/deep/two.yml',
        f'{head[:12]}:.reviews/readme.txt']
    assert isinstance(decision.reports[-1], InvalidReport)
    assert [d.action for d in decision.findings] == ['block', 'block']


def test_the_same_report_found_twice_counts_once(history: Repo) -> None:
    history.write('.reviews/one.json', json.dumps(report(5, 'one')))
    history.commit('review')
    decision = gate.run(gate.Target(base='main'), reports=['.reviews/one.json'])
    assert [r.origin for r in decision.reports] == ['.reviews/one.json']


def test_policy_report_locations(history: Repo) -> None:
    history.write('.findings-gate.yaml', 'version: 1\nreports: ["docs/reviews/*.json"]\n')
    history.write('docs/reviews/r.json', json.dumps(report(5)))
    history.write('docs/reviews/deeper/no.json', json.dumps(report(5)))
    history.write('.reviews/ignored.json', json.dumps(report(5)))
    assert [r.origin for r in gate.run(gate.Target()).reports] == ['docs/reviews/r.json']
    head = history.commit('reviews')
    assert [r.origin for r in gate.run(gate.Target(base='main')).reports] == [
        f'{head[:12]}:docs/reviews/r.json']


@pytest.mark.parametrize(('locations', 'found'), [
    (['.reviews/'], ['.reviews/a.json', '.reviews/d/b.yaml', '.reviews/notes.txt']),
    (['.reviews'], ['.reviews/a.json', '.reviews/d/b.yaml', '.reviews/notes.txt']),
    (['./.reviews/'], ['.reviews/a.json', '.reviews/d/b.yaml', '.reviews/notes.txt']),
    (['.reviews/*.txt'], ['.reviews/notes.txt']),
    (['.reviews/*.json'], ['.reviews/a.json']),
    (['**/*.yaml'], ['.reviews/d/b.yaml', 'src/.reviews/c.yaml']),
    (['reviews.txt'], ['reviews.txt']),
    (['nowhere/'], []),
])
def test_locations_in_a_tree_read_like_globs(locations: list[str], found: list[str]) -> None:
    from findings_gate.read import sources

    paths = ['.reviews/a.json', '.reviews/d/b.yaml', '.reviews/notes.txt', 'src/.reviews/c.yaml',
             'reviews.txt', 'x.json']
    assert sources.in_tree(locations, paths) == found
