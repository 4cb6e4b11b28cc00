"""Review comments read from the code host's own export (GitHub, GitLab, Gerrit), gated on real git.

The exports in tests/hosts/ are built on the hosts' documented examples (GitHub's
OpenAPI examples, GitLab's doc/api/discussions.md, Gerrit's rest-api-changes),
with `@BASE@`, `@FIRST@` and `@HEAD@` standing for the commits of the pull request
made here: the base, its first commit (reviewed, then changed), and its head.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from findings_gate.cli import main
from findings_gate.read import detect
from tests.conftest import Repo

HOSTS = Path(__file__).parent / 'hosts'
ROOT = Path(__file__).parent.parent

BASE_VIEWS = '''from app import db


def delete_user(request, user_id):
    require_admin(request)
    db.delete(user_id)
    return 'deleted'


def first_item(request):
    items = db.items()
    return items
'''
HEAD_VIEWS = '''from app import db


def delete_user(request, user_id):
    db.delete(user_id)
    return 'deleted'


def purge_users(request):
    for user_id in request.POST.getlist('ids'):
        db.delete(user_id)
    db.commit()
    return 'purged'


def first_item(request):
    items = db.items()
    return items[0]
'''
FIRST_DB = '''import logging


def connect(password):
    logging.info('connecting with %s', password)
    return open_connection(password)
'''


class Pull(NamedTuple):
    repo: Repo
    base: str
    first: str
    head: str

    def export(self, name: str, to: Path) -> Path:
        """tests/hosts/<name> with this pull request's commits in it, written to `to`."""
        text = (HOSTS / name).read_text(encoding='utf-8')
        for mark, commit in (('@BASE@', self.base), ('@FIRST@', self.first), ('@HEAD@', self.head)):
            text = text.replace(mark, commit)
        to.write_text(text, encoding='utf-8')
        return to


@pytest.fixture
def pull(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Pull:
    """main has app/views.py; branch `change` rewrites it and adds app/db.py (FIRST), whose
    line 5 a later commit (HEAD) changes."""
    monkeypatch.chdir(repo.root)
    repo.write('app/views.py', BASE_VIEWS)
    base = repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('app/views.py', HEAD_VIEWS)
    repo.write('app/db.py', FIRST_DB)
    first = repo.commit('purge users')
    repo.write('app/db.py', FIRST_DB.replace("'connecting with %s', password", "'connecting'"))
    head = repo.commit('do not log the password')
    return Pull(repo, base, first, head)


def shown(path: Path) -> str:
    """A path as findings-gate names it (errors.display)."""
    from findings_gate.errors import display

    return display(path)


def decide(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """`findings-gate check --base main ... --format json`: the exit code and the decision."""
    capsys.readouterr()
    code = main(['check', '--base', 'main', '--format', 'json', *args])
    return code, json.loads(capsys.readouterr().out)


def found(decision: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """By title: reviewer (name, kind), path, lines, side, placement, stale, action."""
    return {
        d['finding']['title']: (
            (d['reviewer']['name'], d['reviewer']['kind']), d['path'],
            (d['finding'].get('location', {}).get('start_line'), d['finding'].get('location', {}).get('end_line')),
            d['finding'].get('location', {}).get('side', 'new'), d['placement'], bool(d.get('stale')), d['action'])
        for d in decision['findings']}


def test_github_review_comments_are_findings_where_github_anchors_them(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = pull.export('github-comments.json', tmp_path / 'github-comments.json')
    code, decision = decide(capsys, '--report', str(export))
    assert code == 1
    assert found(decision) == {
        # a multi-line comment of an LLM bot (start_line 9, line 12), its text read as prose
        '`purge_users` deletes accounts without an authorization check':
            (('coderabbitai[bot]', 'llm'), 'app/views.py', (9, 12), 'new', 'added', False, 'warn'),
        # a person's comment the prose reader cannot cut up: the reviewer pointed at the line to say it
        'This will crash when `items` is empty':
            (('alice', 'human'), 'app/views.py', (18, 18), 'new', 'added', False, 'warn'),
        # on the old side (side: LEFT), its severity from the bot's badge
        "Removing the `require_admin` check lets any logged-in user delete other users' accounts":
            (('gemini-code-assist[bot]', 'llm'), 'app/views.py', (5, 5), 'old', 'deleted', False, 'block'),
        # a file comment (subject_type: file) by Copilot, as the comments endpoint names it
        'The connection opened in `connect` is never closed, so every call leaks a database connection':
            (('Copilot', 'llm'), 'app/db.py', (None, None), 'new', 'file', False, 'warn'),
        # outdated (line: null): read at original_line of original_commit_id, whose line changed since
        'This writes the database password to the log in plain text':
            (('alice', 'human'), 'app/db.py', (5, 5), 'new', 'added', True, 'warn'),
    }
    reports = {r['origin']: (r['verdict'], r['revision'], r['findings']) for r in decision['reports']}
    assert reports[f'{shown(export)}#alice@{pull.first[:12]}'] == ('findings', pull.first, 1)
    assert reports[f'{shown(export)}#bob@{pull.head[:12]}'] == ('no-findings', pull.head, 0)  # a reply, kept as a note
    [stale] = [d for d in decision['findings'] if d.get('stale')]
    assert stale['stale'] == f'line 5 changed after the review of {pull.first[:12]}'
    assert stale['finding']['fingerprint'] == 'github-comment:2004'


def test_github_reviews_give_each_reviewer_their_standing_verdict(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = pull.export('github-reviews.json', tmp_path / 'github-reviews.json')
    code, decision = decide(capsys, '--report', str(export))
    reports = {r['origin'].partition('#')[2]: (r['reviewer']['kind'], r['verdict'], r['findings'])
               for r in decision['reports']}
    assert reports == {
        f'alice@{pull.first[:12]}': ('human', 'no-findings', 0),  # changes requested, then approved
        f'coderabbitai[bot]@{pull.head[:12]}': ('llm', 'no-findings', 0),
        f'copilot-pull-request-reviewer[bot]@{pull.head[:12]}': ('llm', 'no-findings', 0),
        f'bob@{pull.head[:12]}': ('human', 'findings', 1),  # bob's empty COMMENTED review says nothing
        f'alice@{pull.head[:12]}': ('human', 'no-findings', 0),
    }
    [request] = decision['findings']
    assert request['finding'] == {
        'title': 'changes requested', 'severity': 'medium',
        'message': 'Please add tests for the purge path before this goes in.', 'rule': 'changes-requested',
        'fingerprint': 'github-review:3006'}
    assert (request['reviewer']['name'], request['placement'], code) == ('bob', 'unlocated', 0)


@pytest.mark.parametrize('pages', ['one array', 'gh api --paginate', 'gh api --paginate --slurp'])
def test_an_export_of_several_pages_reads_as_one(
        pages: str, pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = json.loads(pull.export('github-comments.json', tmp_path / 'all.json').read_text())
    split = [items[:2], items[2:5], items[5:]]
    text = {'one array': json.dumps(items, indent=2),
            'gh api --paginate': ''.join(json.dumps(page) for page in split),
            'gh api --paginate --slurp': json.dumps(split)}[pages]
    export = tmp_path / 'github-comments.json'
    export.write_text(text)
    assert detect(text.encode()) == 'github-comments'
    code, decision = decide(capsys, '--report', str(export))
    assert (code, len(decision['findings']), len(decision['reports'])) == (1, 5, 6)


def test_a_malformed_export_is_an_invalid_report_with_every_problem(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = json.loads(pull.export('github-comments.json', tmp_path / 'all.json').read_text())
    items[1]['line'] = 'eighteen'
    del items[2]['path']
    items[3]['user']['type'] = 7
    export = tmp_path / 'github-comments.json'
    export.write_text(json.dumps(items))
    assert main(['validate', str(export)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{shown(export)}::$[1].line: 'eighteen' is not of type 'integer', 'null'",
        f"{shown(export)}::$[2]: 'path' is a required property",
        f"{shown(export)}::$[3].user.type: 7 is not of type 'string'",
    ]
    code, decision = decide(capsys, '--report', str(export))
    assert (code, decision['findings']) == (1, [])
    [condition] = decision['conditions']
    assert (condition['kind'], condition['action']) == ('invalid_report', 'block')


def test_validate_and_import_name_each_reviewer_and_revision(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = pull.export('github-comments.json', tmp_path / 'github-comments.json')
    assert main(['validate', str(export)]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f'{shown(export)}#coderabbitai[bot]@{pull.head[:12]}: valid, 1 finding(s)',
        f'{shown(export)}#alice@{pull.head[:12]}: valid, 1 finding(s)',
    ]
    assert main(['import', str(export)]) == 0
    lines = capsys.readouterr().out.splitlines()  # one native report a line, as git notes hold them
    assert [(r['reviewer']['name'], r['change']['revision']) for r in map(json.loads, lines)] == [
        ('coderabbitai[bot]', pull.head), ('alice', pull.head), ('bob', pull.head), ('alice', pull.first),
        ('gemini-code-assist[bot]', pull.head), ('Copilot', pull.head)]
    empty = tmp_path / 'none.json'
    empty.write_text('[]\n')
    assert main(['validate', '--format', 'github-comments', str(empty)]) == 0
    assert capsys.readouterr().out == f'{shown(empty)}: valid, no review comments in it\n'


def test_attach_keeps_every_report_of_an_export_as_notes(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = pull.export('github-comments.json', tmp_path / 'github-comments.json')
    assert main(['attach', str(export)]) == 0
    assert '(6 reports there)' in capsys.readouterr().out
    code, decision = decide(capsys)  # read back from the notes of the change's commits
    assert (code, len(decision['findings'])) == (1, 5)
    empty = tmp_path / 'none.json'
    empty.write_text('[]\n')
    assert main(['attach', '--format', 'github-comments', str(empty)]) == 2
    assert 'holds no report (no review comment); nothing to attach' in capsys.readouterr().err


def test_a_comment_naming_other_lines_or_another_file_is_placed_there(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [comment] = json.loads(pull.export('github-comments.json', tmp_path / 'all.json').read_text())[1:2]
    elsewhere = dict(comment, id=9001, body='The password is written to the log in plain text in app/db.py line 5.')
    lines = dict(comment, id=9002, body='The admin check is missing on lines 9-12 as well, a security bug.')
    export = tmp_path / 'github-comments.json'
    export.write_text(json.dumps([elsewhere, lines]))
    code, decision = decide(capsys, '--report', str(export))
    assert sorted((d['path'], d['lines']['start'], d['lines']['end']) for d in decision['findings']) == [
        ('app/db.py', 5, 5), ('app/views.py', 9, 12)]  # not app/views.py line 18, where both comments are


def test_gitlab_discussions(pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = pull.export('gitlab-discussions.json', tmp_path / 'discussions.json')
    assert detect(export.read_bytes()) == 'gitlab-discussions'
    code, decision = decide(capsys, '--report', str(export))
    assert found(decision) == {
        # a multi-line diff note: line_range's start, new_line its end
        '`purge_users` deletes every posted id without checking that the caller is an admin':
            (('alice', 'human'), 'app/views.py', (9, 12), 'new', 'added', False, 'warn'),
        # on the old side (old_line, no new_line), by a project access token's bot user
        'Removing this permission check lets any user delete accounts':
            (('project_42_bot_3f9c1d0e8b7a6c5d', 'tool'), 'app/views.py', (5, 5), 'old', 'deleted', False, 'warn'),
        # its thread is resolved: kept, suppressed, and the policy's `suppressed: ignore` decides it
        'This will crash when `items` is empty':
            (('carol', 'human'), 'app/views.py', (18, 18), 'new', 'added', False, 'ignore'),
    }
    [resolved] = [d for d in decision['findings'] if d['rule'] == 'suppressed']
    assert resolved['finding']['suppression'] == {'kind': 'external',
                                                  'justification': 'thread resolved on GitLab by bob'}
    origins = [r['origin'].partition('#')[2] for r in decision['reports']]
    assert 'carol' in origins  # the overview comment, written on no revision; the system note is no review
    assert code == 0


def test_gerrit_comments(pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = pull.export('gerrit-comments.json', tmp_path / 'comments.json')
    assert export.read_text().startswith(")]}'\n")
    assert detect(export.read_bytes()) == 'gerrit-comments'
    code, decision = decide(capsys, '--report', str(export))
    assert found(decision) == {
        # range 9:0-13:0 ends where line 13 starts; its thread was answered "Done" and resolved
        'purge_users deletes accounts without checking that the caller is an admin':
            (('jroe', 'human'), 'app/views.py', (9, 12), 'new', 'added', False, 'ignore'),
        # on PARENT (the old side), by a service user
        "Removing require_admin here lets any logged-in user delete other users' accounts":
            (('ai-review-bot', 'tool'), 'app/views.py', (5, 5), 'old', 'deleted', False, 'block'),
        # on patch set 1, whose line 5 patch set 2 changed
        'This logs the database password in plain text':
            (('jroe', 'human'), 'app/db.py', (5, 5), 'new', 'added', True, 'warn'),
    }
    assert code == 1
    kept = {r['origin'].partition('#')[2]: r['revision'] for r in decision['reports']}
    assert kept == {f'jroe@{pull.head[:12]}': pull.head, f'jdoe@{pull.head[:12]}': pull.head,
                    f'ai-review-bot@{pull.head[:12]}': pull.head, f'jroe@{pull.first[:12]}': pull.first}


@pytest.mark.parametrize('name', ['github-comments.json', 'github-reviews.json', 'gitlab-discussions.json',
                                  'gerrit-comments.json'])
def test_each_export_is_valid_against_its_hosts_schema_and_detected(name: str, pull: Pull, tmp_path: Path) -> None:
    export = pull.export(name, tmp_path / name)
    assert detect(export.read_bytes()) == name.removesuffix('.json')
    assert main(['validate', str(export)]) == 0


def test_the_action_fetches_the_review_comments_and_gates_on_them(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """action.yml's step, run as the runner runs it (bash -e), with `gh` standing in for GitHub's API."""
    [step] = [s for s in yaml.safe_load((ROOT / 'action.yml').read_text())['runs']['steps']
              if s['name'] == "Fetch the pull request's review comments"]
    assert step['if'] == "inputs.fetch-review-comments == 'true'"
    runner = tmp_path / 'runner'
    (runner / 'findings-gate' / 'bin').mkdir(parents=True)
    (runner / 'findings-gate' / 'bin' / 'findings-gate').symlink_to(Path(sys.executable).parent / 'findings-gate')
    pull.export('github-comments.json', tmp_path / 'comments.json')
    (tmp_path / 'reviews.json').write_text('[]\n')  # no review yet
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    gh = bin_dir / 'gh'
    gh.write_text('#!/bin/sh\n'  # what gh api prints for the two endpoints
                  f'echo "$@" >> "{tmp_path}/gh-calls"\n'
                  f'case "$2" in */comments) cat "{tmp_path}/comments.json";; */reviews) cat "{tmp_path}/reviews.json";; esac\n')
    gh.chmod(0o755)
    env = {**os.environ, 'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}', 'RUNNER_TEMP': str(runner),
           'GITHUB_REPOSITORY': 'octo-org/shop', 'GH_TOKEN': 'token', 'FG_PULL': '7',
           'FG_PULL_HEAD': pull.head, 'FG_HEAD': ''}
    for name in ('GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'):
        env.pop(name)  # a runner has no identity: the step gives the notes one
    done = subprocess.run(('bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', step['run']),
                          cwd=pull.repo.root, env={**env, **{k: v for k, v in step['env'].items() if 'GIT_' in k}},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / 'gh-calls').read_text().splitlines() == [
        'api repos/octo-org/shop/pulls/7/comments --paginate', 'api repos/octo-org/shop/pulls/7/reviews --paginate']
    assert 'pull request #7 has no review reviews yet' in done.stdout
    code, decision = decide(capsys)  # the gate step reads them from the head commit's notes
    assert (code, len(decision['findings'])) == (1, 5)


def test_a_suggested_edit_is_the_findings_suggestion_and_alone_a_note(
        pull: Pull, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [comment] = json.loads(pull.export('github-comments.json', tmp_path / 'all.json').read_text())[1:2]
    edit = '```suggestion\n    return items[0] if items else None\n```'
    export = tmp_path / 'github-comments.json'
    export.write_text(json.dumps([
        dict(comment, id=9101, body=f'This returns an error page when the shop has no items yet.\n{edit}'),
        dict(comment, id=9102, body=f'Maybe:\n{edit}', user=dict(comment['user'], login='bob')),
    ]))
    assert main(['import', str(export)]) == 0
    alice, bob = map(json.loads, capsys.readouterr().out.splitlines())
    [finding] = alice['findings']
    assert (finding['title'], finding['suggestion']) == (
        'This returns an error page when the shop has no items yet', '    return items[0] if items else None')
    assert (bob['findings'], bob['notes']) == ([], ['Maybe: ```suggestion return items[0] if items else None ```'])
