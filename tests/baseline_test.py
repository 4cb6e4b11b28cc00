"""Baselines: line-free signatures, counted comparison, `baseline write`, SARIF baselineState."""
from __future__ import annotations

import datetime
import json

import pytest

from findings_gate import schema
from findings_gate.cli import main
from findings_gate.decide import baseline
from findings_gate.errors import GateError
from findings_gate.model import Finding, Location, Placed, Report, Reviewer
from findings_gate.render import sarif
from tests.conftest import Repo
from tests.sarif_write_test import schema_problems

CODE = 'import os\n\n\ndef run(cmd):\n    os.system(cmd)\n'


def _placed(line: int, rule: str | None = 'B605', title: str = 'os.system', **fields: object) -> Placed:
    finding = Finding(title, 'high', rule=rule, location=Location('a.py', line), **fields)  # type: ignore[arg-type]
    return Placed(finding, Report('r', Reviewer('b', 'tool'), (finding,)), 'a.py', 'added', lines=(line, line))


def _signature(placed: Placed, text: str) -> str:
    [signed] = baseline.sign([placed], {'a.py': text})
    return signed.signature


def test_a_signature_survives_moved_lines_and_reindentation_but_not_an_edit() -> None:
    here = _signature(_placed(5), CODE)
    assert _signature(_placed(6), 'import os\nimport sys\n' + CODE[len('import os\n'):]) == here
    assert _signature(_placed(5), CODE.replace('    os.system', '\tos.system')) == here
    assert _signature(_placed(5), CODE.replace('(cmd)\n', '(cmd + "x")\n')) != here
    assert _signature(_placed(5, rule='B999'), CODE) != here


def test_without_a_rule_the_cwe_then_the_title_names_the_kind() -> None:
    by_cwe = _signature(_placed(5, rule=None, cwe=('CWE-78',)), CODE)
    assert by_cwe == _signature(_placed(5, rule=None, title='another title', cwe=('CWE-78',)), CODE)
    by_title = _signature(_placed(5, rule=None, title='Shell  Injection'), CODE)
    assert by_title == _signature(_placed(5, rule=None, title='shell injection'), CODE)


def test_signatures_are_counted_new_unchanged_and_absent() -> None:
    old = baseline.sign([_placed(5)], {'a.py': CODE})[0].signature
    entries = {old: {'signature': old, 'count': 1, 'title': 'os.system'},
               'f' * 16: {'signature': 'f' * 16, 'count': 2, 'title': 'gone', 'path': 'b.py'}}
    twice = baseline.sign([_placed(5), _placed(5)], {'a.py': CODE})
    marked, absent = baseline.compare(twice, entries)
    assert [p.baseline for p in marked] == ['unchanged', 'new']
    assert [(a.signature, a.number, a.title, a.path) for a in absent] == [('f' * 16, 2, 'gone', 'b.py')]


@pytest.mark.parametrize(('text', 'problem'), [
    ('{"version": 1, "findings": [{"signature": "x", "count": 1, "title": "t"}]}',
     "b.json::$.findings[0].signature: 'x' does not match '^[0-9a-f]{16}$'"),
    ('{"version": 1, "findings": [{"signature": "0123456789abcdef", "count": 0, "title": "t"}]}',
     'b.json::$.findings[0].count: 0 is less than the minimum of 1'),
    ('{"version": 1', 'b.json:1:14: not valid JSON: '),
])
def test_a_broken_baseline_is_named_with_the_place(text: str, problem: str) -> None:
    with pytest.raises(GateError) as e:
        baseline.parse(text, 'b.json')
    assert str(e.value).startswith(problem)


def _report(repo: Repo, *lines: int) -> None:
    repo.write('.reviews/bandit.json', json.dumps({
        'version': 1, 'reviewer': {'name': 'bandit', 'kind': 'tool'},
        'findings': [{'title': 'os.system', 'severity': 'high', 'rule': 'B605',
                      'location': {'path': 'app.py', 'start_line': n}} for n in lines]}))


def test_baseline_write_then_check_tells_new_from_old_and_sarif_says_so(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', CODE)
    repo.write('.findings-gate.yaml', 'version: 1\nrules:\n'
                                      '  - {name: old-ones-warn, baseline: unchanged, action: warn}\n'
                                      '  - {name: block-high, severity: high, action: block}\n')
    _report(repo, 5)
    repo.commit('base')
    assert main(['baseline', 'write']) == 0
    assert capsys.readouterr().out.startswith('.findings-gate/baseline.json: 1 finding(s) with 1 signature(s)')
    written = json.loads((repo.root / '.findings-gate/baseline.json').read_text())
    assert schema.problems('baseline', written) == []
    repo.commit('the baseline')
    # the code moves down two lines and the same call is made again
    repo.write('app.py', '"""Jobs."""\n\n' + CODE + '\n\ndef again(cmd):\n    os.system(cmd)\n')
    _report(repo, 7, 11)
    repo.git('add', '-A')
    assert main(['check', '--format', 'json']) == 1
    document = json.loads(capsys.readouterr().out)
    assert schema.problems('decision', document) == []
    assert [(f['lines']['start'], f['baseline'], f['rule']) for f in document['findings']] == [
        (7, 'unchanged', 'old-ones-warn'), (11, 'new', 'block-high')]
    assert main(['check', '--format', 'sarif']) == 1
    log = json.loads(capsys.readouterr().out)
    assert schema_problems(log) == []
    states = {r['locations'][0]['physicalLocation']['region']['startLine']: r['baselineState']
              for r in log['runs'][0]['results']}
    assert states == {7: 'unchanged', 11: 'new'}
    # both calls fixed: the baselined finding is absent
    repo.write('app.py', 'def run(cmd):\n    return cmd\n')
    _report(repo)
    repo.git('add', '-A')
    assert main(['check', '--format', 'sarif']) == 0
    [absent] = json.loads(capsys.readouterr().out)['runs'][0]['results']
    assert (absent['baselineState'], absent['ruleId'], absent['level']) == ('absent', 'B605', 'none')
    assert main(['check']) == 0
    assert '-- 1 in the baseline, no longer found (absent)\napp.py: os.system [B605]\n' in capsys.readouterr().out


def test_a_sarif_log_with_absent_results_is_valid(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from findings_gate import gate

    monkeypatch.chdir(repo.root)
    repo.write('app.py', CODE)
    repo.write('.findings-gate/baseline.json', json.dumps({'version': 1, 'findings': [
        {'signature': '0123456789abcdef', 'count': 1, 'title': 'gone', 'path': 'app.py', 'rule': 'B1'},
        {'signature': 'fedcba9876543210', 'count': 3, 'title': 'no path'}]}))
    repo.commit('base')
    decision = gate.run(gate.Target())
    assert [a.number for a in decision.absent] == [1, 3]
    assert schema_problems(sarif.document(decision)) == []


@pytest.fixture
def baselined(repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Repo:
    """A repository whose baseline records one finding, committed."""
    monkeypatch.chdir(repo.root)
    repo.write('app.py', CODE)
    _report(repo, 5)
    repo.commit('base')
    assert main(['baseline', 'write']) == 0
    repo.commit('the baseline')
    capsys.readouterr()
    return repo


@pytest.mark.parametrize(('report', 'lines'), [
    (None, ['no report was read for this change; pass the reports with --report, or keep them where the '
            "policy's `reports` says"]),
    ('{"version": 1, "reviewer": {"name": "bandit", "kind": "tool"}}',
     ["{reviews}/bandit.json::$: 'findings' is a required property"]),
    ('{"version": "2.1.0", "runs": []}',
     ['{reviews}/bandit.json: the tool did not run: $.runs: empty; no tool ran (a log with no runs)']),
], ids=['no-report', 'invalid-report', 'tool-did-not-run'])
def test_baseline_write_refuses_a_run_that_would_lose_findings(
        report: str | None, lines: list[str], baselined: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    before = (baselined.root / '.findings-gate/baseline.json').read_bytes()
    if report is None:
        (baselined.root / '.reviews/bandit.json').unlink()
    else:
        baselined.write('.reviews/bandit.json', report)
    assert main(['baseline', 'write']) == 2
    out, err = capsys.readouterr()
    expected = [*(line.format(reviews='.reviews') for line in lines),
                '.findings-gate/baseline.json: not written (it is unchanged); give the baseline the reports of '
                'every finding to record']
    assert (out, err) == ('', ''.join(f'findings-gate: error: {line}\n' for line in expected))
    assert (baselined.root / '.findings-gate/baseline.json').read_bytes() == before


def test_baseline_write_refuses_where_a_file_holds_the_directory(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', CODE)
    _report(repo, 5)
    repo.write('.findings-gate', 'notes\n')
    repo.commit('base')
    assert main(['baseline', 'write']) == 2
    assert capsys.readouterr() == ('', (
        'findings-gate: error: .findings-gate: a file, where the directory of the waivers file '
        '.findings-gate/waivers.yaml belongs; move the file, or set `waivers` in the policy to another path\n'))
    assert (repo.root / '.findings-gate').read_text() == 'notes\n'


def test_a_baselined_finding_is_absent_only_from_a_run_with_its_tools_report(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', CODE)
    _report(repo, 5)
    repo.write('.reviews/lint.json', json.dumps({
        'version': 1, 'reviewer': {'name': 'lint', 'kind': 'tool'},
        'findings': [{'title': 'line too long', 'severity': 'low', 'rule': 'E501',
                      'location': {'path': 'app.py', 'start_line': 1}}]}))
    repo.commit('base')
    assert main(['baseline', 'write']) == 0
    written = json.loads((repo.root / '.findings-gate/baseline.json').read_text())
    assert sorted(e['reviewer'] for e in written['findings']) == ['bandit', 'lint']
    repo.commit('the baseline')
    # this run has no lint report: its baselined finding was not looked for, so it is not absent
    (repo.root / '.reviews/lint.json').unlink()
    _report(repo)  # bandit ran and found nothing: its finding is absent
    repo.git('add', '-A')
    capsys.readouterr()
    assert main(['check']) == 0
    out = capsys.readouterr().out
    assert '-- 1 in the baseline, no longer found (absent)\napp.py: os.system [B605]\n' in out
    assert 'line too long' not in out


def test_baseline_write_records_a_first_seen_date_and_keeps_it(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from findings_gate.decide import waivers

    monkeypatch.chdir(repo.root)
    repo.write('app.py', CODE)
    _report(repo, 5)
    repo.commit('base')
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 3, 1))
    assert main(['baseline', 'write']) == 0
    first = json.loads((repo.root / '.findings-gate/baseline.json').read_text())['findings']
    assert [e['first_seen'] for e in first] == ['2026-03-01']
    repo.commit('the baseline')
    # a month on, a second call is added: the old entry keeps its date, the new one gets today's
    repo.write('app.py', CODE + '\n\ndef again(cmd):\n    os.popen(cmd)\n')
    _report(repo, 5, 9)
    repo.commit('a second call')
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 4, 1))
    assert main(['baseline', 'write']) == 0
    written = json.loads((repo.root / '.findings-gate/baseline.json').read_text())
    assert schema.problems('baseline', written) == []
    assert sorted(e['first_seen'] for e in written['findings']) == ['2026-03-01', '2026-04-01']


def test_a_baselined_finding_past_its_severitys_deadline_is_decided_as_new(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from findings_gate.decide import waivers

    monkeypatch.chdir(repo.root)
    repo.write('app.py', CODE)
    repo.write('.findings-gate.yaml', 'version: 1\nrules:\n'
                                      '  - {name: old-ones-warn, baseline: unchanged, action: warn}\n'
                                      '  - {name: block-high, severity: high, action: block}\n'
                                      'baseline_max_days: {critical: 7, high: 30}\n')
    _report(repo, 5)
    repo.commit('base')
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 3, 1))
    assert main(['baseline', 'write']) == 0
    repo.commit('the baseline')
    repo.write('app.py', '"""Jobs."""\n\n' + CODE)
    _report(repo, 7)
    repo.git('add', '-A')
    capsys.readouterr()
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 3, 30))  # day 29 of 30
    assert main(['check']) == 0
    assert 'app.py:7: WARN old-ones-warn: os.system [bandit] (baselined, 1 day left)\n' in capsys.readouterr().out
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 3, 31))  # the last day
    assert main(['check', '--format', 'json']) == 0
    [finding] = json.loads(capsys.readouterr().out)['findings']
    assert (finding['baseline'], finding['baseline_days_left'], finding['rule']) == ('unchanged', 0, 'old-ones-warn')
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 4, 3))  # three days past
    assert main(['check']) == 1
    out = capsys.readouterr().out
    assert ('app.py:7: BLOCK block-high: os.system [bandit] '
            '(baselined, 3 days past its deadline: decided as new)\n') in out
    assert '1 new, 0 unchanged, 0 absent' in out  # counted as new, and not absent
    assert main(['check', '--format', 'json']) == 1
    document = json.loads(capsys.readouterr().out)
    assert schema.problems('decision', document) == []
    [finding] = document['findings']
    assert (finding['baseline'], finding['baseline_days_left']) == ('new', -3)
    assert main(['check', '--format', 'sarif']) == 1
    [result] = json.loads(capsys.readouterr().out)['runs'][0]['results']
    assert (result['baselineState'], result['properties']['baselineDaysLeft']) == ('new', -3)


def test_a_first_seen_that_is_not_a_date_is_named() -> None:
    with pytest.raises(GateError) as e:
        baseline.parse(json.dumps({'version': 1, 'findings': [
            {'signature': '0123456789abcdef', 'count': 1, 'title': 't', 'first_seen': '2026-02-30'}]}), 'b.json')
    assert str(e.value) == ("b.json::$.findings[0].first_seen: '2026-02-30' is not a date; write it as YYYY-MM-DD, "
                            "or write the baseline again with `findings-gate baseline write`")
