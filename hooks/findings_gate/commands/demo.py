"""`findings-gate demo`: a real change in a throwaway repository, gated twice."""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from findings_gate import gate, git
from findings_gate.render import terminal

BASE = '''\
import sqlite3


def connect(path):
    return sqlite3.connect(path)


def find_user(db, name):
    rows = db.execute("SELECT id, name FROM users WHERE name = ?", (name,))
    return rows.fetchone()


def count_users(db):
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def close(db):
    db.close()
'''
UNSAFE = '    rows = db.execute(f"SELECT id, name FROM users WHERE name = \'{name}\'")\n'
SAFE = '    rows = db.execute("SELECT id, name FROM users WHERE name = ?", (name,))\n'
TIMEOUT = '    return sqlite3.connect(path, timeout=30)\n'
BOUNDED = '    return db.execute("SELECT count(*) FROM (SELECT 1 FROM users LIMIT 100000)").fetchone()[0]\n'

REPORTS = {
    'security-review.json': {
        'version': 1,
        'reviewer': {'name': 'security-llm', 'kind': 'llm', 'model': 'example-model'},
        'findings': [
            {'title': 'SQL query built from user input', 'severity': 'high',
             'category': 'security', 'cwe': ['CWE-89'],
             'location': {'path': 'app/users.py', 'start_line': 9},
             'suggestion': 'pass the name as a query parameter'},
            {'title': 'no limit on the number of rows counted', 'severity': 'low',
             'category': 'performance',
             'location': {'path': 'app/users.py', 'start_line': 14}},
        ],
    },
    'style.json': {
        'version': 1,
        'reviewer': {'name': 'lint', 'kind': 'tool'},
        'findings': [
            {'title': 'README does not say how to run the tests', 'severity': 'info',
             'category': 'maintainability',
             'location': {'path': 'README.txt', 'start_line': 1}},
        ],
    },
}


def _gate(repo_root: Path, write: Callable[[str], object], color: bool) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(repo_root)
    try:
        decision = gate.run(gate.Target())
    finally:
        os.chdir(cwd)
    write(terminal.render(decision, color=color))
    return 1 if decision.verdict == 'block' else 0, decision.verdict


def run(write: Callable[[str], object], color: bool = False) -> int:
    """Show a blocked finding, a warning and a clean pass; 0 when the gate behaved as shown."""
    with tempfile.TemporaryDirectory(prefix='findings-gate-demo-') as tmp:
        root = Path(tmp)
        repo = git.init(root)
        (root / 'app').mkdir()
        (root / 'app' / 'users.py').write_text(BASE)
        (root / 'README.txt').write_text('A small user store.\n')
        git.stage_all(repo)
        git.commit(repo, 'base')

        lines = BASE.splitlines(keepends=True)
        lines[4], lines[8] = TIMEOUT, UNSAFE
        (root / 'app' / 'users.py').write_text(''.join(lines))
        (root / '.reviews').mkdir()
        for name, report in REPORTS.items():
            (root / '.reviews' / name).write_text(json.dumps(report, indent=2))
        git.stage_all(repo)
        write(f"The demo's repository: {root} (removed at the end).\n"
              f'Its reviews are in .reviews/; with no .findings-gate.yaml there, the default policy decides.\n\n')
        write('== 1. A change with a review attached: line 9 builds SQL from user input.\n'
              '$ findings-gate check   (the staged change)\n')
        first, _ = _gate(root, write, color)
        write(f'exit {first}: the commit is blocked\n\n')

        lines[8] = SAFE
        (root / 'app' / 'users.py').write_text(''.join(lines))
        git.stage_all(repo)
        write('== 2. The author keeps the query parameterised; the flagged line is no longer changed.\n'
              '$ findings-gate check\n')
        second, warned = _gate(root, write, color)
        write(f'exit {second}: the commit passes, with the warnings shown\n\n')

        lines[13] = BOUNDED
        (root / 'app' / 'users.py').write_text(''.join(lines))
        reviewed = {**REPORTS['security-review.json'], 'findings': [], 'verdict': 'no-findings'}
        (root / '.reviews' / 'security-review.json').write_text(json.dumps(reviewed, indent=2))
        git.stage_all(repo)
        write('== 3. The author bounds the count too, and the reviewer, reviewing again, finds nothing.\n'
              '$ findings-gate check\n')
        third, passed = _gate(root, write, color)
        write(f'exit {third}: the commit passes, clean\n')
    return 0 if (first, second, third, warned, passed) == (1, 0, 0, 'warn', 'pass') else 1
