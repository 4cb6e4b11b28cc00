"""Each way a change could get around its own gate, caught.

The base commit's policy asks for a person's review of every change under
src/, blocks high findings, does not let the change's own tree supply a
review, and blocks when the configuration is edited or a reviewed line is
rewritten after the review. The CI job runs `check --ci` (GitLab here), which
reads the policy, the waivers and the baseline from the base commit.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate.cli import main
from tests.conftest import Repo

POLICY = '''\
version: 1
rules:
  - {name: block-high, severity: high, action: block}
require:
  - {name: needs-a-person, paths: ["src/**"], reviewer_kind: human}
trust: {in_tree_reports: advisory}
config_changed: block
stale: block
'''
BOT = {'version': 1, 'reviewer': {'name': 'sec-bot', 'kind': 'llm'},
       'findings': [{'title': 'shell injection', 'severity': 'high', 'cwe': ['CWE-78'], 'rule': 'SHELL',
                     'location': {'path': 'src/app.py', 'start_line': 2}}]}
PERSON = {'version': 1, 'reviewer': {'name': 'ann', 'kind': 'human'}, 'verdict': 'no-findings', 'findings': []}


@pytest.fixture
def ci(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Repo:
    """main with the policy; branch `change` edits src/app.py."""
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', POLICY)
    repo.write('src/app.py', 'def run(cmd):\n    return cmd\n')
    base = repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('src/app.py', 'import os\ndef run(cmd):\n    return os.system(cmd)\n')
    repo.commit('the change')
    monkeypatch.setenv('GITLAB_CI', 'true')
    monkeypatch.setenv('CI_MERGE_REQUEST_DIFF_BASE_SHA', base)
    monkeypatch.setenv('CI_COMMIT_SHA', 'HEAD')
    return repo


def _attach(repo: Repo, tmp_path: Path, report: dict, commit: str = 'HEAD', *more: str) -> None:
    path = tmp_path / f'{report["reviewer"]["name"]}.json'
    path.write_text(json.dumps(report))
    assert main(['attach', str(path), '--commit', commit, *more]) == 0


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(['check', '--ci', '--format', 'text', *args])
    return code, capsys.readouterr().out


def test_a_person_reviewed_it_and_nothing_else_changed_it_passes(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _attach(ci, tmp_path, {**PERSON, 'change': {'revision': ci.git('rev-parse', 'HEAD').strip()}})
    assert _check(capsys) == (0, 'findings-gate: passed: 0 block, 0 warn, 0 note; 0 findings from 1 report '
                                 f'on {_range(ci)}\n')


def _range(repo: Repo) -> str:
    return f"{repo.git('rev-parse', 'main').strip()[:12]}...{repo.git('rev-parse', 'HEAD').strip()[:12]}"


def test_editing_the_policy_does_not_loosen_the_gate(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _attach(ci, tmp_path, PERSON)
    _attach(ci, tmp_path, BOT)
    ci.write('.findings-gate.yaml', 'version: 1\ndefault: ignore\nconfig_changed: ignore\n')
    ci.commit('loosen the policy')
    _attach(ci, tmp_path, PERSON)
    _attach(ci, tmp_path, BOT)
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:2: BLOCK block-high: shell injection [sec-bot]' in out
    assert ('.findings-gate.yaml: BLOCK config_changed: the change edits the gate\'s configuration; '
            'the base commit\'s copy applies (--trusted-config base)') in out
    # outside CI, the work tree's policy applies, and the output still says it was edited
    assert main(['check', '--base', 'main']) == 0
    assert '.findings-gate.yaml: NOTE config_changed' in capsys.readouterr().out


def test_adding_a_waiver_does_not_waive(ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ci.write('.findings-gate/waivers.yaml', 'version: 1\nwaivers:\n'
             '  - {rule: SHELL, path: "**", reason: trust me, owner: the-author, expires: 2099-01-01}\n')
    ci.commit('waive it')
    _attach(ci, tmp_path, PERSON)
    _attach(ci, tmp_path, BOT)
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:2: BLOCK block-high: shell injection [sec-bot]' in out
    assert '.findings-gate/waivers.yaml: BLOCK config_changed' in out
    code, out = _check(capsys, '--trusted-config', 'tree')  # what the change wanted
    assert 'NOTE waived: shell injection' in out


def test_a_no_findings_report_in_the_changes_own_tree_is_no_review(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ci.write('.reviews/ann.json', json.dumps(PERSON))
    ci.commit('a review, by the author')
    code, out = _check(capsys)
    assert code == 1
    assert ('change: BLOCK require: needs-a-person: each changed file matching src/** needs 1 human report '
            'by distinct reviewers; 1 file has fewer; not counted: ') in out
    assert ".reviews/ann.json is in the change's own tree (trust: in_tree_reports: advisory)" in out
    code, out = _check(capsys, '--report', '.reviews/ann.json')  # named on the command line: still its own
    assert code == 1
    assert ".reviews/ann.json is in the change's own tree" in out
    # the same review, kept by git notes (outside the change's tree), of all the change since main
    _attach(ci, tmp_path, PERSON, 'HEAD', '--base', 'main')
    assert _check(capsys)[0] == 0


def test_rewriting_a_reviewed_line_after_the_review_is_caught(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reviewed = ci.git('rev-parse', 'HEAD').strip()
    _attach(ci, tmp_path, {**PERSON, 'change': {'revision': reviewed}}, reviewed)
    _attach(ci, tmp_path, {**BOT, 'change': {'revision': reviewed}}, reviewed)
    ci.write('src/app.py', 'import os\ndef run(cmd):\n    return os.system(cmd + " && rm -rf /")\n')
    ci.commit('after the review')
    code, out = _check(capsys)
    assert code == 1
    assert 'BLOCK require: needs-a-person' in out
    assert f'note:{reviewed[:12]}#1 did not review them as they are now' in out
    # the bot's finding on line 2 is not on a rewritten line: it still blocks as itself
    assert 'src/app.py:2: BLOCK block-high: shell injection [sec-bot]' in out
    # a finding on the rewritten line is stale, and `stale: block` blocks it
    _attach(ci, tmp_path, {**BOT, 'reviewer': {'name': 'other-bot', 'kind': 'llm'}, 'change': {'revision': reviewed},
                           'findings': [{**BOT['findings'][0], 'location': {'path': 'src/app.py', 'start_line': 3}}]},
            reviewed)
    code, out = _check(capsys)
    assert ('src/app.py:3: BLOCK stale: shell injection [other-bot]\n'
            f'    stale: line 3 changed after the review of {reviewed[:12]}') in out


def test_a_note_on_one_commit_does_not_cover_the_commits_after_it(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reviewed = ci.git('rev-parse', 'HEAD').strip()
    _attach(ci, tmp_path, PERSON)  # attach records the commit it reviewed
    assert _check(capsys)[0] == 0
    ci.write('src/later.py', 'import os\nos.system("make")\n')
    ci.commit('after the review')
    code, out = _check(capsys)
    assert code == 1
    assert ('change: BLOCK require: needs-a-person: each changed file matching src/** needs 1 human report '
            f'by distinct reviewers; 1 file has fewer; not counted: note:{reviewed[:12]}#1 did not review '
            'them as they are now\n  src/later.py\n') in out


def test_a_review_of_a_colleagues_branch_does_not_cover_commits_stacked_on_it(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _attach(ci, tmp_path, PERSON, 'HEAD', '--base', 'main')  # the colleague's branch, reviewed, not merged
    ci.git('checkout', '-q', '-b', 'stacked')
    ci.write('src/mine.py', 'import os\nos.system("make")\n')
    ci.commit('stacked on the reviewed branch')
    code, out = _check(capsys)  # the merge request of `stacked` into main
    assert code == 1
    assert 'has fewer; not counted: note:' in out
    assert out.count('\n  src/') == 1 and '\n  src/mine.py\n' in out  # the colleague's reviewed file is covered


def test_a_review_of_one_commit_covers_no_file_of_the_commits_before_it(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ci.write('src/util.py', 'def helper():\n    return 2\n')
    ci.commit('a second commit')
    _attach(ci, tmp_path, PERSON)  # by default, a review of the commit's own diff
    code, out = _check(capsys)
    assert code == 1
    assert out.count('\n  src/') == 1 and '\n  src/app.py\n' in out
    _attach(ci, tmp_path, PERSON, 'HEAD', '--base', 'main')  # a review of all of it
    assert _check(capsys)[0] == 0


def test_reviews_follow_their_commit_through_an_amend_and_a_rebase(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _attach(ci, tmp_path, PERSON)
    _attach(ci, tmp_path, {**BOT, 'findings': [{**BOT['findings'][0], 'location': {'path': 'src/app.py',
                                                                                   'start_line': 3}}]})
    ci.git('commit', '-q', '--amend', '-m', 'the change, reworded')  # the notes stay on the old commit
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:3: BLOCK block-high: shell injection [sec-bot]' in out
    assert 'require' not in out  # the person's review of the same patch counts
    assert 'from 2 reports' in out
    ci.git('checkout', '-q', 'main')
    ci.write('src/other.py', 'OTHER = 1\n')
    ci.commit('main moves on')
    ci.git('checkout', '-q', 'change')
    ci.git('rebase', '-q', 'main')  # the patch applies as it is: the same patch id
    monkeypatch.setenv('CI_MERGE_REQUEST_DIFF_BASE_SHA', ci.git('rev-parse', 'main').strip())
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:3: BLOCK block-high: shell injection [sec-bot]' in out
    assert 'require' not in out
    assert 'from 2 reports' in out
