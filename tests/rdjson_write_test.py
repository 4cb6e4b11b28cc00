"""render/rdjson.py: reviewdog's rdjson, valid against reviewdog's schema, columns in UTF-8 bytes."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from findings_gate import read
from findings_gate.model import Decision
from findings_gate.render import rdjson
from tests.conftest import Repo
from tests.decisions import EVERY_PLACEMENT, OLD_SIDE_UNCHANGED, binary_change, finding, gated

SCHEMA = json.loads((Path(__file__).parent / 'schemas' / 'reviewdog-DiagnosticResult.json').read_text())


def result(decision: Decision) -> dict:
    document = json.loads(rdjson.render(decision))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    for diagnostic in document['diagnostics']:  # what the proto's comments say
        span = diagnostic.get('location', {}).get('range')
        if span:
            start, end = span['start'], span.get('end', span['start'])
            assert start['line'] >= 1 and start.get('column', 1) >= 1 and end.get('column', 1) >= 1
            assert ('column' in start) == ('column' in end)  # line-wise, or both columns
            assert (end['line'], end.get('column', 0)) >= (start['line'], start.get('column', 0))
        assert 'suggestions' not in diagnostic
    return document


def test_every_placement(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, EVERY_PLACEMENT)
    document = result(decision)
    assert document['source'] == {'name': 'findings-gate'} and 'severity' not in document
    diagnostics = {d['message'].split(': ', 1)[1].split(' \\[')[0]: d for d in document['diagnostics']}
    assert len(diagnostics) == len(EVERY_PLACEMENT)
    assert diagnostics['changed line'] == {
        'message': 'BLOCK block-severe-on-change: changed line \\[sec-bot\\] (added: on added or changed lines)',
        'location': {'path': 'src/app.py', 'range': {'start': {'line': 5}}},
        'severity': 'ERROR', 'code': {'value': 'block-severe-on-change'},
    }
    assert diagnostics['range overlapping the change']['location']['range'] == {
        'start': {'line': 1}, 'end': {'line': 6}}
    assert diagnostics['info on a changed line']['severity'] == 'INFO'
    assert diagnostics['near the change']['severity'] == 'WARNING'
    assert diagnostics['on a removed line']['location'] == {'path': 'src/app.py'}  # no old side in reviewdog
    assert diagnostics['whole file']['location'] == {'path': 'src/app.py'}
    assert diagnostics['no location at all']['location'] == {'path': '.reviews/review.json'}
    assert 'from .reviews/review.json (unlocated: the finding names no file)' in (
        diagnostics['no location at all']['message'])


def test_the_gates_own_reader_reads_it_back(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    text = rdjson.render(gated(repo, monkeypatch, EVERY_PLACEMENT)).encode()
    assert read.detect(text) == 'rdjson'


def test_columns_are_utf8_bytes(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """reviewdog.proto: in 'a𐐀b' the column of b is 6."""
    text = 'a𐐀b = "é"\nsecond\n'
    decision = gated(repo, monkeypatch, [
        finding('the b', path='a.py', start_line=1, start_column=3, end_column=3),
        finding('from b to the end', path='a.py', start_line=1, start_column=3),
        finding('across lines', path='a.py', start_line=1, end_line=2, start_column=9, end_column=2),
        finding('columns past the end', path='a.py', start_line=1, start_column=40),
    ], base={'a.py': 'x = 1\n'}, change={'a.py': text})
    ranges = [d['location']['range'] for d in result(decision)['diagnostics']]
    assert ranges == [
        {'start': {'line': 1, 'column': 6}, 'end': {'line': 1, 'column': 7}},
        {'start': {'line': 1, 'column': 6}, 'end': {'line': 1, 'column': len('a𐐀b = "é"'.encode()) + 1}},
        {'start': {'line': 1, 'column': 13}, 'end': {'line': 2, 'column': 3}},
        {'start': {'line': 1}},
    ]


def test_without_the_text_columns_are_left_out(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [finding('b', path='a.py', start_line=1, start_column=3, end_column=4)],
                     base={'a.py': 'x = 1\n'}, change={'a.py': 'a𐐀b\n'})
    [diagnostic] = result(decision._replace(texts={}))['diagnostics']
    assert diagnostic['location']['range'] == {'start': {'line': 1}}


def test_conditions(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = json.dumps({'version': 1, 'reviewer': {'name': 'x', 'kind': 'llm'}, 'findings': [{}]})
    decision = gated(repo, monkeypatch, [], reports={'.reviews/broken.json': broken})
    invalid = result(decision)['diagnostics'][-1]
    assert invalid == {'message': 'BLOCK invalid\\_report: not a valid report (2 problems)', 'severity': 'ERROR',
                       'code': {'value': 'invalid_report'}, 'location': {'path': '.reviews/broken.json'}}


def test_no_suggestions_from_advice(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [
        {**finding('f', path='src/app.py', start_line=5), 'suggestion': 'log the error before re-raising'}])
    assert 'suggestions' not in result(decision)['diagnostics'][0]


def test_markdown_in_a_message_shows_as_text(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    title = '![x](https://t.example/p.png) <img src=x> @admin &#x202e; `a` # h\x1b\n'
    decision = gated(repo, monkeypatch, [
        {**finding(title, path='src/app.py', start_line=5), 'message': 'line one\n# heading\n[a](b)'}])
    [diagnostic] = result(decision)['diagnostics']
    assert diagnostic['message'] == (
        'BLOCK block-severe-on-change: !\\[x\\](https://t.example/p.png) \\<img src=x\\> \\@admin \\&\\#x202e; '
        '\\`a\\` \\# h\\\\x1b\\\\n \\[sec-bot\\] (added: on added or changed lines)'
        '\n\nline one\n\\# heading\n\\[a\\](b)')


@pytest.mark.parametrize(('text', 'shown'), [
    ('a_b*c', 'a\\_b\\*c'), ('<>&', '\\<\\>\\&'), ('plain-text (1).', 'plain-text (1).'),
])
def test_markdown_text(text: str, shown: str) -> None:
    assert rdjson.markdown_text(text) == shown


def test_old_side_lines_have_no_range(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    [diagnostic] = result(gated(repo, monkeypatch, [OLD_SIDE_UNCHANGED]))['diagnostics']
    assert diagnostic['location'] == {'path': 'src/app.py'}


def test_a_binary_has_no_range(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    [diagnostic] = result(binary_change(repo, monkeypatch))['diagnostics']
    assert diagnostic['location'] == {'path': 'blob.bin'}
