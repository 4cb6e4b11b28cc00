"""render/github_review.py and render/github_checks.py: request bodies GitHub takes,
checked against GitHub's own description of the requests (schemas/vendor/)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from findings_gate import gate
from findings_gate.cli import main
from findings_gate.model import Decision
from findings_gate.render import github_checks, github_review, markdown, render
from tests.conftest import Repo
from tests.decisions import NASTY, lines

VENDOR = Path(__file__).parent.parent / 'schemas' / 'vendor'
POLICY = '''\
version: 1
rules:
  - {name: block-high, severity: high, action: block}
  - {name: warn-rest, severity: medium, action: warn}
'''


def schema(name: str) -> jsonschema.protocols.Validator:
    document = json.loads((VENDOR / f'{name}.schema.json').read_text(encoding='utf-8'))
    return jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker())


def valid(name: str, document: dict) -> dict:
    problems = [f'{e.json_path}: {e.message}' for e in schema(name).iter_errors(document)]
    assert problems == []
    return document


def finding(title: str, severity: str = 'high', **location: object) -> dict:
    return {'title': title, 'severity': severity, **({'location': location} if location else {})}


def ranged(repo: Repo, tmp_path: Path, found: list[dict], *,
           base: dict[str, str] | None = None, change: dict[str, str | None] | None = None) -> Decision:
    """The Decision for a committed change (base..head) and a review of `found` kept outside the repository."""
    for path, text in (base or {'src/app.py': lines(40), 'docs/notes.md': 'notes\n'}).items():
        repo.write(path, text)
    repo.write('.findings-gate.yaml', POLICY)
    start = repo.commit('base')
    for path, text in (change or {'src/app.py': EDITED}).items():
        if text is None:
            repo.git('rm', '-q', path)
        else:
            repo.write(path, text)
    head = repo.commit('change')
    review = tmp_path / 'review.json'
    review.write_text(json.dumps({'version': 1, 'reviewer': {'name': 'sec-bot', 'kind': 'llm'},
                                  'findings': found}))
    return gate.run(gate.Target(base=start, head=head), reports=[str(review)],
                    policy_file=str(repo.root / '.findings-gate.yaml'))


# line 20 changed, lines 30 and 31 removed (the new side's lines 30 on are the old 32 on)
EDITED = ''.join(line for n, line in enumerate(lines(40, changed=(20,)).splitlines(True), 1) if n not in (30, 31))


def test_review_comments_on_the_diff(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decision = ranged(repo, tmp_path, [
        finding('one changed line', path='src/app.py', start_line=20),
        finding('a range in one hunk', path='src/app.py', start_line=18, end_line=22),
        finding('a range beyond the hunk', 'medium', path='src/app.py', start_line=10, end_line=21),
        finding('a removed line', path='src/app.py', start_line=30, side='old'),
        finding('removed lines', 'medium', path='src/app.py', start_line=30, end_line=31, side='old'),
        finding('far from the change', 'medium', path='src/app.py', start_line=5),
        finding('the whole file', 'medium', path='src/app.py'),
        finding('in an untouched file', path='docs/notes.md', start_line=1),
        finding('no place at all'),
        finding('ignored by the policy', 'low', path='src/app.py', start_line=20),
    ])
    document = valid('github-create-review', json.loads(render('github-review', decision)))
    head = repo.git('rev-parse', 'HEAD').strip()
    assert document['commit_id'] == head
    assert document['event'] == 'REQUEST_CHANGES'
    comments = {c['body'].split('  \n')[0].split(': ', 1)[1]: {k: v for k, v in c.items() if k != 'body'}
                for c in document['comments']}
    assert comments == {
        'one changed line': {'path': 'src/app.py', 'line': 20, 'side': 'RIGHT'},
        'a range in one hunk': {'path': 'src/app.py', 'start_line': 18, 'start_side': 'RIGHT',
                                'line': 22, 'side': 'RIGHT'},
        'a range beyond the hunk': {'path': 'src/app.py', 'start_line': 17, 'start_side': 'RIGHT',
                                    'line': 21, 'side': 'RIGHT'},
        'a removed line': {'path': 'src/app.py', 'line': 30, 'side': 'LEFT'},
        'removed lines': {'path': 'src/app.py', 'start_line': 30, 'start_side': 'LEFT',
                          'line': 31, 'side': 'LEFT'},
        'far from the change': {'path': 'src/app.py', 'subject_type': 'file'},
        'the whole file': {'path': 'src/app.py', 'subject_type': 'file'},
    }
    cut_range = next(c['body'] for c in document['comments'] if 'a range beyond' in c['body'])
    assert 'lines 10\\-21; the diff shows lines 17\\-21\\.' in cut_range
    far = next(c['body'] for c in document['comments'] if 'far from' in c['body'])
    assert 'line 5: not shown in the diff\\.' in far
    body = document['body']
    assert 'in an untouched file' in body and 'no place at all' in body
    assert '7 as comments on lines of the diff' not in body  # 5 on lines, 2 on whole files
    assert '5 as comments on lines of the diff; 2 as comments on whole files; 2 below' in body
    assert '1 ignored by the policy, not posted' in body
    assert 'ignored by the policy' not in ''.join(c['body'] for c in document['comments'])


def test_the_rebuilt_hunks_are_gits(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lines a comment may take are those of `git diff -U3`, which GitHub shows: hunks
    6 unchanged lines apart are one, 7 apart are two; at the ends of the file they stop."""
    monkeypatch.chdir(repo.root)
    changed = lines(60, changed=(1, 8, 15, 23, 60))
    edited = ''.join(line for n, line in enumerate(changed.splitlines(True), 1) if n not in (40, 41))
    decision = ranged(repo, tmp_path, [finding('x', path='src/app.py', start_line=1)],
                      base={'src/app.py': lines(60)}, change={'src/app.py': edited})
    diff = repo.git('diff', '-U3', 'HEAD~1', 'HEAD', '--', 'src/app.py')
    hunks = [(int(m[1]), int(m[1]) + int(m[2] or 1) - 1)
             for m in re.finditer(r'^@@ -\S+ \+(\d+)(?:,(\d+))? @@', diff, re.M)]
    (file,) = decision.change.files
    assert github_review.shown(file, len(edited.splitlines())) == hunks
    # 1, 8 and 15 (6 unchanged lines apart) are one hunk; 23 (7 apart) another; then the
    # removal of old lines 40-41, and the last line, where the hunk stops at the file's end
    assert hunks == [(1, 18), (20, 26), (37, 42), (55, 58)]


def test_a_passing_change_comments(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decision = ranged(repo, tmp_path, [finding('a warning', 'medium', path='src/app.py', start_line=20)])
    document = valid('github-create-review', github_review.review(decision))
    assert document['event'] == 'COMMENT'
    assert [c['line'] for c in document['comments']] == [20]


def test_renamed_and_deleted_files(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    text = lines(30)
    decision = ranged(repo, tmp_path, [
        finding('in the deleted file', path='gone.py', start_line=2, side='old'),
        finding('old side of the renamed file', path='old.py', start_line=10, side='old'),
        finding('new side of the renamed file', path='new.py', start_line=11),
    ], base={'gone.py': lines(5), 'old.py': text},
        change={'gone.py': None, 'old.py': None, 'new.py': text.replace('value_10 = 10\n', '')})
    document = valid('github-create-review', github_review.review(decision))
    places = sorted((c['path'], c.get('line'), c.get('side')) for c in document['comments'])
    assert places == [('gone.py', 2, 'LEFT'), ('new.py', 10, 'LEFT'), ('new.py', 11, 'RIGHT')]


def test_untrusted_text_is_shown_not_acted_on(repo: Repo, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decision = ranged(repo, tmp_path, [
        {**finding(NASTY, path='src/app.py', start_line=20), 'message': NASTY},
        finding(NASTY, path='docs/notes.md', start_line=1),
    ])
    output = render('github-review', decision)
    document = valid('github-create-review', json.loads(output))
    for text in [document['body'], *(c['body'] for c in document['comments'])]:
        for acted_on in ('<script', '](http', '@everyone', '\x1b', '\u202e', '\u2028', '##['):
            assert acted_on not in text
    assert '\\u202e' in output and '##[' not in output


def test_staged_changes_name_no_commit(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('a.py', lines(5))
    repo.commit('base')
    repo.write('a.py', lines(5, changed=(2,)))
    repo.git('add', '-A')
    decision = gate.run(gate.Target())
    document = valid('github-create-review', github_review.review(decision))
    assert 'commit_id' not in document
    (first,) = github_checks.runs(decision)
    assert 'head_sha' not in first  # for the poster to add


def many(count: int, title: str = 'finding') -> list[dict]:
    return [finding(f'{title} {n}', 'high' if n % 2 else 'medium', path='src/app.py', start_line=n % 40 + 1)
            for n in range(count)]


def test_checks_in_batches_of_50(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decision = ranged(repo, tmp_path, [*many(120), finding('removed', path='src/app.py', start_line=30, side='old'),
                                       finding('nowhere')])
    bodies = [json.loads(line) for line in render('github-checks', decision).splitlines()]
    valid('github-create-check-run', bodies[0])
    for body in bodies[1:]:
        valid('github-update-check-run', body)
        assert set(body) == {'output'}
    assert [len(b['output']['annotations']) for b in bodies] == [50, 50, 20]
    first = bodies[0]
    assert first['head_sha'] == repo.git('rev-parse', 'HEAD').strip()
    assert (first['name'], first['status'], first['conclusion']) == ('findings-gate', 'completed', 'failure')
    annotated = [a for b in bodies for a in b['output']['annotations']]
    assert [a['annotation_level'] for a in annotated] == ['failure'] * 60 + ['warning'] * 60
    assert not any('removed' in a['title'] or 'nowhere' in a['title'] for a in annotated)
    assert '122 findings' in first['output']['summary'] and '120 annotations' in first['output']['summary']


def test_checks_summary_within_65535(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decision = ranged(repo, tmp_path, many(300, 'a long title ' + 'x' * 400))
    assert len(markdown.render(decision)) > github_checks.SUMMARY  # it would not fit whole
    (first, *rest) = github_checks.runs(decision)
    valid('github-create-check-run', first)
    assert len(first['output']['summary']) <= 65_535
    assert 'more findings not shown' in first['output']['summary']
    assert len(rest) == 5


def test_check_without_findings_succeeds(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    (first,) = github_checks.runs(ranged(repo, tmp_path, []))
    valid('github-create-check-run', first)
    assert first['conclusion'] == 'success' and first['output']['annotations'] == []


def test_check_writes_both(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    ranged(repo, tmp_path, [finding('one changed line', path='src/app.py', start_line=20)])
    checks = tmp_path / 'checks.jsonl'
    code = main(['check', '--base', 'HEAD~1', '--head', 'HEAD', '--report', str(tmp_path / 'review.json'),
                 '--format', 'github-review', '--output', f'github-checks={checks}'])
    assert code == 1
    document = valid('github-create-review', json.loads(capsys.readouterr().out))
    assert [c['line'] for c in document['comments']] == [20]
    (body,) = [json.loads(line) for line in checks.read_text().splitlines()]
    valid('github-create-check-run', body)


def test_added_and_binary_files(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    for path, text in {'src/app.py': lines(5), 'blob.bin': '\0\1'}.items():
        repo.write(path, text)
    repo.write('.findings-gate.yaml', POLICY)
    start = repo.commit('base')
    repo.write('src/new.py', lines(30))
    repo.write('blob.bin', b'\0\2')
    head = repo.commit('change')
    review = tmp_path / 'review.json'
    review.write_text(json.dumps({'version': 1, 'reviewer': {'name': 'sec-bot', 'kind': 'llm'}, 'findings': [
        finding('deep in a new file', path='src/new.py', start_line=25, end_line=27),
        finding('in a binary', path='blob.bin', start_line=1)]}))
    decision = gate.run(gate.Target(base=start, head=head), reports=[str(review)],
                        policy_file=str(repo.root / '.findings-gate.yaml'))
    document = valid('github-create-review', github_review.review(decision))
    places = [{k: v for k, v in c.items() if k != 'body'} for c in document['comments']]
    assert places == [{'path': 'blob.bin', 'subject_type': 'file'},
                      {'path': 'src/new.py', 'start_line': 25, 'start_side': 'RIGHT', 'line': 27, 'side': 'RIGHT'}]
