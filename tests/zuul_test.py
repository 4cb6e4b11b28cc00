"""render/zuul.py: `zuul_return` data that Zuul's own schema and filters keep whole."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import voluptuous as vs

from findings_gate.cli import main
from findings_gate.model import Decision
from findings_gate.render import zuul
from tests.conftest import Repo
from tests.decisions import EVERY_PLACEMENT, OLD_SIDE_UNCHANGED, WARN_UNTOUCHED, finding, gated

# Replayed from zuul/lib/filecomments.py of upstream Zuul as mirrored in
# blurrycontour/zuul-gerrit at the upstream merge commit 9ec48a7b06c2
# (shared/FORMATS.md, section 4.2), written exactly as Zuul defines it.
FILE_COMMENT = {
    'line': int,
    'message': str,
    'range': {
        'start_line': int,
        'start_character': int,
        'end_line': int,
        'end_character': int,
    },
    'level': str,
}
FILE_COMMENTS = {str: [FILE_COMMENT]}
FILE_COMMENTS_SCHEMA = vs.Schema(FILE_COMMENTS)

# The same schema before `level` was added (openstack-infra/zuul, 2019): what older Zuul
# executors run. The output must pass both.
OLD_FILE_COMMENTS_SCHEMA = vs.Schema({str: [{k: v for k, v in FILE_COMMENT.items() if k != 'level'}]})


def comments(decision: Decision) -> dict[str, list[dict]]:
    return zuul.data(decision)['zuul']['file_comments']


def warnings(decision: Decision) -> list[str]:
    return zuul.data(decision)['zuul']['warnings']


def test_output_passes_zuuls_schema_old_and_new(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, EVERY_PLACEMENT, policy=WARN_UNTOUCHED)
    document = json.loads(zuul.render(decision))
    assert set(document) == {'zuul'} and set(document['zuul']) == {'file_comments', 'warnings'}
    FILE_COMMENTS_SCHEMA(document['zuul']['file_comments'])
    OLD_FILE_COMMENTS_SCHEMA(document['zuul']['file_comments'])
    assert all(isinstance(w, str) for w in document['zuul']['warnings'])


def test_the_replayed_schema_rejects_what_zuul_rejects() -> None:
    """The replay is faithful: the cases FORMATS.md section 4.2 recorded against Zuul's schema."""
    FILE_COMMENTS_SCHEMA({})
    FILE_COMMENTS_SCHEMA({'a.py': [{'line': 1, 'range': {'start_line': 1}}]})  # partial range passes
    for bad in ({'a.py': [{'line': '42'}]}, {'a.py': [{'line': 42.0}]}, {'a.py': [{'line': 1, 'side': 'x'}]},
                {'a.py': {'line': 1}}, {1: [{'line': 1}]}):
        with pytest.raises(vs.Invalid):
            FILE_COMMENTS_SCHEMA(bad)
    with pytest.raises(vs.Invalid, match='extra keys not allowed'):
        OLD_FILE_COMMENTS_SCHEMA({'a.py': [{'line': 1, 'level': 'error'}]})


def test_only_what_zuul_keeps_is_a_file_comment(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, EVERY_PLACEMENT, policy=WARN_UNTOUCHED)
    files = {f.path for f in decision.change.files}
    got = comments(decision)
    assert set(got) <= files  # Zuul drops comments on files outside the change
    lines = [c['line'] for c in got['src/app.py']]
    assert lines == sorted(lines) and min(lines) >= 1
    messages = '\n'.join(c['message'] for c in got['src/app.py'])
    for title in ('changed line', 'range overlapping the change', 'near the change', 'far from the change'):
        assert title in messages
    for title in ('info on a changed line', 'on a removed line', 'whole file', 'in an untouched file',
                  'no location at all', 'outside the repository'):
        assert title not in messages
    moved = '\n'.join(warnings(decision))
    for title in ('on a removed line', 'whole file', 'in an untouched file', 'no location at all',
                  'outside the repository'):
        assert title in moved
    assert 'info on a changed line' not in moved  # ignored: counted, not shown
    assert warnings(decision)[0].startswith('findings-gate: BLOCKED: ')
    assert warnings(decision)[0].endswith(
        ': 4 as file comments, 5 not on a line of the change (below), 1 ignored by the policy')


def test_a_message_says_action_rule_placement_and_grounding(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [
        {**finding('changed line', path='app.py', start_line=5), 'rule': 'B608', 'cwe': ['CWE-89'],
         'message': 'first paragraph\nsecond line', 'suggestion': 'use parameters'},
    ])
    [comment] = comments(decision)['src/app.py']
    grounding = decision.findings[0].placed.grounding
    assert grounding.status == 'partly' and grounding.reasons
    assert comment['message'].splitlines() == [
        'BLOCK block-severe-on-change: changed line',
        'high severity, rule B608, CWE-89, from sec-bot (llm) in .reviews/review.json',
        'Placement: added: on added or changed lines',
        f'Grounding: partly: {"; ".join(grounding.reasons)}',
        '',
        'first paragraph',
        'second line',
        '',
        'Suggestion:',
        'use parameters',
    ]


def test_a_range_covers_the_lines_and_line_is_its_end(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [finding('span', path='src/app.py', start_line=4, end_line=6)])
    [comment] = comments(decision)['src/app.py']
    assert comment['range'] == {'start_line': 4, 'start_character': 0, 'end_line': 6,
                                'end_character': len('line_6 = 6')}
    assert comment['line'] == 6


def test_columns_become_characters_from_0_in_utf16_units(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'x = "é𐐀" + y\n'  # é is one UTF-16 unit, 𐐀 two
    decision = gated(repo, monkeypatch, [finding('the y', path='a.py', start_line=1, start_column=12,
                                                 end_column=12)],
                     base={'a.py': 'x = 1\n'}, change={'a.py': text})
    [comment] = comments(decision)['a.py']
    assert text[11] == 'y'
    assert comment == {'line': 1, 'message': comment['message'],
                       'range': {'start_line': 1, 'start_character': 12, 'end_line': 1, 'end_character': 13}}


def test_deleted_binary_and_untouched_files_get_no_comment(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [
        finding('in a deleted file', path='gone.py', start_line=1),
        finding('in a binary', path='blob.bin', start_line=1),
        finding('in an untouched file', path='docs/notes.md', start_line=1),
    ], base={'gone.py': 'x = 1\n', 'docs/notes.md': 'notes\n', 'blob.bin': b'\0\1'},
        change={'gone.py': None, 'blob.bin': b'\0\2'}, policy=WARN_UNTOUCHED)
    assert comments(decision) == {}
    moved = warnings(decision)
    assert len(moved) == 4 and all(title in '\n'.join(moved) for title in (
        'in a deleted file', 'in a binary', 'in an untouched file'))


def test_report_conditions_are_warnings(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = json.dumps({'version': 1, 'reviewer': {'name': 'x', 'kind': 'llm'},
                         'findings': [{'severity': 'high'}], 'complete': 'no'})
    decision = gated(repo, monkeypatch, [], reports={'.reviews/broken.json': broken})
    [summary, invalid] = warnings(decision)
    assert summary.startswith('findings-gate: BLOCKED: 1 block, 0 warn, 0 note')
    assert invalid.startswith('findings-gate: BLOCK invalid_report: .reviews/broken.json: not a valid report')
    assert "'title' is a required property" in invalid


def test_nothing_to_say_is_empty(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [finding('a note', 'info', path='src/app.py', start_line=5)])
    assert decision.verdict == 'pass'
    assert zuul.data(decision) == {'zuul': {'file_comments': {}, 'warnings': []}}


def test_hostile_text_stays_text(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    title = 'x\x1b[2J\r\nfindings-gate: BLOCK fake\u202e\x00'
    decision = gated(repo, monkeypatch, [
        finding(title, path='src/app.py', start_line=5),
        finding(title, 'critical'),
    ])
    [comment] = comments(decision)['src/app.py']
    first = comment['message'].splitlines()[0]
    assert first == 'BLOCK block-severe-on-change: x\\x1b[2J\\r\\nfindings-gate: BLOCK fake\\u202e\\x00'
    for warning in warnings(decision):
        assert '\n' not in warning and '\x1b' not in warning and '\u202e' not in warning
        assert '\x00' not in warning and '\r' not in warning


def test_the_cli_writes_it_for_zuul_return(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    gated(repo, monkeypatch, [finding('changed line', path='src/app.py', start_line=5)])
    out = tmp_path / 'zuul.json'
    assert main(['check', '--format', 'zuul', '--output', f'zuul={out}']) == 1
    assert json.loads(capsys.readouterr().out) == json.loads(out.read_text())
    FILE_COMMENTS_SCHEMA(json.loads(out.read_text())['zuul']['file_comments'])


def test_old_side_lines_are_never_new_side_comments(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [OLD_SIDE_UNCHANGED])
    assert decision.findings[0].placed.placement == 'file'  # old side, but no removed line
    assert comments(decision) == {}
    assert 'at src/app.py:3 (file: elsewhere in a changed file, old side line 3)' in warnings(decision)[1]
