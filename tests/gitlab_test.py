"""render/gitlab.py: a Code Quality report GitLab reads whole, one issue per finding."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from findings_gate.model import Decision
from findings_gate.render import gitlab
from tests.conftest import Repo
from tests.decisions import BASE, CHANGED, EVERY_PLACEMENT, OLD_SIDE_UNCHANGED, binary_change, finding, gated

SCHEMAS = Path(__file__).parent / 'schemas'
# what GitLab's parser checks each element against (tests/schemas/README-gitlab.md)
ELEMENT = json.loads((SCHEMAS / 'gitlab-codeclimate.json').read_text())
# the documented minimum fields, as a schema of the whole array
DOCUMENTED = json.loads((SCHEMAS / 'gitlab-code-quality-documented.json').read_text())


def report(decision: Decision) -> list[dict]:
    text = gitlab.render(decision)
    assert not text.startswith('\ufeff')  # GitLab's parser refuses a byte-order mark
    issues = json.loads(text)
    jsonschema.Draft7Validator(DOCUMENTED).validate(issues)
    for issue in issues:
        jsonschema.Draft7Validator(ELEMENT).validate(issue)
        lines = issue['location']['lines']
        assert lines['begin'] >= 1 and lines.get('end', lines['begin']) >= lines['begin']
    fingerprints = [i['fingerprint'] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab collapses equal fingerprints
    return issues


def test_one_issue_per_finding_and_condition(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = json.dumps({'version': 1, 'reviewer': {'name': 'x', 'kind': 'llm'}, 'findings': [{}]})
    decision = gated(repo, monkeypatch, EVERY_PLACEMENT, reports={'.reviews/broken.json': broken})
    issues = report(decision)
    assert len(issues) == len(EVERY_PLACEMENT) + 1
    by_title = {i['description'].split(': ', 1)[1].split(' [')[0]: i for i in issues[:-1]}
    assert set(by_title) == {f['title'] for f in EVERY_PLACEMENT}
    changed = by_title['changed line']
    assert changed == {
        'type': 'issue', 'check_name': 'block-severe-on-change',
        'description': 'BLOCK block-severe-on-change: changed line [sec-bot] (added: on added or changed lines)',
        'categories': ['Bug Risk'], 'severity': 'critical', 'fingerprint': changed['fingerprint'],
        'location': {'path': 'src/app.py', 'lines': {'begin': 5, 'end': 5}},
    }
    assert by_title['range overlapping the change']['location']['lines'] == {'begin': 1, 'end': 6}
    assert by_title['info on a changed line']['severity'] == 'info'  # ignored, still listed
    removed = by_title['on a removed line']
    assert removed['location'] == {'path': 'src/app.py', 'lines': {'begin': 1}}
    assert 'at src/app.py:12 (deleted: on removed lines, old side line 12)' in removed['description']
    assert by_title['whole file']['location']['lines'] == {'begin': 1}
    assert by_title['no location at all']['location'] == {'path': '.reviews/review.json', 'lines': {'begin': 1}}
    assert issues[-1]['check_name'] == 'invalid_report' and issues[-1]['severity'] == 'critical'
    assert issues[-1]['location']['path'] == '.reviews/broken.json'


@pytest.mark.parametrize(('action', 'severity', 'expected'), [
    ('block', 'critical', 'blocker'), ('block', 'high', 'critical'), ('block', 'info', 'critical'),
    ('warn', 'critical', 'major'), ('warn', 'high', 'major'), ('warn', 'medium', 'minor'),
    ('warn', 'low', 'minor'), ('ignore', 'critical', 'info'), ('ignore', 'info', 'info'),
])
def test_severity_is_the_action_then_the_findings_severity(action: str, severity: str, expected: str) -> None:
    assert gitlab.severity(action, severity) == expected


def test_categories(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    categories = ('security', 'correctness', 'reliability', 'performance', 'maintainability', 'style', 'other')
    issues = report(gated(repo, monkeypatch, [
        {**finding(c, path='src/app.py', start_line=5), 'category': c} for c in categories
    ]))
    assert [i['categories'] for i in issues] == [
        ['Security'], ['Bug Risk'], ['Bug Risk'], ['Performance'], ['Clarity'], ['Style'], ['Bug Risk']]


def test_equal_findings_get_unique_fingerprints(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    same = finding('same', path='src/app.py', start_line=5)
    given = {**finding('given', path='src/app.py', start_line=7), 'fingerprint': 'abc'}
    issues = report(gated(repo, monkeypatch, [same, same, same, given, {**given, 'title': 'other'}]))
    assert len({i['fingerprint'] for i in issues}) == 5


def fingerprints(repo: Repo, monkeypatch: pytest.MonkeyPatch, above: str) -> list[str]:
    decision = gated(repo, monkeypatch, [
        finding('on the change', path='src/app.py', start_line=5 + above.count('\n')),
        {**finding('given', path='src/app.py', start_line=1), 'fingerprint': 'tool-id-1'},
        finding('whole file', path='src/app.py'),
    ], base={'src/app.py': BASE}, change={'src/app.py': above + CHANGED})
    return [i['fingerprint'] for i in report(decision)]


def test_fingerprints_stay_when_lines_move(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitLab compares the target branch's report with this one by fingerprint."""
    before = fingerprints(Repo(tmp_path / 'a'), monkeypatch, '')
    after = fingerprints(Repo(tmp_path / 'b'), monkeypatch, '# a new first line\n# and a second\n')
    assert before == after


def test_text_without_the_code_uses_line_numbers(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [finding('a', path='src/app.py', start_line=5)])
    moved = decision._replace(findings=tuple(
        d._replace(placed=d.placed._replace(lines=(6, 6))) for d in decision.findings))
    without = [report(d._replace(texts={}))[0]['fingerprint'] for d in (decision, moved)]
    assert without[0] != without[1]


def test_hostile_text(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    title = '<img src=x onerror=alert(1)>\x1b[31m\u202e\n'
    [issue] = report(gated(repo, monkeypatch, [finding(title, path='src/app.py', start_line=5)]))
    assert issue['description'] == (
        'BLOCK block-severe-on-change: <img src=x onerror=alert(1)>\\x1b[31m\\u202e\\n [sec-bot] '
        '(added: on added or changed lines)')


def test_old_side_lines_are_not_new_lines(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    [issue] = report(gated(repo, monkeypatch, [OLD_SIDE_UNCHANGED]))
    assert issue['location'] == {'path': 'src/app.py', 'lines': {'begin': 1}}
    assert 'at src/app.py:3 (file: elsewhere in a changed file, old side line 3)' in issue['description']


def test_a_binary_has_no_lines(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    [issue] = report(binary_change(repo, monkeypatch))
    assert issue['location'] == {'path': 'blob.bin', 'lines': {'begin': 1}}
    assert 'at blob.bin:1' in issue['description']
