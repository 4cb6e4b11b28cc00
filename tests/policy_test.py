from __future__ import annotations

import pytest

from findings_gate.cli import main
from findings_gate.decide import policy, rules
from findings_gate.errors import GateError
from findings_gate.model import Change, Finding, InvalidReport, Location, Placed, Report, Reviewer, Waiver
from tests.conftest import Repo


def placed(severity: str = 'medium', placement: str = 'added', path: str | None = 'src/a.py',
           kind: str = 'llm', **fields: object) -> Placed:
    finding = Finding('t', severity, location=Location(path), **fields)  # type: ignore[arg-type]
    report = Report('r', Reviewer('x', kind), (finding,))
    return Placed(finding, report, path, placement)


def rule(**keys: object) -> rules.Rule:
    return rules.compile_rule({'name': 'r', 'action': 'block', **keys})


@pytest.mark.parametrize(('keys', 'finding', 'matches'), [
    ({}, placed(), True),
    ({'severity': 'medium'}, placed('medium'), True),
    ({'severity': 'medium'}, placed('critical'), True),
    ({'severity': 'medium'}, placed('low'), False),
    ({'severity': 'info'}, placed('info'), True),
    ({'category': 'security'}, placed(category='security'), True),
    ({'category': ['style', 'security']}, placed(category='style'), True),
    ({'category': 'security'}, placed(), False),
    ({'cwe': 'CWE-79'}, placed(cwe=('CWE-20', 'CWE-79')), True),
    ({'cwe': ['CWE-89']}, placed(cwe=('CWE-79',)), False),
    ({'paths': 'src/**'}, placed(path='src/deep/x.py'), True),
    ({'paths': '*.py'}, placed(path='src/deep/x.py'), True),
    ({'paths': '/a.py'}, placed(path='src/a.py'), False),
    ({'paths': ['docs/', '!docs/keep.md']}, placed(path='docs/keep.md'), False),
    ({'paths': ['docs/']}, placed(path='docs/x/y.md'), True),
    ({'paths': '**'}, placed(path=None, placement='unlocated'), False),
    ({'reviewer_kind': 'human'}, placed(kind='human'), True),
    ({'reviewer_kind': ['human', 'tool']}, placed(kind='llm'), False),
    ({'placement': 'context'}, placed(placement='context'), True),
    ({'placement': ['added']}, placed(placement='untouched'), False),
    ({'severity': 'high', 'placement': 'added', 'category': 'security'},
     placed('high', category='security'), True),
    ({'severity': 'high', 'placement': 'added', 'category': 'security'},
     placed('high', category='correctness'), False),
])
def test_a_rule_matches_when_every_key_does(keys: dict, finding: Placed, matches: bool) -> None:
    assert rules.matches(rule(**keys), finding) is matches


def test_first_match_wins_and_default_applies() -> None:
    rules = policy.parse(
        'version: 1\nrules:\n'
        '  - {name: one, severity: high, action: block}\n'
        '  - {name: two, action: warn, placement: added}\n'
        'default: ignore\n', 'p.yaml')
    assert policy.decide_finding(placed('critical'), rules)[1:3] == ('block', 'one')
    assert policy.decide_finding(placed('low'), rules)[1:3] == ('warn', 'two')
    assert policy.decide_finding(placed('low', 'file'), rules)[1:3] == ('ignore', 'default')


def test_omitted_keys_take_the_default_policys_values() -> None:
    rules = policy.parse('version: 1\n', 'p.yaml')
    assert [r.name for r in rules.rules] == [r.name for r in policy.parse(policy.DEFAULT, 'default').rules]
    assert policy.parse('version: 1\nrules: []\n', 'p.yaml').rules == ()
    assert (rules.default, rules.invalid_report, rules.incomplete_report, rules.no_reports,
            rules.reports, rules.context_lines) == ('ignore', 'block', 'warn', 'ignore', ('.reviews/',), 3)


def test_the_default_policy_is_valid() -> None:
    assert policy.problems(policy.parse_default_document(), 'default') == []


def test_report_conditions() -> None:
    rules = policy.parse('version: 1\ninvalid_report: warn\nincomplete_report: block\nno_reports: block\n', 'p')
    reports = [Report('a', Reviewer('x', 'llm'), (), complete=False), InvalidReport('b', ('p1', 'p2'))]
    decision = policy.decide([], reports, Change((), 'c'), rules)
    assert [(c.kind, c.origin, c.action) for c in decision.conditions] == [
        ('incomplete_report', 'a', 'block'), ('invalid_report', 'b', 'warn')]
    assert decision.verdict == 'block'
    decision = policy.decide([], [], Change((), 'c'), rules)
    assert [(c.kind, c.action) for c in decision.conditions] == [('no_reports', 'block')]


@pytest.mark.parametrize(('text', 'message'), [
    ('version: 1\nrules: [{name: a, action: block}, {name: a, action: warn}]\n',
     "p.yaml::$.rules[1].name: 'a' is already the name of rules[0]; give each rule its own name"),
    ('version: 1\nrules: [{name: "has space", action: block}]\n',
     "p.yaml::$.rules[0].name: 'has space' does not match '^[A-Za-z0-9][A-Za-z0-9._-]*$'"),
    ('version: 1\nrules: [{name: a, action: block, cwe: 79}]\n',
     'p.yaml::$.rules[0].cwe: 79: write a CWE id as CWE-<number>, for example CWE-79'),
    ('version: 1\nrules: [{name: a, action: block, placement: [added, nowhere]}]\n',
     "p.yaml::$.rules[0].placement[1]: 'nowhere' is not one of "
     "['added', 'context', 'symbol', 'deleted', 'file', 'untouched', 'unlocated']"),
    ('version: 2\n', 'p.yaml::$.version: 1 was expected'),
    ('rules: [\n', 'p.yaml:2:1: not valid YAML: '),
])
def test_invalid_policies(text: str, message: str) -> None:
    with pytest.raises(GateError) as e:
        policy.parse(text, 'p.yaml')
    assert str(e.value).startswith(message)


@pytest.mark.parametrize(('keys', 'finding', 'matches'), [
    ({'cwe': 'CWE-284'}, placed(cwe=('CWE-862',)), True),  # Missing Authorization descends from it
    ({'cwe': 'CWE-284'}, placed(cwe=('CWE-285',)), True),
    ({'cwe': ['CWE-74']}, placed(cwe=('CWE-79',)), True),
    ({'cwe': 'CWE-284'}, placed(cwe=('CWE-79',)), False),
    ({'cwe': {'ids': 'CWE-284', 'exact': True}}, placed(cwe=('CWE-862',)), False),
    ({'cwe': {'ids': ['CWE-284'], 'exact': True}}, placed(cwe=('CWE-284',)), True),
    ({'cwe': {'ids': 'CWE-284'}}, placed(cwe=('CWE-862',)), True),
    ({'cwe': 'CWE-284'}, placed(), False),
    ({'confidence': 'medium'}, placed(confidence='high'), True),
    ({'confidence': 'medium'}, placed(confidence='low'), False),
    ({'confidence': 'low'}, placed(), False),  # a finding that states no confidence
    ({'rule': 'B6*'}, placed(rule='B602'), True),
    ({'rule': ['B101', 'python.lang.*']}, placed(rule='python.lang.security.eval'), True),
    ({'rule': 'B6*'}, placed(rule='B101'), False),
    ({'rule': 'B6*'}, placed(), False),
    ({'reviewer': 'x'}, placed(), True),
    ({'reviewer': ['semgrep', 'bandit']}, placed(), False),
    ({'grounding': 'grounded'}, placed(), True),
])
def test_more_keys(keys: dict, finding: Placed, matches: bool) -> None:
    assert rules.matches(rule(**keys), finding) is matches


def test_explain_says_why_each_earlier_rule_did_not_match() -> None:
    loaded = policy.parse(
        'version: 1\nrules:\n'
        '  - {name: humans, reviewer_kind: human, action: block}\n'
        '  - {name: injection, cwe: CWE-74, action: block}\n'
        '  - {name: sure-ones, confidence: high, severity: high, action: block}\n'
        '  - {name: the-rest, placement: [added, file], action: warn}\n', 'p.yaml')
    assert policy.explain(policy.decide_finding(placed('medium', cwe=('CWE-79',), confidence='low'), loaded), loaded) == [
        ('humans', 'block', 'reviewer_kind is llm, not human'),
        ('injection', 'block', None),
    ]
    assert policy.explain(policy.decide_finding(placed('high', placement='untouched', confidence='medium'), loaded), loaded) == [
        ('humans', 'block', 'reviewer_kind is llm, not human'),
        ('injection', 'block', 'cwe is none, not CWE-74 or a descendant'),
        ('sure-ones', 'block', 'confidence is medium, below high'),
        ('the-rest', 'warn', 'placement is untouched, not added, file'),
        ('default', 'ignore', None),
    ]


@pytest.mark.parametrize(('first', 'second', 'shadowed'), [
    ('{name: a, action: warn}', '{name: b, severity: high, action: block}', True),
    ('{name: a, severity: medium, action: warn}', '{name: b, severity: high, action: block}', True),
    ('{name: a, severity: high, action: warn}', '{name: b, severity: medium, action: block}', False),
    ('{name: a, placement: [added, context], action: warn}', '{name: b, placement: added, action: block}', True),
    ('{name: a, placement: added, action: warn}', '{name: b, action: block}', False),
    ('{name: a, cwe: CWE-284, action: warn}', '{name: b, cwe: CWE-862, action: block}', True),
    ('{name: a, cwe: {ids: CWE-284, exact: true}, action: warn}', '{name: b, cwe: CWE-862, action: block}', False),
    ('{name: a, paths: "src/**", action: warn}', '{name: b, paths: "src/**", severity: low, action: block}', True),
    ('{name: a, paths: "src/**", action: warn}', '{name: b, paths: "src/a/**", action: block}', False),
])
def test_rules_that_can_never_decide_are_warned_about(first: str, second: str, shadowed: bool) -> None:
    loaded = policy.parse(f'version: 1\nrules:\n  - {first}\n  - {second}\n', 'p.yaml')
    about_rules = [w for w in policy.warnings(loaded) if w.startswith('p.yaml::$.rules[')]
    assert bool(about_rules) is shadowed
    if shadowed:
        assert about_rules == [
            "p.yaml::$.rules[1]: 'b' never decides: 'a' (rules[0]) takes every finding it would; "
            "move it up or narrow 'a'"]


def test_the_default_policy_has_no_rule_that_never_decides() -> None:
    assert policy.warnings(policy.parse(policy.DEFAULT, 'default')) == []


@pytest.mark.parametrize(('entry', 'message'), [
    ('rules: [{name: a, action: block, paths: ["src/", "!"]}]',
     "p.yaml::$.rules[0].paths: '!' is not a pattern git accepts; write it as in .gitignore"),
    ('require: [{name: ok, paths: x}, {name: a, paths: "a\\\\"}]',
     "p.yaml::$.require[1].paths: 'a\\\\' is not a pattern git accepts; write it as in .gitignore"),
])
def test_a_pattern_the_schema_allows_and_git_does_not_is_named_by_its_place(entry: str, message: str) -> None:
    with pytest.raises(GateError) as e:
        policy.parse(f'version: 1\n{entry}\n', 'p.yaml')
    assert str(e.value) == message


@pytest.mark.parametrize('name', ['.findings-gate.yaml', '.findings-gate.yml'])
def test_load_finds_the_repositorys_policy(tmp_path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text('version: 1\ndefault: warn\n')
    loaded = policy.load(None, tmp_path)
    assert (loaded.origin, loaded.default) == (name, 'warn')


def test_load_prefers_the_named_policy_and_falls_back_to_the_default(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / '.findings-gate.yaml').write_text('version: 1\ndefault: warn\n')
    (tmp_path / 'other.yaml').write_text('version: 1\ndefault: block\n')
    for root in (tmp_path, None):
        named = policy.load('other.yaml', root)
        assert (named.origin, named.default) == ('other.yaml', 'block')
    default = policy.load(None, None)
    assert default.origin == 'the default policy'
    assert [r.name for r in default.rules] == [
        'warn-ungrounded', 'block-severe-on-change', 'block-severe-unplaced', 'warn-unlocated', 'warn-in-changed-files']
    (tmp_path / '.findings-gate.yaml').unlink()
    assert policy.load(None, tmp_path).origin == 'the default policy'


def test_a_policy_that_cannot_be_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'latin1.yaml').write_bytes(b'version: 1\n# caf\xe9\n')
    with pytest.raises(GateError) as e:
        policy.load('latin1.yaml', tmp_path)
    assert str(e.value) == 'latin1.yaml: cannot read the policy: not UTF-8 text'
    with pytest.raises(GateError) as e:
        policy.load('missing.yaml', tmp_path)
    assert str(e.value) == 'missing.yaml: cannot read the policy: No such file or directory'


EARLY = policy.parse('version: 1\nrules: [{name: all, action: block}]\nsuppressed: warn\nstale: warn\n', 'p.yaml')


@pytest.mark.parametrize(('finding', 'waiver', 'decided'), [
    (placed(suppression=('inSource', None)), None, ('warn', 'suppressed')),
    (placed(), Waiver('w.yaml#1', 'known', 'ann', '2099-01-01'), ('ignore', 'waived')),
    (placed(stale='the lines changed after the review'), None, ('warn', 'stale')),
    (placed(), None, ('block', 'all')),
])
def test_suppressed_waived_and_stale_findings_are_decided_before_any_rule(
        finding: Placed, waiver: Waiver | None, decided: tuple[str, str]) -> None:
    result = policy.decide_finding(finding, EARLY, waiver)
    assert (result.action, result.rule, result.waiver) == (*decided, waiver)
    assert policy.explain(result, EARLY) == [(decided[1], decided[0], None)]


def test_a_rule_shadowed_by_two_earlier_ones_is_warned_about_once() -> None:
    loaded = policy.parse('version: 1\nrules:\n'
                          '  - {name: a, action: warn}\n'
                          '  - {name: b, action: warn}\n'
                          '  - {name: c, severity: high, action: block}\n', 'p.yaml')
    assert policy.warnings(loaded) == [
        "p.yaml::$.rules[1]: 'b' never decides: 'a' (rules[0]) takes every finding it would; "
        "move it up or narrow 'a'",
        "p.yaml::$.rules[2]: 'c' never decides: 'a' (rules[0]) takes every finding it would; "
        "move it up or narrow 'a'",
        "p.yaml::$.default: 'ignore' never applies: 'a' (rules[0]) takes every finding; "
        "narrow 'a' to let `default` decide the rest",
    ]


def test_the_decision_keeps_the_texts_it_is_given() -> None:
    loaded = policy.parse('version: 1\n', 'p.yaml')
    texts = {'src/a.py': 'x = 1\n'}
    assert policy.decide([], [], Change((), 'c'), loaded, texts).texts == texts
    assert policy.decide([], [], Change((), 'c'), loaded).texts == {}


HIGH_ON_AN_ADDED_LINE = ('{"version": 1, "reviewer": {"name": "bot", "kind": "tool"}, "findings": [{"title": '
                         '"injection", "severity": "high", "location": {"path": "app.py", "start_line": 2}}]}')


@pytest.mark.parametrize(('written', 'code', 'line'), [
    ('version: 1\n', 1, 'app.py:2: BLOCK block-severe-on-change: injection [bot]'),
    ('version: 1\ndefault: warn\n', 1, 'app.py:2: BLOCK block-severe-on-change: injection [bot]'),
    ('version: 1\nrules: []\n', 0, 'app.py:2: NOTE default: injection [bot]'),
])
def test_a_policy_that_leaves_out_rules_has_the_default_policys_rules(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        written: str, code: int, line: str) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml', written)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 1\ny = eval(input())\n')
    repo.git('add', 'app.py')
    (repo.root.parent / 'r.json').write_text(HIGH_ON_AN_ADDED_LINE)
    assert main(['check', '--report', str(repo.root.parent / 'r.json')]) == code
    assert line in capsys.readouterr().out


@pytest.mark.parametrize(('written', 'warning'), [
    ('version: 1\nrules: []\n',
     "warning: p.yaml::$.rules: no rules: every finding is decided by default ('ignore'); "
     "leave `rules` out for the default policy's rules\n"),
    ('version: 1\nrules: [{name: all, action: warn}]\ndefault: block\n',
     "warning: p.yaml::$.default: 'block' never applies: 'all' (rules[0]) takes every finding; "
     "narrow 'all' to let `default` decide the rest\n"),
])
def test_policy_check_warns_about_no_rules_and_a_default_that_never_applies(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        written: str, warning: str) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('p.yaml', written)
    assert main(['policy', 'check', 'p.yaml']) == 0
    assert capsys.readouterr().out == f'p.yaml: valid policy\n{warning}'
