"""Decisions made by the real pipeline for the writers' tests: a change staged in a real
repository, with reviews beside it, gated.

`gated` stages an edit of `src/app.py` (BASE to CHANGED) and one review of the
findings given (`finding` makes one); EVERY_PLACEMENT has a finding in each
placement. `scenario` stages a change with every kind of file (changed, deleted,
trimmed, an odd path) and a good, an invalid and an incomplete report, with text
(NASTY) that means something to each output format.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate import gate
from findings_gate.model import Decision
from tests.conftest import Repo

BASE = ''.join(f'line_{i} = {i}\n' for i in range(1, 21))
CHANGED = BASE.replace('line_5 = 5', 'line_5 = "changed"').replace('line_12 = 12\n', '')


def gated(repo: Repo, monkeypatch: pytest.MonkeyPatch, findings: list[dict], *,
          base: dict[str, str | bytes] | None = None, change: dict[str, str | bytes | None] | None = None,
          policy: str | None = None, reports: dict[str, str] | None = None) -> Decision:
    """The Decision for a staged change with a review of `findings` beside it (not in the change)."""
    monkeypatch.chdir(repo.root)
    for path, text in (base if base is not None else {'src/app.py': BASE, 'docs/notes.md': 'notes\n'}).items():
        repo.write(path, text)
    repo.commit('base')
    for path, change_text in (change if change is not None else {'src/app.py': CHANGED}).items():
        if change_text is None:
            repo.git('rm', '-q', path)
        else:
            repo.write(path, change_text)
    repo.git('add', '-A')
    review = {'version': 1, 'reviewer': {'name': 'sec-bot', 'kind': 'llm'}, 'findings': findings}
    repo.write('.reviews/review.json', json.dumps(review))
    for path, text in (reports or {}).items():
        repo.write(path, text)
    if policy is not None:
        repo.write('.findings-gate.yaml', policy)
    return gate.run(gate.Target())


def finding(title: str, severity: str = 'high', **location: object) -> dict:
    return {'title': title, 'severity': severity, **({'location': location} if location else {})}


EVERY_PLACEMENT = [
    finding('changed line', path='src/app.py', start_line=5),
    finding('range overlapping the change', 'critical', path='src/app.py', start_line=1, end_line=6),
    finding('info on a changed line', 'info', path='src/app.py', start_line=5),
    finding('near the change', 'medium', path='src/app.py', start_line=7),
    finding('on a removed line', 'medium', path='src/app.py', start_line=12, side='old'),
    finding('far from the change', path='src/app.py', start_line=17),
    finding('whole file', 'low', path='src/app.py'),
    finding('in an untouched file', path='docs/notes.md', start_line=1),
    finding('no location at all', 'critical'),
    finding('outside the repository', path='/etc/passwd', start_line=1),
]
WARN_UNTOUCHED = '''\
version: 1
rules:
  - {name: block-severe-on-change, severity: high, placement: [added, context, deleted], action: block}
  - {name: warn-rest, severity: low, action: warn}
'''
OLD_SIDE_UNCHANGED = finding('an unchanged line of the base version', 'low', path='src/app.py', start_line=3,
                             side='old')


def binary_change(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Decision:
    """A finding on line 1 of a changed binary file, which has no lines."""
    return gated(repo, monkeypatch, [finding('in a binary', 'low', path='blob.bin', start_line=1)],
                 base={'blob.bin': b'\0\1'}, change={'blob.bin': b'\0\2'})


# every character that means something to Markdown, HTML, workflow commands, SARIF messages or a terminal
NASTY = ('x%25 %0A :: , \r\n::set-env name=X::y\n  ::stop-commands::abc\n##[error]forged '
         '<script>alert(1)</script> [link](http://evil.example) ![img](http://evil.example/x.png) '
         '| pipe `tick` *em* _u_ ~~s~~ **b** @everyone #1 &amp; \\ back {brace} $x$ '
         'ü 😀 \u202e rtl \x1b[31m\u2028end')
ODD_PATH = 'odd dir/ü, a:b [1] %41 #x.py'


def lines(n: int, changed: tuple[int, ...] = ()) -> str:
    return ''.join(f'value_{i} = {"changed" if i in changed else i}\n' for i in range(1, n + 1))


def findings() -> list[dict]:
    """One finding of each kind the writers treat differently."""
    return [
        {'title': 'SQL query built from user input', 'severity': 'high', 'category': 'security',
         'cwe': ['CWE-89'], 'confidence': 'high', 'suggestion': 'pass the name as a parameter',
         'location': {'path': 'app/users.py', 'start_line': 9, 'start_column': 5, 'end_column': 20}},
        {'title': NASTY, 'severity': 'critical', 'message': NASTY + ' more', 'suggestion': NASTY,
         'rule': 'NASTY-1', 'category': 'security', 'cwe': ['CWE-79', 'CWE-20'],
         'location': {'path': 'app/users.py', 'start_line': 10}},
        {'title': 'far away', 'severity': 'medium', 'confidence': 'low',
         'location': {'path': 'app/users.py', 'start_line': 30, 'end_line': 32}},
        {'title': 'in the readme', 'severity': 'low', 'cwe': ['CWE-1059'],
         'cwe_names': {'CWE-1059': 'SQL Injection'}, 'location': {'path': 'README.txt', 'start_line': 1}},
        {'title': 'past the end', 'severity': 'low', 'location': {'path': 'README.txt', 'start_line': 50}},
        {'title': 'nowhere', 'severity': 'high', 'location': {'path': 'no/such/file.py', 'start_line': 3}},
        {'title': 'removed lines', 'severity': 'medium',
         'location': {'path': 'app/trimmed.py', 'start_line': 4, 'side': 'old'}},
        {'title': 'in a deleted file', 'severity': 'high',
         'location': {'path': 'app/old.py', 'start_line': 2, 'side': 'old'}},
        {'title': 'suppressed one', 'severity': 'high',
         'suppression': {'kind': 'external', 'justification': 'checked [by hand]'},
         'location': {'path': 'app/users.py', 'start_line': 9}},
        {'title': NASTY, 'severity': 'medium', 'message': NASTY, 'cwe': ['CWE-1059'],
         'cwe_names': {'CWE-1059': NASTY.replace('\n', ' ')},
         'location': {'path': ODD_PATH, 'start_line': 2, 'start_column': 3, 'end_column': 4}},
    ]


def scenario(repo: Repo, reports: Path, found: list[dict] | None = None,
             reviewer: str = 'bot @everyone\n::warning::fake') -> Decision:
    """A staged change with every placement, gated by the real pipeline (cwd must be the repo)."""
    repo.write('app/users.py', lines(40))
    repo.write('app/old.py', lines(5))
    repo.write('app/trimmed.py', lines(10))
    repo.write('README.txt', 'read me\r\n\tindented\r\n')
    repo.write(ODD_PATH, lines(3))
    repo.commit('base')
    repo.write('app/users.py', lines(40, changed=(9,)))
    (repo.root / 'app/old.py').unlink()
    repo.write('app/trimmed.py', ''.join(lines(10).splitlines(True)[i] for i in range(10) if i not in (3, 4)))
    repo.write(ODD_PATH, lines(3, changed=(2,)))
    repo.git('add', '-A')
    reports.mkdir(exist_ok=True)
    good = reports / 'good.json'
    good.write_text(json.dumps({'version': 1, 'reviewer': {'name': reviewer, 'kind': 'llm'},
                                'findings': findings() if found is None else found}))
    bad = reports / 'bad\n::set-env name=A::b ##[error]x %0A [l](u) <b>.json'  # a newline: Linux allows it
    bad.write_text('{"version": 1, "reviewer": {"name": "x"}}')
    cut = reports / 'cut.json'
    cut.write_text(json.dumps({'version': 1, 'reviewer': {'name': 'y', 'kind': 'tool'},
                               'complete': False, 'findings': []}))
    return gate.run(gate.Target(), reports=[str(good), str(bad), str(cut)])
