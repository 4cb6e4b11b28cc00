"""Inline suppressions (`# nosec`, `# noqa`, ...) and `inline_suppressions`, with real bandit and ruff output."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate.cli import main
from findings_gate.model import Change, FileChange, Finding, Location, Placed, Report, Reviewer
from findings_gate.place import suppressions
from tests.analysers import bandit_sarif, ruff_sarif
from tests.conftest import Repo

BASE = 'import subprocess\n\n\ndef old(x):\n    subprocess.call(x, shell=True)  # nosec B602\n'
# the change adds a bare `# nosec` to the import, a second shell call with its own `# nosec B602`,
# and one whose `# nosec B101` names another test
HEAD = ('import subprocess  # nosec\n\n\ndef old(x):\n    subprocess.call(x, shell=True)  # nosec B602\n\n\n'
        'def new(y):\n    subprocess.call(y, shell=True)  # nosec B602\n    subprocess.call(y, shell=True)  # nosec B101\n')


def _bandit(repo: Repo, tmp_path: Path, policy: str | None = None) -> str:
    """main, and a branch whose commit adds suppressions; bandit's SARIF of the head, run with
    --ignore-nosec so that the suppressed findings are reported and the policy decides them."""
    if policy is not None:
        repo.write('.findings-gate.yaml', policy)
    repo.write('app.py', BASE)
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'feature')
    repo.write('app.py', HEAD)
    repo.commit('the change')
    report = tmp_path / 'bandit.sarif'
    report.write_text(bandit_sarif(repo.root, '--ignore-nosec', 'app.py'))
    return str(report)


def _lines(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(['check', '--base', 'main', '--no-notes', *args])
    out, err = capsys.readouterr()
    assert err == ''
    return code, out.splitlines()


def test_by_default_a_suppression_is_shown_beside_its_finding_and_not_applied(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    report = _bandit(repo, tmp_path)
    monkeypatch.chdir(repo.root)
    code, lines = _lines(capsys, '--report', report)
    assert code == 1
    shell = 'BLOCK block-severe-on-change: subprocess call with shell=True identified, security issue [Bandit]'
    assert lines[lines.index(f'app.py:5:5: {shell}') + 1] == (
        '    suppressed in the code on line 5, not applied (inline_suppressions): # nosec B602')
    assert lines[lines.index(f'app.py:9:5: {shell}') + 1] == (
        '    waiver request: the change adds # nosec B602 on line 9; not applied')
    assert lines[lines.index(f'app.py:10:5: {shell}') + 1].startswith('app.py:')  # B101 is another test
    assert '    waiver request: the change adds # nosec on line 1; not applied' in lines


@pytest.mark.parametrize(('trusted', 'suppressed'), [('tree', [1, 5, 9]), ('base', [5])])
def test_honour_applies_them_but_not_the_ones_the_change_adds_under_trusted_configuration(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        trusted: str, suppressed: list[int]) -> None:
    report = _bandit(repo, tmp_path, 'version: 1\ninline_suppressions: honour\n')
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    main(['check', '--base', 'main', '--no-notes', '--report', report, '--trusted-config', trusted, '--format', 'json'])
    decision = json.loads(capsys.readouterr().out)
    by_line = {f['lines']['start']: f for f in decision['findings']}
    assert sorted(n for n, f in by_line.items() if f['rule'] == 'suppressed') == suppressed
    assert by_line[9]['inline'] == {'text': '# nosec B602', 'line': 9, 'added': True,
                                    'state': 'applied' if trusted == 'tree' else 'request'}
    assert 'inline' not in by_line[10]


def test_honour_naming_rules_or_paths_applies_those_the_change_adds_too(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    report = _bandit(repo, tmp_path, 'version: 1\ninline_suppressions:\n  honour: [B602, "tests/**"]\n')
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    main(['check', '--base', 'main', '--no-notes', '--report', report, '--trusted-config', 'base', '--format', 'json'])
    states = {f['lines']['start']: (f['rule'], f.get('inline', {}).get('state'))
              for f in json.loads(capsys.readouterr().out)['findings']}
    assert states == {1: ('warn-in-changed-files', 'request'), 5: ('suppressed', 'applied'),
                      9: ('suppressed', 'applied'), 10: ('block-severe-on-change', None)}


def test_ignore_does_not_read_them(repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    report = _bandit(repo, tmp_path, 'version: 1\ninline_suppressions: ignore\n')
    monkeypatch.chdir(repo.root)
    code, lines = _lines(capsys, '--report', report)
    assert code == 1
    assert not [line for line in lines if 'nosec' in line]


def test_noqa_applies_to_ruff_for_the_codes_it_names_and_not_to_bandit(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write('.findings-gate.yaml', 'version: 1\ninline_suppressions: honour\n'
                                      'rules: [{name: all, action: block}]\n')
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    long = 'y = "' + 'a' * 100 + '"'
    repo.write('app.py', f'import os  # noqa: E501\nimport subprocess\n{long}  # noqa: E501\n{long}  # noqa: F401\n'
                         f'subprocess.call(y, shell=True)  # noqa\n')
    repo.git('add', '-A')
    (tmp_path / 'ruff.sarif').write_text(ruff_sarif(repo.root, '--ignore-noqa', 'app.py', select='E501,F401'))
    (tmp_path / 'bandit.sarif').write_text(bandit_sarif(repo.root, 'app.py'))
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    assert main(['check', '--report', str(tmp_path / 'ruff.sarif'), '--report', str(tmp_path / 'bandit.sarif'),
                 '--format', 'json']) == 1
    found = {(f['reviewer']['name'], f['finding']['rule'], f['lines']['start']): f['rule']
             for f in json.loads(capsys.readouterr().out)['findings']}
    assert found == {('ruff', 'F401', 1): 'all',  # the noqa names E501 only
                     ('ruff', 'E501', 3): 'suppressed', ('ruff', 'E501', 4): 'all',
                     ('Bandit', 'B404', 2): 'all', ('Bandit', 'B602', 5): 'all'}  # noqa is not bandit's


def _sarif(repo: Repo, tmp_path: Path) -> str:
    """A change whose line 2 a tool reports suppressed in source (as CodeQL or Semgrep write it)."""
    repo.write('app.py', 'a = 1\n')
    repo.commit('base')
    repo.write('app.py', 'a = 1\nb = eval(a)\n')
    repo.git('add', '-A')
    result = {'ruleId': 'eval', 'level': 'error', 'message': {'text': 'eval of input'},
              'locations': [{'physicalLocation': {'artifactLocation': {'uri': 'app.py'}, 'region': {'startLine': 2}}}],
              'suppressions': [{'kind': 'inSource', 'justification': 'trusted input'}]}
    log = {'version': '2.1.0', 'runs': [{'tool': {'driver': {'name': 'semgrep'}}, 'results': [result]}]}
    (tmp_path / 'semgrep.sarif').write_text(json.dumps(log))
    return str(tmp_path / 'semgrep.sarif')


@pytest.mark.parametrize(('setting', 'code', 'shown'), [
    ('report', 1, '    waiver request: the change adds inSource: trusted input on line 2; not applied'),
    ('honour', 0, '    suppressed in the code on line 2: inSource: trusted input'),
])
def test_a_sarif_in_source_suppression_is_an_inline_one(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        setting: str, code: int, shown: str) -> None:
    repo.write('.findings-gate.yaml', f'version: 1\ninline_suppressions: {setting}\n'
                                      f'rules: [{{name: all, action: block}}]\n')
    report = _sarif(repo, tmp_path)
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    assert main(['check', '--report', report]) == code
    assert shown in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(('setting', 'error'), [
    ('always', '.findings-gate.yaml::$.inline_suppressions: '),
    ('{honour: ["!"]}', ".findings-gate.yaml::$.inline_suppressions.honour: '!' is not a pattern git accepts"),
])
def test_a_policy_value_that_is_not_a_setting_is_an_error(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        setting: str, error: str) -> None:
    repo.write('.findings-gate.yaml', f'version: 1\ninline_suppressions: {setting}\n')
    report = _sarif(repo, tmp_path)
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    assert main(['check', '--report', report]) == 2
    assert capsys.readouterr().err.startswith(f'findings-gate: error: {error}')


def _found(tool: str, rule: str | None, text: str, line: int, kind: str = 'tool') -> str | None:
    finding = Finding('t', 'high', rule=rule, location=Location('f', line))
    placed = Placed(finding, Report('r', Reviewer(tool, kind), (finding,)), 'f', 'added', lines=(line, line))
    [marked] = suppressions.find([placed], {'f': text}, Change((FileChange('f', 'f', 'modified'),), 'c'))
    return marked.inline.text if marked.inline else None


@pytest.mark.parametrize(('tool', 'rule', 'text', 'line', 'found'), [
    ('clang-tidy', 'bugprone-use-after-move', 'use(x); // NOLINT(bugprone-*)\n', 1, '// NOLINT(bugprone-*)'),
    ('clang-tidy', 'cert-err58-cpp', 'use(x); // NOLINT(bugprone-*)\n', 1, None),
    ('clang-tidy', 'cert-err58-cpp', '// NOLINTNEXTLINE(cert-err58-cpp)\nuse(x);\n', 2,
     '// NOLINTNEXTLINE(cert-err58-cpp)'),
    ('clang-tidy', 'cert-err58-cpp', 'use(x);\n// NOLINTNEXTLINE\n', 1, None),  # it is for the next line
    ('semgrep', 'python.lang.security.audit.eval-detected', '# nosemgrep: eval-detected\nx = eval(y)\n', 2,
     '# nosemgrep: eval-detected'),
    ('semgrep', 'python.lang.other', 'x = eval(y)  # nosemgrep: eval-detected\n', 1, None),
    ('ESLint', 'no-eval', '// eslint-disable-next-line no-eval -- checked\neval(x);\n', 2,
     '// eslint-disable-next-line no-eval -- checked'),
    ('ESLint', 'no-eval', 'eval(x); /* eslint-disable-line no-alert */\n', 1, None),
    ('eslint', 'no-eval', 'eval(x); // eslint-disable-line\n', 1, '// eslint-disable-line'),
    ('mypy', 'arg-type', 'f(1)  # type: ignore[arg-type]\n', 1, '# type: ignore[arg-type]'),
    ('mypy', 'arg-type', 'f(1)  # type: ignore[union-attr]\n', 1, None),
    ('bandit', 'B602', 'x  # nosecurity\n', 1, None),
    ('flake8', 'E501', 'x  # NOQA:E501,W291\n', 1, '# NOQA:E501,W291'),
    ('pylint', 'E501', 'x  # noqa\n', 1, None),  # a comment for ruff and flake8 only
])
def test_each_comment_applies_to_its_analyser_and_the_rules_it_names(
        tool: str, rule: str | None, text: str, line: int, found: str | None) -> None:
    assert _found(tool, rule, text, line) == found


def test_an_applied_suppression_is_an_in_source_one_in_sarif_and_its_text_stays_inert(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write('.findings-gate.yaml', 'version: 1\ninline_suppressions: honour\n')
    repo.write('a.cc', 'int a;\n')
    repo.commit('base')
    repo.write('a.cc', 'int a;\nint b; // NOLINT(* \x1b]8;;https://x.test\x07<img src=x onerror=alert(1>)\n')
    repo.git('add', '-A')
    report = {'version': 1, 'reviewer': {'name': 'clang-tidy', 'kind': 'tool'}, 'findings': [
        {'title': 'global', 'severity': 'high', 'rule': 'cppcoreguidelines-avoid-non-const-global-variables',
         'location': {'path': 'a.cc', 'start_line': 2}}]}
    (tmp_path / 'tidy.json').write_text(json.dumps(report))
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    assert main(['check', '--report', str(tmp_path / 'tidy.json'), '--output', f'sarif={tmp_path / "out.sarif"}',
                 '--output', f'markdown={tmp_path / "out.md"}']) == 0
    out = capsys.readouterr().out
    assert '    suppressed in the code on line 2: // NOLINT(* ' in out and '\x1b' not in out and '\x07' not in out
    [result] = json.loads((tmp_path / 'out.sarif').read_text())['runs'][0]['results']
    [suppression] = result['suppressions']
    assert suppression['kind'] == 'inSource' and '\\]8;;' in suppression['justification']  # no link (SARIF 3.11.6)
    assert '<img' not in (tmp_path / 'out.md').read_text()


def test_a_comment_is_no_suppression_of_a_persons_or_a_models_finding() -> None:
    assert _found('bandit', 'B602', 'x  # nosec\n', 1) == '# nosec'
    assert _found('bandit-reviewer', 'B602', 'x  # nosec\n', 1, kind='llm') is None
    assert _found('bandit fan', 'B602', 'x  # nosec\n', 1, kind='human') is None


def test_policy_check_names_a_bad_honour_pattern(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'p.yaml').write_text('version: 1\ninline_suppressions: {honour: [B602, "!"]}\n')
    capsys.readouterr()
    assert main(['policy', 'check', 'p.yaml']) == 1
    assert "p.yaml::$.inline_suppressions.honour: '!' is not a pattern git accepts" in capsys.readouterr().out
