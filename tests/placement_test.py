"""Placement as the docs define it, through the console script on real git.

Each test commits a base on `main`, a change on a branch, and gates the branch
with a native report; the JSON decision says where each finding was placed.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from findings_gate.cli import main
from tests.conftest import Repo


def _finding(path: str, line: int, end: int | None = None, **more: Any) -> dict[str, Any]:
    location = {'path': path, 'start_line': line, **({'end_line': end} if end else {})}
    return {'title': f'{path}:{line}', 'severity': 'high', 'location': location, **more}


def gate(repo: Repo, base: dict[str, str], change: dict[str, str | None], findings: list[dict[str, Any]],
         *args: str, kind: str = 'llm') -> dict[str, Any]:
    """The JSON decision on `change` (files written, or removed when None) over `base`."""
    for path, text in base.items():
        repo.write(path, text)
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    for path, text in change.items():
        if text is None:
            (repo.root / path).unlink()
        else:
            repo.write(path, text)
    repo.commit('the change')
    report = repo.root.parent / 'review.json'
    report.write_text(json.dumps({'version': 1, 'reviewer': {'name': 'r', 'kind': kind}, 'findings': findings}))
    return decide(repo, str(report), *args)


def decide(repo: Repo, report: str, *args: str) -> dict[str, Any]:
    out = repo.root.parent / 'decision.json'
    code = main(['check', '--base', 'main', '--report', report, '--no-notes', '--output', f'json={out}', *args])
    decision = json.loads(out.read_text())
    assert code == (1 if decision['verdict'] == 'block' else 0)
    return decision


def placements(decision: dict[str, Any]) -> list[str]:
    return [f['placement'] for f in decision['findings']]


def numbered(count: int) -> str:
    return ''.join(f'v{n} = {n}\n' for n in range(1, count + 1))


@pytest.fixture
def here(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(repo.root)
    return repo


# the distance to a removal: lines 10-11 of 20 removed; the new line 9 is before the
# removal and the new line 10 after it, each 1 line from it, as around an added line

def test_context_around_a_removal_is_as_wide_as_around_an_addition(here: Repo) -> None:
    removed = numbered(20).replace('v10 = 10\nv11 = 11\n', '')
    findings = [_finding('a.py', n) for n in (6, 7, 12, 13)]
    decision = gate(here, {'a.py': numbered(20)}, {'a.py': removed}, findings)
    assert placements(decision) == ['file', 'context', 'context', 'file']


def test_context_0_marks_no_line_around_a_removal(here: Repo) -> None:
    removed = numbered(20).replace('v10 = 10\n', '')
    findings = [_finding('a.py', 9), _finding('a.py', 10), _finding('a.py', 9, 10)]
    decision = gate(here, {'a.py': numbered(20)}, {'a.py': removed}, findings, '--context', '0')
    assert placements(decision) == ['file', 'file', 'context']  # a range that holds the removal is 0 lines from it


# symbol: the innermost definition around the finding, touched by the change

SIBLINGS = '''\
def first():
    a = 1
    b = 2
    c = 3
    d = 4
    e = 5
    return a


def middle():
    return 2


def last():
    a = 1
    b = 2
    c = 3
    d = 4
    e = 5
    return a
'''
ATTRIBUTES = '''\
class Service:
    def stop(self):
        a = 1
        b = 2
        c = 3
        return a
    retries = 3
    timeout = 10
    def start(self):
        a = 1
        b = 2
        c = 3
        return a
'''


def test_deleting_a_sibling_function_does_not_touch_its_neighbours(here: Repo) -> None:
    without = SIBLINGS.replace('def middle():\n    return 2\n\n\n', '')
    # line 2 of first() and the last line of last(), 5 lines and more from the removal
    findings = [_finding('svc.py', 2), _finding('svc.py', 16)]
    decision = gate(here, {'svc.py': SIBLINGS}, {'svc.py': without}, findings, '--context', '1')
    assert placements(decision) == ['file', 'file']


def test_deleting_class_attributes_does_not_touch_the_methods_around_them(here: Repo) -> None:
    without = ATTRIBUTES.replace('    retries = 3\n    timeout = 10\n', '')
    # the first line of stop()'s body, the last of start()'s: 4 lines from the removal
    decision = gate(here, {'svc.py': ATTRIBUTES}, {'svc.py': without}, [_finding('svc.py', 3), _finding('svc.py', 11)],
                    '--context', '1')
    assert placements(decision) == ['file', 'file']


def test_deleting_the_last_lines_or_a_decorator_of_a_function_touches_it(here: Repo) -> None:
    base = SIBLINGS.replace('def last():', '@cached\ndef last():')
    change = base.replace('    e = 5\n    return a\n\n\n', '\n\n', 1).replace('@cached\n', '')
    # first() lost its last two lines, last() its decorator; each finding is far from them
    decision = gate(here, {'svc.py': base}, {'svc.py': change}, [_finding('svc.py', 2), _finding('svc.py', 18)],
                    '--context', '1')
    assert placements(decision) == ['symbol', 'symbol']


def test_lines_removed_inside_a_definition_touch_it(here: Repo) -> None:
    change = SIBLINGS.replace('    c = 3\n', '', 1)
    decision = gate(here, {'svc.py': SIBLINGS}, {'svc.py': change}, [_finding('svc.py', 6)], '--context', '1')
    assert placements(decision) == ['symbol']


# a copy: git's copy detection names a new file a copy of another; its lines are new to the reader

def test_the_lines_of_a_copied_file_are_added(here: Repo) -> None:
    code = numbered(30)
    change = {'copy.py': code, 'orig.py': code.replace('v1 = 1\n', 'v1 = 0\n')}
    decision = gate(here, {'orig.py': code}, change, [_finding('copy.py', 20)], kind='tool')
    assert [f['status'] for f in decision['change']['files']] == ['copied', 'modified']
    assert placements(decision) == ['added']
    assert (decision['verdict'], decision['findings'][0]['rule']) == ('block', 'block-severe-on-change')
