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
from tests.conftest import Repo, fetch_origin, gitlab_merge_request

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
    for name, value in gitlab_merge_request(repo, base, 'main').items():
        monkeypatch.setenv(name, value)
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
                                 f'on {_range(ci)}; configuration from commit {ci.git("rev-parse", "main")[:12]}\n')


def _range(repo: Repo) -> str:
    return f"{repo.git('rev-parse', 'main').strip()[:12]}...{repo.git('rev-parse', 'HEAD').strip()[:12]}"


def test_editing_the_policy_does_not_loosen_the_gate(
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _attach(ci, tmp_path, PERSON)
    _attach(ci, tmp_path, BOT)
    ci.write('.findings-gate.yaml', 'version: 1\nrules: []\ndefault: ignore\nconfig_changed: ignore\n')
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
        ci: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
    fetch_origin(ci)  # the CI's clone has main as it is now
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:3: BLOCK block-high: shell injection [sec-bot]' in out
    assert 'require' not in out
    assert 'from 2 reports' in out


def github_event(tmp_path: Path, payload: dict, name: str) -> dict[str, str]:
    """What GitHub Actions sets for an event: the payload in a file, and the variables around it."""
    path = tmp_path / 'event.json'
    path.write_text(json.dumps(payload))
    return {'GITHUB_ACTIONS': 'true', 'GITHUB_EVENT_PATH': str(path), 'GITHUB_EVENT_NAME': name}


def _sha(repo: Repo, ref: str) -> str:
    return repo.git('rev-parse', ref).strip()


@pytest.fixture
def branched(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Repo:
    """main with the policy; branch `change`, from there, edits src/app.py; a review of it is attached."""
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', POLICY)
    repo.write('src/app.py', 'def run(cmd):\n    return cmd\n')
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('src/app.py', 'import os\ndef run(cmd):\n    return os.system(cmd)\n')
    repo.commit('the change')
    _attach(repo, tmp_path, PERSON)
    _attach(repo, tmp_path, BOT)
    return repo


def _on_main(repo: Repo, files: dict[str, str | None], message: str) -> str:
    """A commit on main after the change branched off; the change stays checked out."""
    repo.git('checkout', '-q', 'main')
    for path, text in files.items():
        if text is None:
            (repo.root / path).unlink()
        else:
            repo.write(path, text)
    tip = repo.commit(message)
    repo.git('checkout', '-q', 'change')
    fetch_origin(repo)
    return tip


def test_a_change_branched_before_the_policy_was_tightened_gets_the_tightened_policy(
        branched: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # the policy the change branched from blocked nothing; main blocks high findings since
    branched.git('checkout', '-q', 'main')
    branched.write('.findings-gate.yaml', 'version: 1\nrules: []\n')
    branched.commit('the old, lax policy')
    branched.git('checkout', '-q', 'change')
    branched.git('rebase', '-q', 'main')
    _attach(branched, tmp_path, PERSON)
    _attach(branched, tmp_path, BOT)
    tip = _on_main(branched, {'.findings-gate.yaml': POLICY}, 'a stricter policy')
    head = _sha(branched, 'HEAD')
    event = {'pull_request': {'number': 1, 'base': {'ref': 'main', 'sha': tip},
                              'head': {'ref': 'change', 'sha': head}}}
    for name, value in github_event(tmp_path, event, 'pull_request').items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv('GITHUB_BASE_REF', 'main')
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:2: BLOCK block-high: shell injection [sec-bot]' in out
    merge_base = _sha(branched, 'HEAD~1')
    assert out.endswith(f'on {merge_base[:12]}...{head[:12]}; configuration from commit {tip[:12]}\n')


def test_a_waiver_revoked_after_the_change_branched_does_not_waive(
        branched: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    waivers = ('version: 1\nwaivers:\n'
               '  - {rule: SHELL, path: "**", reason: known, owner: sec-team, expires: 2099-01-01}\n')
    branched.git('checkout', '-q', 'main')
    branched.write('.findings-gate/waivers.yaml', waivers)
    branched.commit('waive SHELL')
    branched.git('checkout', '-q', 'change')
    branched.git('rebase', '-q', 'main')
    _attach(branched, tmp_path, PERSON)
    _attach(branched, tmp_path, BOT)
    tip = _on_main(branched, {'.findings-gate/waivers.yaml': None}, 'revoke the waiver')
    for name, value in gitlab_merge_request(branched, _sha(branched, 'HEAD~1'), 'main').items():
        monkeypatch.setenv(name, value)
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:2: BLOCK block-high: shell injection [sec-bot]' in out
    assert 'waived' not in out
    assert out.endswith(f'; configuration from commit {tip[:12]}\n')


def test_a_baseline_trimmed_after_the_change_branched_no_longer_hides_the_finding(
        branched: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # old findings only warn; main's baseline had this one, and was trimmed since
    policy = POLICY.replace('rules:\n', 'rules:\n  - {name: old-only-warns, baseline: unchanged, action: warn}\n')
    _on_main(branched, {'.findings-gate.yaml': policy}, 'old findings only warn')
    branched.git('rebase', '-q', 'main')
    (tmp_path / 'bot.json').write_text(json.dumps(BOT))
    assert main(['baseline', 'write', '--base', 'main', '--report', str(tmp_path / 'bot.json'),
                 '--file', str(tmp_path / 'baseline.json'), '--no-notes']) == 0
    _on_main(branched, {'.findings-gate/baseline.json': (tmp_path / 'baseline.json').read_text()},
             'the baseline')
    branched.git('rebase', '-q', 'main')
    _attach(branched, tmp_path, PERSON)
    _attach(branched, tmp_path, BOT)
    fetch_origin(branched)
    monkeypatch.setenv('ZUUL_BRANCH', 'main')
    code, out = _check(capsys)
    assert (code, 'src/app.py:2: WARN old-only-warns: shell injection [sec-bot]' in out) == (0, True), out
    tip = _on_main(branched, {'.findings-gate/baseline.json': '{"version": 1, "findings": []}\n'},
                   'trim the baseline')
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:2: BLOCK block-high: shell injection [sec-bot]' in out
    assert out.endswith(f'; configuration from commit {tip[:12]}\n')


MEDIUM = {**BOT, 'findings': [{**BOT['findings'][0], 'severity': 'medium'}]}


@pytest.mark.parametrize('ci_name', ['github', 'gitlab'])
def test_a_push_that_creates_a_branch_is_gated_against_the_default_branch(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        ci_name: str) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', 'version: 1\nrules:\n  - {name: block-medium, severity: medium, action: block}\n')
    repo.write('src/app.py', 'def run(cmd):\n    return cmd\n')
    tip = repo.commit('base')
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('src/app.py', 'import os\ndef run(cmd):\n    return os.system(cmd)\n')
    head = repo.commit('the change')
    _attach(repo, tmp_path, MEDIUM)
    fetch_origin(repo)
    if ci_name == 'github':
        event = {'ref': 'refs/heads/topic', 'before': '0' * 40, 'after': head, 'created': True,
                 'repository': {'default_branch': 'main'}}
        env = {**github_event(tmp_path, event, 'push'), 'GITHUB_REF': 'refs/heads/topic', 'GITHUB_SHA': head}
    else:
        env = {'GITLAB_CI': 'true', 'CI_PIPELINE_SOURCE': 'push', 'CI_COMMIT_SHA': head,
               'CI_COMMIT_BEFORE_SHA': '0' * 40, 'CI_COMMIT_BRANCH': 'topic', 'CI_COMMIT_REF_NAME': 'topic',
               'CI_DEFAULT_BRANCH': 'main'}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:2: BLOCK block-medium: shell injection [sec-bot]' in out
    assert out.endswith(f'1 report on {tip[:12]}...{head[:12]}; configuration from commit {tip[:12]}\n')


def test_a_push_of_the_default_branch_with_no_previous_commit_gates_all_of_it(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('src/app.py', 'import os\ndef run(cmd):\n    return os.system(cmd)\n')
    head = repo.commit('the first commit')
    _attach(repo, tmp_path, BOT)
    fetch_origin(repo)
    event = {'ref': 'refs/heads/main', 'before': '0' * 40, 'after': head, 'repository': {'default_branch': 'main'}}
    for name, value in github_event(tmp_path, event, 'push').items():
        monkeypatch.setenv(name, value)
    code, out = _check(capsys)
    assert code == 1
    assert 'src/app.py:2: BLOCK block-severe-on-change: shell injection [sec-bot]' in out
    assert out.endswith(f'on everything up to {head[:12]}\n')


def test_a_policy_named_with_policy_is_read_from_the_base_too(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('ci/gate.yaml', POLICY)
    repo.write('src/app.py', 'def run(cmd):\n    return cmd\n')
    base = repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('src/app.py', 'import os\ndef run(cmd):\n    return os.system(cmd)\n')
    repo.write('ci/gate.yaml', 'version: 1\nrules: []\nrequire: []\nconfig_changed: ignore\n')
    repo.commit('the change, and a laxer policy')
    _attach(repo, tmp_path, PERSON)
    _attach(repo, tmp_path, BOT)
    for name, value in gitlab_merge_request(repo, base, 'main').items():
        monkeypatch.setenv(name, value)
    code, out = _check(capsys, '--policy', 'ci/gate.yaml')
    assert code == 1
    assert 'src/app.py:2: BLOCK block-high: shell injection [sec-bot]' in out
    assert ("ci/gate.yaml: BLOCK config_changed: the change edits the gate's configuration; "
            "the base commit's copy applies (--trusted-config base)") in out
    (repo.root / 'src').mkdir(exist_ok=True)
    monkeypatch.chdir(repo.root / 'src')  # the same file, named from elsewhere in the work tree
    assert _check(capsys, '--policy', '../ci/gate.yaml')[0] == 1
    monkeypatch.chdir(repo.root)
    # outside CI the work tree's copy applies, and the output still says it was edited
    assert main(['check', '--base', 'main', '--policy', 'ci/gate.yaml']) == 0
    assert 'ci/gate.yaml: NOTE config_changed' in capsys.readouterr().out


def test_a_policy_named_with_policy_that_the_base_does_not_have(
        ci: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _attach(ci, tmp_path, PERSON)
    _attach(ci, tmp_path, BOT)
    ci.write('gate.yaml', 'version: 1\nrules: []\n')
    code = main(['check', '--ci', '--policy', 'gate.yaml'])  # not committed anywhere
    assert code == 2
    assert capsys.readouterr().err == (
        f"findings-gate: error: --policy gate.yaml: not in commit {_sha(ci, 'main')[:12]}, where the "
        "configuration is read from (--trusted-config base); commit it there first, or name a file "
        "outside the repository\n")
    ci.commit('the change brings its own policy')
    _attach(ci, tmp_path, PERSON)
    _attach(ci, tmp_path, BOT)
    code, out = _check(capsys, '--policy', 'gate.yaml')  # the base has none: the default policy
    assert code == 1
    assert 'src/app.py:2: BLOCK block-severe-on-change: shell injection [sec-bot]' in out
    assert 'gate.yaml: WARN config_changed' in out
