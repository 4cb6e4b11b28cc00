"""Waivers: matching, dates, lifetime caps, expired and unused ones, and `findings-gate waivers`."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from findings_gate.cli import main
from findings_gate.decide import policy, waivers
from findings_gate.errors import GateError
from findings_gate.model import Finding, Location, Placed, Report, Reviewer
from tests.conftest import Repo

TODAY = datetime.date(2026, 11, 21)
RULES = policy.parse('version: 1\nwaiver_max_days: {critical: 30}\n', 'p.yaml')


def _placed(severity: str = 'high', path: str = 'src/a.py', **fields: object) -> Placed:
    finding = Finding('t', severity, location=Location(path, 3, symbol=fields.pop('symbol', None)),
                      **fields)  # type: ignore[arg-type]
    return Placed(finding, Report('r', Reviewer('bot', 'tool'), (finding,)), path, 'added',
                  lines=(3, 3), signature='0123456789abcdef')


def _waivers(*entries: str) -> tuple:
    text = 'version: 1\nwaivers:\n' + ''.join(
        f'  - {{{e}, reason: because, owner: ann, expires: 2027-01-31}}\n' for e in entries)
    return waivers.parse(text, 'w.yaml')


@pytest.mark.parametrize(('entry', 'placed', 'matches'), [
    ('fingerprint: 0123456789abcdef', _placed(), True),  # the gate's signature
    ('fingerprint: tool-fp', _placed(fingerprint='tool-fp'), True),  # the report's own
    ('fingerprint: abc/1', _placed(fingerprints=(('primaryLocationLineHash', 'abc/1'),)), True),  # a tool's
    ('fingerprint: other', _placed(), False),
    ('rule: B602, path: "src/**"', _placed(rule='B602'), True),
    ('rule: B602, path: "src/**"', _placed(rule='B603'), False),
    ('rule: B602, path: "tools/**"', _placed(rule='B602'), False),
    ('cwe: CWE-89, path: src/a.py', _placed(cwe=('CWE-89', 'CWE-20')), True),
    ('cwe: CWE-89, path: src/a.py', _placed(cwe=('CWE-564',)), False),  # exactly, no descendants
    ('cwe: CWE-89, path: src/a.py, symbol: run', _placed(cwe=('CWE-89',), symbol='run'), True),
    ('cwe: CWE-89, path: src/a.py, symbol: run', _placed(cwe=('CWE-89',), symbol='other'), False),
    ('cwe: CWE-89, path: src/a.py, symbol: run', _placed(cwe=('CWE-89',)), False),
    ('rule: R, path: [docs/**, "src/*.py"]', _placed(rule='R'), True),
])
def test_what_a_waiver_matches(entry: str, placed: Placed, matches: bool) -> None:
    [waiver] = _waivers(entry)
    assert waivers.matches(waiver, placed) is matches


def test_expired_over_the_cap_and_unused_waivers_are_reported_and_do_not_apply() -> None:
    granted = waivers.parse('''\
version: 1
waivers:
  - {rule: A, path: "**", reason: r, owner: ann, expires: 2026-11-20}
  - {rule: B, path: "**", reason: r, owner: bob, expires: 2027-06-30, created: 2026-11-01}
  - {rule: B, path: "**", reason: r, owner: cat, expires: 2026-12-15}
  - {rule: C, path: "**", reason: r, owner: dan, expires: 2026-11-21}
''', 'w.yaml')
    placed = [_placed(rule='A'), _placed('critical', rule='B'), _placed('low', rule='Z')]
    applied, conditions = waivers.apply(granted, placed, RULES, TODAY)
    assert applied == [None, granted[2], None]  # the capped one is skipped, the next that fits applies
    assert [(c.kind, c.origin, c.action) for c in conditions] == [
        ('expired_waiver', 'w.yaml#1', 'warn'),
        ('waiver_over_limit', 'w.yaml#2', 'warn'),
        ('unused_waiver', 'w.yaml#4', 'ignore'),  # its last day is today: still live
    ]
    assert conditions[1].message == ('lasts 241 days, more than the 30 the policy allows for a critical '
                                     'finding (waiver_max_days); it does not apply to it')


def test_a_waiver_without_created_counts_its_lifetime_from_today() -> None:
    [waiver] = _waivers('rule: B, path: "**"')
    assert waivers.lifetime(waiver, TODAY) == 71


@pytest.mark.parametrize(('text', 'problem'), [
    ('version: 1\nwaivers:\n  - {rule: B, path: x, owner: ann, expires: 2027-01-01}\n',
     "w.yaml::$.waivers[0]: 'reason' is a required property"),
    ('version: 1\nwaivers:\n  - {rule: B, reason: r, owner: ann, expires: 2027-01-01}\n',
     'w.yaml::$.waivers[0]: name what it waives: a fingerprint, or a rule or a CWE id with a path'),
    ('version: 1\nwaivers:\n  - {rule: B, path: x, reason: r, owner: ann, expires: next week}\n',
     "w.yaml::$.waivers[0].expires: 'next week': write a date as YYYY-MM-DD, for example 2027-01-31"),
    ('version: 1\nwaivers:\n  - {rule: B, path: x, reason: r, owner: ann, expires: "2027-02-30"}\n',
     "w.yaml::$.waivers[0].expires: '2027-02-30' is not a date; write it as YYYY-MM-DD"),
    ('version: 1\nwaivers:\n  - {cwe: 89, path: x, reason: r, owner: ann, expires: 2027-01-01}\n',
     'w.yaml::$.waivers[0].cwe: 89: write a CWE id as CWE-<number>, for example CWE-79'),
    ('version: 1\nwaivers: [\n', 'w.yaml:3:1: not valid YAML: '),
])
def test_a_broken_waivers_file_is_one_line_per_problem(text: str, problem: str) -> None:
    with pytest.raises(GateError) as e:
        waivers.parse(text, 'w.yaml')
    assert str(e.value).startswith(problem)
    assert '\n' not in str(e.value)


def _repo_with_waivers(repo: Repo, monkeypatch: pytest.MonkeyPatch, entries: str) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 2\n')
    repo.write('.findings-gate/waivers.yaml', 'version: 1\nwaivers:\n' + entries)
    repo.write('.reviews/r.json', json.dumps({
        'version': 1, 'reviewer': {'name': 'bandit', 'kind': 'tool'},
        'findings': [{'title': 'x', 'severity': 'high', 'rule': 'B1', 'location': {'path': 'app.py', 'start_line': 1}}],
    }))
    repo.git('add', '-A')


def test_the_waivers_verb_lists_each_and_fails_on_unused_ones(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _repo_with_waivers(repo, monkeypatch, '''\
  - {rule: B1, path: "*.py", reason: known, owner: ann, expires: 2099-01-01}
  - {rule: B2, path: "*.py", reason: gone, owner: bob, expires: 2099-01-01}
''')
    assert main(['waivers']) == 0
    assert capsys.readouterr().out == (
        '.findings-gate/waivers.yaml#1: waives 1 finding(s); owner ann, until 2099-01-01: known\n'
        '.findings-gate/waivers.yaml#2: unused; owner bob, until 2099-01-01: gone\n')
    assert main(['waivers', '--unused']) == 1
    assert capsys.readouterr().out == '.findings-gate/waivers.yaml#2: unused; owner bob, until 2099-01-01: gone\n'
    assert main(['check']) == 0  # the one finding is waived; the unused waiver is a note


def test_a_broken_waivers_file_stops_the_gate_with_exit_2(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _repo_with_waivers(repo, monkeypatch, '  - {rule: B1, path: "*.py", reason: r, owner: ann}\n')
    assert main(['check']) == 2
    assert capsys.readouterr().err == (
        "findings-gate: error: .findings-gate/waivers.yaml::$.waivers[0]: 'expires' is a required property\n")
    assert main(['policy', 'check']) == 1
    assert "'expires' is a required property" in capsys.readouterr().out


def test_waivers_from_the_clock_mocked(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _repo_with_waivers(repo, monkeypatch, '  - {rule: B1, path: "*.py", reason: r, owner: ann, expires: 2026-12-01}\n')
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 12, 1))
    assert main(['check']) == 0
    monkeypatch.setattr(waivers, 'today', lambda: datetime.date(2026, 12, 2))
    assert main(['check']) == 1  # expired: the high finding on the change blocks again
    assert 'WARN expired_waiver: expired on 2026-12-01' in capsys.readouterr().out


def test_every_output_shows_the_waiver_and_the_stale_reason(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from findings_gate import gate, render
    from findings_gate.render import RENDERERS

    monkeypatch.chdir(repo.root)
    repo.write('app.py', ''.join(f'x_{i} = {i}\n' for i in range(1, 11)))
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('app.py', ''.join(f'x_{i} = {i * 2}\n' for i in range(1, 11)))
    reviewed = repo.commit('reviewed')
    repo.write('app.py', ''.join(f'x_{i} = {i * 3}\n' for i in range(1, 11)))
    repo.write('.findings-gate/waivers.yaml', 'version: 1\nwaivers:\n'
               '  - {rule: W1, path: app.py, reason: known and accepted, owner: ann, expires: 2099-01-01}\n')
    repo.commit('after the review')
    report = tmp_path / 'r.json'
    report.write_text(json.dumps({
        'version': 1, 'reviewer': {'name': 'bot', 'kind': 'tool'}, 'change': {'revision': reviewed},
        'findings': [{'title': 'waived one', 'severity': 'high', 'rule': 'W1',
                      'location': {'path': 'app.py', 'start_line': 2}},
                     {'title': 'stale one', 'severity': 'high', 'rule': 'S1',
                      'location': {'path': 'app.py', 'start_line': 5}}]}))
    decision = gate.run(gate.Target(base='main'), reports=[str(report)])
    assert [(d.rule, d.action) for d in decision.findings] == [('waived', 'ignore'), ('stale', 'warn')]
    missing = []
    for fmt in RENDERERS:
        output = render.render(fmt, decision)
        missing += [(fmt, text) for text in ('known and accepted', f'changed after the review of {reviewed[:12]}')
                    if text not in output]
    # Zuul, Gerrit and a GitHub review comment on what needs acting on: an ignored (waived)
    # finding is only counted there
    assert missing == [('zuul', 'known and accepted'), ('gerrit', 'known and accepted'),
                       ('github-review', 'known and accepted')]
