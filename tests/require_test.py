"""Required reviews: which changed files lack the reports a `require:` entry asks for."""
from __future__ import annotations

import pytest

from findings_gate.decide import policy, requirements
from findings_gate.errors import GateError
from findings_gate.model import Change, FileChange, Report, Reviewer
from tests.conftest import Repo

CHANGE = Change((FileChange('svc/a.py', 'svc/a.py', 'modified'), FileChange('svc/b.py', None, 'added'),
                 FileChange('docs/x.md', 'docs/x.md', 'modified')), 'a change')


def _rules(*entries: str) -> policy.Policy:
    return policy.parse('version: 1\nrequire:\n' + ''.join(f'  - {e}\n' for e in entries), 'p.yaml')


def _report(name: str, kind: str, **fields: object) -> Report:
    return Report(f'{name}.json', Reviewer(name, kind), (), **fields)  # type: ignore[arg-type]


def _unmet(rules: policy.Policy, *reports: Report) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.action, c.paths) for c in requirements.unmet(rules.requirements, CHANGE, reports)]


def test_each_changed_file_under_the_paths_needs_a_report_of_the_kind() -> None:
    rules = _rules('{name: person, paths: "svc/**", reviewer_kind: human}')
    assert _unmet(rules) == [('block', ('svc/a.py', 'svc/b.py'))]
    assert _unmet(rules, _report('bot', 'llm')) == [('block', ('svc/a.py', 'svc/b.py'))]
    assert _unmet(rules, _report('ann', 'human')) == []


def test_a_report_that_lists_files_covers_only_those() -> None:
    rules = _rules('{name: any, paths: "svc/**", action: warn}')
    assert _unmet(rules, _report('ann', 'human', files=('svc/a.py',))) == [('warn', ('svc/b.py',))]


def test_reports_count_by_distinct_reviewers_and_names_can_be_required() -> None:
    rules = _rules('{name: two, paths: ["svc/*.py"], reports: 2}')
    assert _unmet(rules, _report('ann', 'human'), _report('ann', 'human')._replace(origin='again.json')) == [
        ('block', ('svc/a.py', 'svc/b.py'))]
    assert _unmet(rules, _report('ann', 'human'), _report('bot', 'llm')) == []
    named = _rules('{name: sec, paths: "svc/**", reviewer: [security-bot, ann]}')
    assert _unmet(named, _report('bot', 'llm')) == [('block', ('svc/a.py', 'svc/b.py'))]
    assert _unmet(named, _report('security-bot', 'llm')) == []


@pytest.mark.parametrize(('fields', 'why'), [
    ({'complete': False}, 'ann.json was cut off (complete: false)'),
    ({'advisory': True}, "ann.json is in the change's own tree (trust: in_tree_reports: advisory)"),
    ({'stale_files': frozenset({'svc/a.py'})}, 'ann.json did not review them as they are now'),
])
def test_cut_off_advisory_and_stale_reviews_do_not_count_and_the_message_says_why(fields: dict, why: str) -> None:
    rules = _rules('{name: person, paths: "svc/a.py", reviewer_kind: human}')
    [condition] = requirements.unmet(rules.requirements, CHANGE, [_report('ann', 'human', **fields)])
    assert condition.paths == ('svc/a.py',)
    assert condition.message == (
        'person: each changed file matching svc/a.py needs 1 human report by distinct reviewers; '
        f'1 file has fewer; not counted: {why}')


def test_requirement_names_are_unique_and_their_keys_checked() -> None:
    with pytest.raises(GateError, match=r"\$\.require\[1\]\.name: 'a' is already the name of require\[0\]; "
                                        r'give each requirement its own name'):
        _rules('{name: a, paths: x}', '{name: a, paths: y}')
    with pytest.raises(GateError, match=r'\$\.require\[0\]'):
        _rules('{name: a, paths: x, reviewer_kind: robot}')
    with pytest.raises(GateError, match=r'\$\.require\[0\]'):
        _rules('{name: a, reports: 1}')  # no paths


def test_every_output_names_the_files_without_the_required_reviews(
        repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from findings_gate import gate, render
    from findings_gate.render import RENDERERS

    monkeypatch.chdir(repo.root)
    repo.write('.findings-gate.yaml',
               'version: 1\nrequire:\n  - {name: person, paths: "svc/**", reviewer_kind: human}\n')
    repo.write('svc/lonely', 'x = 1\n')
    repo.commit('base')
    repo.write('svc/lonely', 'x = 2\n')
    repo.git('add', '-A')
    decision = gate.run(gate.Target())
    assert decision.verdict == 'block'
    assert [fmt for fmt in RENDERERS if 'svc/lonely' not in render.render(fmt, decision)] == []
