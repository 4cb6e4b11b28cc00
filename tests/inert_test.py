"""What reaches a terminal or a log shows hostile characters as escapes, through the console script.

A file name or a review's text may hold ESC (the sequences that clear the
screen, set the title or the clipboard, make links), BEL, other C0 controls,
DEL, C1 controls such as NEL, line separators, bidirectional overrides,
zero-width and tag characters. Every output for a person (text, the GitHub
annotations, validate, explain, waivers, policy check, error lines) shows each
as an escape; JSON outputs keep them as `\\u` escapes.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from findings_gate.cli import main
from findings_gate.render.inert import html_code, html_lines, html_text, inert, json_inert
from tests.conftest import Repo

HOSTILE = ('\x1b[2J\x1b]0;title\x07\x1b]52;c;cHduZWQ=\x07\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\'
           '\x07\x08\x7f\x85\u2028\u2029\u202e\u2066\u200b\u200c\u200d\u2060\ufeff\U000e0041\U000e007f end')
NAME = 'r\x1b]0;pwned\x07\u202e\u200b\U000e0041'  # a file name: no NUL, no slash
SHOWN = re.compile('[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff'
                   '\U000e0000-\U000e007f]')  # what must not reach the terminal as itself (LF ends lines)


def test_every_character_is_shown_as_an_escape() -> None:
    shown = inert(HOSTILE)
    assert not SHOWN.search(shown)
    for escape in ('\\x1b]52;c;', '\\x07', '\\x85', '\\u2028', '\\u202e', '\\u200b', '\\u200d', '\\u2060',
                   '\\ufeff', '\\U000e0041', '\\U000e007f'):
        assert escape in shown
    assert json.loads(json_inert(json.dumps(HOSTILE, ensure_ascii=False))) == HOSTILE
    assert not SHOWN.search(json_inert(json.dumps(HOSTILE, ensure_ascii=False)))


def _change(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 2\n')
    repo.git('add', 'app.py')


def _review(text: str) -> str:
    finding = {'title': text, 'severity': 'high', 'message': f'{text}\nsecond line {text}', 'suggestion': text,
               'rule': text, 'location': {'path': 'app.py', 'start_line': 1, 'symbol': text}}
    return json.dumps({'version': 1, 'reviewer': {'name': text, 'kind': 'llm'}, 'findings': [finding]})


@pytest.mark.parametrize('args', [
    ('check',), ('check', '--format', 'github'), ('explain',), ('waivers',),
], ids=lambda a: ' '.join(a))
def test_gating_outputs_show_escapes(args: tuple[str, ...], repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _change(repo, monkeypatch)
    repo.write(f'.reviews/{NAME}.json', _review(HOSTILE))
    repo.write('.reviews/bad.json', '{"version": 1, "reviewer": {"name": "' + json.dumps(HOSTILE)[1:-1] + '"}}')
    repo.write('.findings-gate/waivers.yaml', yaml.safe_dump(
        {'version': 1, 'waivers': [{'reason': HOSTILE, 'owner': HOSTILE, 'expires': '2099-01-01', 'rule': 'nothing',
                     'path': 'app.py'}]}))
    main(list(args))
    out, err = capsys.readouterr()
    assert out and not SHOWN.search(out), err
    assert not SHOWN.search(err)
    if args[0] != 'waivers':
        assert '\\x1b]52;c;' in out and '\\U000e0041' in out


def test_validate_shows_hostile_file_names_and_texts_escaped(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    good = repo.write(f'.reviews/{NAME}.json', _review(HOSTILE))
    bad = repo.write(f'.reviews/{NAME}-bad.json', json.dumps({'version': 1, 'reviewer': {'name': 'x', 'kind': HOSTILE},
                                                              'findings': []}))
    assert main(['validate', str(good.relative_to(repo.root)), str(bad.relative_to(repo.root))]) == 1
    out, err = capsys.readouterr()
    assert err == ''
    assert not SHOWN.search(out), SHOWN.search(out)
    assert f'.reviews/{inert(NAME)}.json: valid, 1 finding(s)\n' in out
    assert out.count('\n') == 2  # one line each: a name cannot break a line


def test_import_writes_json_with_escapes(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    path = repo.write('review.json', _review(HOSTILE))
    assert main(['import', str(path)]) == 0
    out = capsys.readouterr().out
    assert not SHOWN.search(out)
    assert json.loads(out)['findings'][0]['title'] == HOSTILE


def test_policy_check_shows_file_names_escaped(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    good = repo.write(f'{NAME}.yaml', 'version: 1\n')
    bad = repo.write(f'{NAME}-bad.yaml', 'version: 1\ndefault: ' + json.dumps(HOSTILE) + '\n')
    assert main(['policy', 'check', good.name, bad.name]) == 1
    out = capsys.readouterr().out
    assert not SHOWN.search(out), SHOWN.search(out)
    assert out.startswith(f'{inert(NAME)}.yaml: valid policy\n')


def test_error_lines_show_file_names_escaped(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _change(repo, monkeypatch)
    assert main(['check', '--policy', f'{NAME}.yaml']) == 2
    err = capsys.readouterr().err
    assert not SHOWN.search(err), SHOWN.search(err)
    assert err == f'findings-gate: error: {inert(NAME)}.yaml: cannot read the policy: No such file or directory\n'


def test_a_hostile_report_name_in_ci_annotations(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """GitHub Actions as it sets the environment: the annotations name the invalid report escaped."""
    _change(repo, monkeypatch)
    repo.git('commit', '-q', '-m', 'change')
    repo.write(f'.reviews/{NAME}.json', '{"version": 1}')
    repo.commit('review')
    event = tmp_path / 'event.json'
    base = repo.git('rev-parse', 'HEAD~2').strip()
    head = repo.git('rev-parse', 'HEAD').strip()
    event.write_text(json.dumps({'pull_request': {'base': {'sha': base}, 'head': {'sha': head}}}))
    for name, value in {'GITHUB_ACTIONS': 'true', 'CI': 'true', 'GITHUB_EVENT_NAME': 'pull_request',
                        'GITHUB_EVENT_PATH': str(event), 'GITHUB_SHA': head, 'GITHUB_WORKSPACE': str(repo.root),
                        'GITHUB_STEP_SUMMARY': str(tmp_path / 'summary.md')}.items():
        monkeypatch.setenv(name, value)
    assert main(['check', '--ci']) == 1
    out = capsys.readouterr().out
    assert '::error title=BLOCK invalid_report::' in out
    assert not SHOWN.search(out), SHOWN.search(out)
    assert inert(NAME) in out


def test_html_text_is_text_in_an_element_or_an_attribute() -> None:
    assert html_text('<img src=x onerror="a(\'1\')"> &amp;') == (
        '&lt;img src=x onerror=&quot;a(&#x27;1&#x27;)&quot;&gt; &amp;amp;')
    assert html_text('a\nb\x1b[31m\u202e ##[error]') == 'a\\nb\\x1b[31m\\u202e #&#35;[error]'
    assert html_lines('one <b>\r\ntwo\n') == 'one &lt;b&gt;<br>two'
    assert html_code('\tx = "<y>"\t# z') == '\tx = &quot;&lt;y&gt;&quot;\t# z'
