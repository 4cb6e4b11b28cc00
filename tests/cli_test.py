"""The real console script: exit codes, help, version, colour, and every verb."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from findings_gate import cli, schema
from tests.conftest import Repo

SCRIPT = Path(sys.executable).parent / 'findings-gate'


def script(*args: str, cwd: Path, env: dict[str, str] | None = None,
           stdin: str = '') -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        (str(SCRIPT), *args), cwd=cwd, capture_output=True, text=True, input=stdin,
        env={**os.environ, **(env or {})},
    )


def report(severity: str, line: int, path: str = 'app.py') -> str:
    return json.dumps({
        'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
        'findings': [{'title': 'a finding', 'severity': severity,
                      'location': {'path': path, 'start_line': line}}],
    })


@pytest.fixture
def staged(repo: Repo) -> Repo:
    repo.write('app.py', ''.join(f'x{i} = {i}\n' for i in range(1, 21)))
    repo.commit('base')
    repo.write('app.py', ''.join(f'x{i} = {i}\n' for i in range(1, 20)) + 'x20 = "new"\n')
    repo.git('add', 'app.py')
    return repo


def test_exit_0_when_nothing_blocks(staged: Repo) -> None:
    result = script('check', '--report', '-', cwd=staged.root, stdin=report('high', 2))
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith('from 1 report on staged changes\n')
    assert 'app.py:2: WARN warn-in-changed-files: a finding [bot]' in result.stdout


def test_exit_1_when_the_policy_blocks(staged: Repo) -> None:
    result = script('check', '--report', '-', cwd=staged.root, stdin=report('high', 20))
    assert result.returncode == 1
    assert 'app.py:20: BLOCK block-severe-on-change: a finding [bot]' in result.stdout
    assert result.stderr == ''


@pytest.mark.parametrize(('args', 'message'), [
    (['check', '--base', 'nope'], "findings-gate: error: 'nope': unknown revision; fetch it or check the name\n"),
    (['check', '--report', 'missing/*.json'], "findings-gate: error: --report 'missing/*.json': no report file matches; check the path\n"),
    (['check', '--from-ref', 'HEAD'], 'findings-gate: error: --from-ref and --to-ref go together; pass both\n'),
    (['check', '--policy', 'nope.yaml'], 'findings-gate: error: nope.yaml: cannot read the policy: No such file or directory\n'),
])
def test_exit_2_when_the_gate_cannot_run_as_asked(staged: Repo, args: list[str], message: str) -> None:
    result = script(*args, cwd=staged.root)
    assert (result.returncode, result.stdout, result.stderr) == (2, '', message)


def test_exit_2_outside_a_repository(tmp_path: Path) -> None:
    result = script('check', cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f'findings-gate: error: {tmp_path}: not a git repository; '
                             f'run inside one, or pass --diff-file\n')


def test_exit_2_for_bad_arguments(tmp_path: Path) -> None:
    result = script('check', '--format', 'xml', cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr


def test_exit_3_with_a_traceback_for_a_bug(staged: Repo, tmp_path: Path) -> None:
    # a bug is planted from outside the package: the policy's decide() raises
    (tmp_path / 'sitecustomize.py').write_text(
        'import findings_gate.decide.policy\n'
        'def decide(*args, **kwargs):\n'
        '    raise KeyError("planted bug")\n'
        'findings_gate.decide.policy.decide = decide\n',
    )
    result = script('check', cwd=staged.root, env={'PYTHONPATH': str(tmp_path)})
    assert result.returncode == 3
    assert "KeyError: 'planted bug'" in result.stderr
    assert result.stderr.endswith(
        'findings-gate: internal error (exit 3); please report it with the traceback above\n')


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run((sys.executable, '-m', 'findings_gate', '--version'),
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout == f'findings-gate {cli.VERSION}\n'


def test_help_names_every_verb(tmp_path: Path) -> None:
    result = script('--help', cwd=tmp_path)
    assert result.returncode == 0
    for verb in ('check', 'validate', 'attach', 'policy', 'demo'):
        assert verb in result.stdout


def test_demo_shows_a_block_a_warning_and_a_pass(tmp_path: Path) -> None:
    result = script('demo', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'app/users.py:9: BLOCK block-severe-on-change: SQL query built from user input' in result.stdout
    assert 'exit 1: the commit is blocked' in result.stdout
    assert 'app/users.py:14: WARN' in result.stdout
    assert 'exit 0: the commit passes, with the warnings shown' in result.stdout
    # it ends with a clean pass, and says where its repository, reviews and policy were
    assert result.stdout.endswith('findings-gate: passed: 0 block, 0 warn, 1 note; 1 finding (untouched 1) from 2 '
                                  'reports on staged changes\nexit 0: the commit passes, clean\n')
    where = re.match(r"The demo's repository: (\S+) \(removed at the end\)\.\n", result.stdout)
    assert where and not Path(where[1]).exists()
    assert 'default policy decides' in result.stdout.splitlines()[1]
    assert '\033[' not in result.stdout  # not a terminal: no colour
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_the_demo_is_coloured_like_check_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr('sys.stdout.isatty', lambda: True)
    monkeypatch.delenv('NO_COLOR', raising=False)
    monkeypatch.setenv('TERM', 'xterm')
    assert cli.main(['demo']) == 0
    assert '\033[1;31mBLOCK\033[0m' in capsys.readouterr().out


def test_json_output_is_a_valid_decision(staged: Repo, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(staged.root)
    staged.write('.reviews/a.json', report('critical', 19))
    staged.write('.reviews/b.json', '{"version": 2}')
    assert cli.main(['check', '--format', 'json']) == 1
    document = json.loads(capsys.readouterr().out)
    assert schema.problems('decision', document) == []
    assert document['verdict'] == 'block'
    assert [f['placement'] for f in document['findings']] == ['context']
    assert document['conditions'][0]['kind'] == 'invalid_report'


@pytest.mark.parametrize(('argv', 'env', 'tty', 'color'), [
    (['--color', 'always'], {}, False, True),
    (['--color', 'never'], {}, True, False),
    ([], {}, True, True),
    ([], {}, False, False),
    ([], {'NO_COLOR': '1'}, True, False),
    ([], {'TERM': 'dumb'}, True, False),
    ([], {'PRE_COMMIT_COLOR': 'always'}, False, True),
    ([], {'PRE_COMMIT_COLOR': 'never'}, True, False),
])
def test_color(staged: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
               argv: list[str], env: dict[str, str], tty: bool, color: bool) -> None:
    monkeypatch.chdir(staged.root)
    monkeypatch.setenv('TERM', 'xterm')
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stdout, 'isatty', lambda: tty)
    staged.write('.reviews/a.json', report('critical', 20))
    cli.main(['check', *argv])
    assert ('\033[1;31mBLOCK\033[0m' in capsys.readouterr().out) is color


def test_validate(tmp_path: Path) -> None:
    (tmp_path / 'good.yaml').write_text('version: 1\nreviewer: {name: a, kind: human}\nfindings: []\n')
    (tmp_path / 'bad.json').write_text('{"version": 1, "reviewer": {"name": "a"}, "findings": [{}]}')
    result = script('validate', 'good.yaml', 'bad.json', cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        'good.yaml: valid, 0 finding(s)',
        "bad.json::$.findings[0]: 'title' is a required property",
        "bad.json::$.findings[0]: 'severity' is a required property",
        "bad.json::$.reviewer: 'kind' is a required property",
    ]
    assert script('validate', 'good.yaml', cwd=tmp_path).returncode == 0
    assert script('validate', 'none.json', cwd=tmp_path).returncode == 2


def test_policy_check(repo: Repo) -> None:
    result = script('policy', 'check', cwd=repo.root)
    assert (result.returncode, result.stdout) == (
        0, 'no policy file (.findings-gate.yaml): the default policy applies\n')
    repo.write('.findings-gate.yaml', 'version: 1\nrules:\n  - {name: x, action: block, severity: hgh}\n')
    result = script('policy', 'check', cwd=repo.root)
    assert result.returncode == 1
    assert result.stdout == (".findings-gate.yaml::$.rules[0].severity: 'hgh' is not one of "
                             "['critical', 'high', 'medium', 'low', 'info']\n")
    repo.write('strict.yaml', 'version: 1\ndefault: block\n')
    result = script('policy', 'check', 'strict.yaml', cwd=repo.root)
    assert (result.returncode, result.stdout) == (0, 'strict.yaml: valid policy\n')


@pytest.mark.parametrize(('args', 'message'), [
    (['--base', 'main', '--diff-file', 'x.patch'], '--base and --diff-file name different changes; pass one of them'),
    (['--pre-push', '--from-ref', 'a', '--to-ref', 'b'],
     '--from-ref/--to-ref and --pre-push name different changes; pass one of them'),
    (['--head', 'x'], '--head needs --base; or use --from-ref/--to-ref'),
    (['--context', '-1'], '--context -1: give a number of lines, 0 or more'),
    (['--diff-file', '-', '--report', '-'],
     '--diff-file - and --report - both want standard input; save one to a file'),
])
def test_arguments_that_contradict_each_other(args: list[str], message: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(['check', *args]) == 2
    assert capsys.readouterr().err == f'findings-gate: error: {message}\n'


def test_a_terminal_that_cannot_show_the_text(staged: Repo) -> None:
    text = report('high', 20).replace('a finding', 'caf\\u00e9 \\u65e5\\u672c')
    result = subprocess.run(
        (str(SCRIPT), 'check', '--report', '-'), cwd=staged.root, input=text.encode(),
        capture_output=True, env={**os.environ, 'PYTHONIOENCODING': 'ascii'},
    )
    assert result.returncode == 1, result.stderr
    assert b'app.py:20: BLOCK block-severe-on-change: caf\\xe9 \\u65e5\\u672c [bot]' in result.stdout


def test_a_reader_that_goes_away_keeps_the_verdict(staged: Repo) -> None:
    many = json.dumps({'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'}, 'findings': [
        {'title': f'finding {i}', 'severity': 'high', 'location': {'path': 'app.py', 'start_line': 20}}
        for i in range(5000)]})
    result = subprocess.run(
        f'{SCRIPT} check --report - | head -1; exit ${{PIPESTATUS[0]}}', shell=True,
        executable='bash', cwd=staged.root, input=many, capture_output=True, text=True,
    )
    assert (result.returncode, result.stderr) == (1, '')


def test_a_run_without_cwe_ids_does_not_load_the_catalog(staged: Repo, tmp_path: Path) -> None:
    probe = tmp_path / 'probe.py'
    probe.write_text(
        'import sys\n'
        'from findings_gate.cli import main\n'
        'code = main(["check", "--report", sys.argv[1]])\n'
        'print("findings_gate.cwe" in sys.modules, code)\n',
    )
    (tmp_path / 'plain.json').write_text(report('high', 20))
    (tmp_path / 'with-cwe.json').write_text(report('high', 20).replace('"title"', '"cwe": ["CWE-79"], "title"'))
    for name, loaded in (('plain.json', 'False'), ('with-cwe.json', 'True')):
        result = subprocess.run((sys.executable, str(probe), str(tmp_path / name)), cwd=staged.root,
                                capture_output=True, text=True)
        assert result.stdout.splitlines()[-1] == f'{loaded} 1', result.stderr


def test_policy_check_warns_about_a_rule_that_never_decides(repo: Repo) -> None:
    repo.write('p.yaml', 'version: 1\nrules:\n  - {name: high, severity: high, action: block}\n'
               '  - {name: critical, severity: critical, action: warn}\n')
    result = script('policy', 'check', 'p.yaml', cwd=repo.root)
    assert (result.returncode, result.stdout) == (0, (
        "p.yaml: valid policy\nwarning: p.yaml::$.rules[1]: 'critical' never decides: 'high' (rules[0]) takes "
        "every finding it would; move it up or narrow 'high'\n"))


def test_the_format_names_the_options_take_are_the_registries(capsys: pytest.CaptureFixture[str]) -> None:
    from findings_gate import read, render

    for verb, option, names in (('check', '--format', render.RENDERERS), ('check', '--report-format', read.FORMATS),
                                ('validate', '--format', read.FORMATS), ('import', '--format', read.FORMATS)):
        with pytest.raises(SystemExit):
            cli.main([verb, option, "no-such-format", "x"])
        error = capsys.readouterr().err
        assert f"(choose from {', '.join(repr(n) for n in names)})" in error, (verb, option)


def test_findings_are_signed_when_an_output_shows_it(staged: Repo, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(staged.root)
    staged.write('r.json', report('high', 2))
    assert cli.main(['check', '--report', 'r.json', '--output', 'json=out.json']) == 0
    [finding] = json.loads((staged.root / 'out.json').read_text())['findings']
    assert re.fullmatch('[0-9a-f]{16}', finding['signature'])
    capsys.readouterr()
    assert cli.main(['check', '--report', 'r.json', '--format', 'json']) == 0
    [again] = json.loads(capsys.readouterr().out)['findings']
    assert again['signature'] == finding['signature']


def test_no_arguments_print_a_short_usage_with_the_common_verbs(tmp_path: Path) -> None:
    result = script(cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith('usage: findings-gate VERB [options]\n')
    for verb in ('check', 'explain', 'validate', 'attach', 'policy check', 'init', 'demo'):
        assert f'\n  {verb} ' in result.stderr


@pytest.mark.parametrize('verb', ['check', 'explain', 'validate', 'import', 'attach', 'policy check',
                                  'baseline write', 'waivers', 'init', 'demo'])
def test_every_verbs_help_has_a_description_examples_and_exit_codes(
        verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([*verb.split(), '--help'])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert f'\nexamples:\n  findings-gate {verb}' in text
    assert '\nexit codes:\n  0 ' in text and '  2 it could not run as asked' in text
    assert '`' not in text  # help is plain text, not Markdown
    for option in re.findall(r'^  (--[a-z-]+)', text, re.M):
        if option != '--help':
            described = re.search(rf'^  {option}\b.*(\n {{10,}}\S.*)*', text, re.M)
            assert described and len(described[0].split()) > 2, f'{verb} {option} has no help'


def test_a_repository_with_no_commits_says_so(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('r.json', report('high', 1))
    for args, ref in ((['check', '--base', 'main'], 'HEAD'), (['check', '--base', 'main', '--head', 'main'], 'main'),
                      (['attach', 'r.json'], 'HEAD')):
        assert cli.main(args) == 2
        assert capsys.readouterr().err == (
            f"findings-gate: error: '{ref}': the repository has no commits yet; commit first, or gate the staged "
            f"change (findings-gate check)\n")


def test_only_the_gating_verbs_offer_a_saved_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'r.json').write_text(report('high', 1))
    assert cli.main(['check']) == 2
    assert capsys.readouterr().err.endswith('not a git repository; run inside one, or pass --diff-file\n')
    assert cli.main(['attach', 'r.json']) == 2
    assert capsys.readouterr().err.endswith('not a git repository; run inside one\n')


def test_a_path_outside_the_working_directory_is_shown_whole(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from findings_gate.errors import display

    (repo.root / 'sub').mkdir()
    monkeypatch.chdir(repo.root / 'sub')
    assert display(repo.root / 'sub' / 'a.yaml') == 'a.yaml'
    assert display(tmp_path / 'tab.yaml') == str(tmp_path / 'tab.yaml')
    (tmp_path / 'tab.yaml').write_text('version: 1\ndefault: nope\n')
    assert cli.main(['policy', 'check', str(tmp_path / 'tab.yaml')]) == 1
    assert capsys.readouterr().out.startswith(f'{tmp_path / "tab.yaml"}::$.default: ')
