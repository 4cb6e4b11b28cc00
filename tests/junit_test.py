"""render/junit.py: JUnit XML that junitparser and CI systems read, whatever a review says."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped, TestCase, TestSuite

from findings_gate.model import Decision
from findings_gate.render import junit
from tests.conftest import Repo
from tests.decisions import EVERY_PLACEMENT, OLD_SIDE_UNCHANGED, binary_change, finding, gated


def read(decision: Decision, tmp_path: Path) -> tuple[TestSuite, list[TestCase]]:
    """The document as a CI reads it: from a file, with junitparser (and strict expat)."""
    text = junit.render(decision)
    ET.fromstring(text.encode('utf-8'))  # well-formed, or this raises
    path = tmp_path / 'junit.xml'
    path.write_text(text, encoding='utf-8')
    xml = JUnitXml.fromfile(str(path))
    [suite] = list(xml)
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (
        suite.tests, suite.failures, suite.errors, suite.skipped)
    cases = list(suite)
    assert suite.tests == len(cases)
    assert len({(c.classname, c.name) for c in cases}) == len(cases)  # GitLab merges equal ones
    return suite, cases


def where(case: TestCase) -> tuple[str | None, str | None]:
    """The `file` and `line` attributes, which junitparser has no property for."""
    attributes = ET.fromstring(case.tostring()).attrib
    return attributes.get('file'), attributes.get('line')


def outcome(case: TestCase) -> str:
    [result] = case.result or [None]
    return 'failure' if isinstance(result, Failure) else 'skipped' if isinstance(result, Skipped) else 'passed'


def test_statuses_and_counts(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = json.dumps({'version': 1, 'reviewer': {'name': 'x', 'kind': 'llm'}, 'findings': [{}]})
    decision = gated(repo, monkeypatch, EVERY_PLACEMENT, reports={'.reviews/broken.json': broken})
    suite, cases = read(decision, tmp_path)
    actions = [d.action for d in decision.findings] + [c.action for c in decision.conditions]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
        len(actions), actions.count('block'), 0, actions.count('ignore'))
    assert [outcome(c) for c in cases] == [
        {'block': 'failure', 'ignore': 'skipped', 'warn': 'passed'}[a] for a in actions]
    first = cases[0]
    assert (first.classname, first.name) == ('src/app.py', 'block-severe-on-change: changed line')
    assert where(first) == ('src/app.py', '5')
    [failure] = first.result
    assert (failure.message, failure.type) == ('BLOCK block-severe-on-change: changed line', 'block')
    assert failure.text.startswith('src/app.py:5: BLOCK block-severe-on-change: changed line\n')
    by_name = {c.name: c for c in cases}
    warned = by_name['warn-in-changed-files: near the change']
    assert warned.system_out.startswith('src/app.py:7: WARN warn-in-changed-files: near the change\n')
    removed = by_name['warn-in-changed-files: on a removed line']
    assert where(removed) == ('src/app.py', None) and 'old side line 12' in removed.system_out
    [skipped] = by_name['default: info on a changed line'].result
    assert skipped.message == 'ignored by the policy (default): info on a changed line'
    unlocated = by_name['warn-ungrounded: no location at all']
    assert unlocated.classname == '.reviews/review.json' and where(unlocated) == (None, None)
    condition = cases[-1]
    assert (condition.classname, condition.name, outcome(condition)) == (
        'reports', 'invalid_report: .reviews/broken.json', 'failure')
    assert ".reviews/broken.json::$.findings[0]: 'title' is a required property" in condition.result[0].text
    properties = {p.name: p.value for p in suite.properties()}
    assert properties == {'verdict': 'block', 'policy': 'the default policy', 'change': 'staged changes'}


def test_repeats_get_numbered_names(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    same = finding('same', path='src/app.py', start_line=5)
    _, cases = read(gated(repo, monkeypatch, [same, same, {**same, 'title': 'same #2'}, same]), tmp_path)
    assert [c.name for c in cases] == [
        'block-severe-on-change: same', 'block-severe-on-change: same #2',
        'block-severe-on-change: same #2 #2', 'block-severe-on-change: same #3']


def test_nothing_is_one_passing_test(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    suite, cases = read(gated(repo, monkeypatch, []), tmp_path)
    assert (suite.tests, suite.failures, suite.skipped) == (1, 0, 0)
    assert [(c.classname, c.name, outcome(c)) for c in cases] == [('reports', 'no findings', 'passed')]


HOSTILE = 'a ]]> <b>&amp; "q" \'s\' \x00\x1b[2J\x07\x0c\ud800\ufffe\U0001f600 \u202e end'


def test_hostile_text_is_well_formed_and_round_trips(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    finding_ = {**finding('t', path='src/app.py', start_line=5), 'message': HOSTILE}
    decision = gated(repo, monkeypatch, [finding_, finding('t', 'critical', path='src/app.py', start_line=6)])
    # what the pipeline cannot carry in from a file (a NUL in a title, a lone surrogate
    # from a path that is not UTF-8) is planted on the Decision directly
    planted = decision._replace(findings=(
        decision.findings[0]._replace(placed=decision.findings[0].placed._replace(
            finding=decision.findings[0].placed.finding._replace(title=HOSTILE))),
        decision.findings[1]._replace(placed=decision.findings[1].placed._replace(path=f'src/{HOSTILE}.py')),
    ))
    _, cases = read(planted, tmp_path)
    [failure] = cases[0].result
    shown = 'a ]]> <b>&amp; "q" \'s\' \\x00\\x1b[2J\\x07\\x0c\\ud800\\ufffe\U0001f600 \\u202e end'
    assert failure.message == f'BLOCK block-severe-on-change: {shown}'
    assert cases[0].name == f'block-severe-on-change: {shown}'
    assert f'\n\n{shown}\n' in failure.text  # the message body, in the failure text
    assert cases[1].classname == f'src/{shown}.py'
    xml_path = 'src/a ]]> <b>&amp; "q" \'s\' \\x00\\x1b[2J\\x07\\x0c\\ud800\\ufffe\U0001f600 \u202e end.py'
    assert where(cases[1]) == (xml_path, '6')  # the path as it is, but for what XML cannot hold


@pytest.mark.parametrize('text', ['\x00', '\x08', '\x1f', '\ud800', '\udcff', '\ufffe', '\uffff'])
def test_characters_xml_cannot_hold_are_escaped(text: str) -> None:
    escaped = junit.xml_text(f'<{text}>')
    assert text not in escaped and escaped.startswith('<\\')
    ET.fromstring(f'<a b="{escaped[1:-1]}">{escaped[1:-1]}</a>'.encode('utf-8'))


@pytest.mark.parametrize('text', ['\t', '\n', '\r', ' ', '\ud7ff', '\ue000', '\ufffd', '\U00010000', '\U0010ffff'])
def test_characters_xml_allows_are_kept(text: str) -> None:
    assert junit.xml_text(text) == text


def test_old_side_lines_are_no_line(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, [case] = read(gated(repo, monkeypatch, [OLD_SIDE_UNCHANGED]), tmp_path)
    assert where(case) == ('src/app.py', None)


def test_a_binary_has_no_line(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, [case] = read(binary_change(repo, monkeypatch), tmp_path)
    assert where(case) == ('blob.bin', None)
