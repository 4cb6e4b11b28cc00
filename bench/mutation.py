"""Mutation testing of policy.py, locate.py and diff.py with mutmut 2.x.

    pip install 'mutmut<3'
    python bench/mutation.py                  # all three modules
    python bench/mutation.py diff --survivors # one module, and the diff of each survivor

mutmut 2 writes each mutant into the file it mutates, so the run happens in a
copy of the working tree (tracked and untracked files, not ignored ones) in a
temporary directory, with the copy's hooks/ first on PYTHONPATH: the checkout
is never mutated, and the editable install does not shadow the copy. Each
module has its own cache, its own mutants and its own tests (the ones that
exercise it), listed in TESTS. Killed and timed-out mutants count as detected.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = {
    'policy': ('tests/policy_test.py', 'tests/require_test.py', 'tests/cases_test.py'),
    'locate': ('tests/locate_test.py', 'tests/cases_test.py'),
    'diff': ('tests/diff_test.py', 'tests/fuzz_test.py::test_nearly_valid_diffs',
             'tests/fuzz_test.py::test_any_text_as_a_diff'),
}
DETECTED = ('ok_killed', 'bad_timeout', 'ok_suspicious')


def copy_tree(target: Path) -> None:
    listed = subprocess.run(
        ('git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'),
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split('\0')
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def run_module(tree: Path, module: str) -> list[tuple[int, str, int]]:
    """Run mutmut on one module; return (id, status, line number) of each mutant."""
    (tree / '.mutmut-cache').unlink(missing_ok=True)
    runner = shlex.join((sys.executable, 'bench/mutation.py', '--run-tests', module))
    mutmut = subprocess.Popen(
        (sys.executable, '-m', 'mutmut', 'run', '--paths-to-mutate', f'hooks/findings_gate/{module}.py',
         '--tests-dir', 'tests', '--runner', runner, '--no-progress', '--simple-output'),
        cwd=tree, env={**os.environ, 'PYTHONPATH': str(tree / 'hooks')}, start_new_session=True,
    )
    try:
        mutmut.wait()
    except BaseException:  # stopped: no worker or test run of mutmut's session outlives it
        os.killpg(mutmut.pid, signal.SIGKILL)
        raise
    with sqlite3.connect(tree / '.mutmut-cache') as db:
        return db.execute(
            'SELECT Mutant.id, Mutant.status, Line.line_number + 1 FROM Mutant '
            'JOIN Line ON Mutant.line = Line.id ORDER BY Mutant.id',
        ).fetchall()


def show(tree: Path, mutant: int) -> str:
    return subprocess.run(
        (sys.executable, '-m', 'mutmut', 'show', str(mutant)),
        cwd=tree, check=True, capture_output=True, text=True,
    ).stdout


def run_tests(module: str) -> int:
    """mutmut's runner: exit 1 when the tests fail in any way.

    mutmut 2 counts only exit code 1 as killed: pytest's 2 (a collection error, an
    interrupted run) would pass for a survivor.
    """
    import pytest

    sys.path.insert(0, os.getcwd())  # as `python -m pytest` does: tests/ imports tests.conftest
    return 1 if pytest.main(['-x', '-q', '-p', 'no:cacheprovider', *TESTS[module]]) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--run-tests', metavar='module', help=argparse.SUPPRESS)
    parser.add_argument('modules', nargs='*', metavar='module', help=f'of {", ".join(TESTS)} (default: all)')
    parser.add_argument('--survivors', action='store_true', help="print each survivor's diff")
    args = parser.parse_args(argv)
    if args.run_tests:
        return run_tests(args.run_tests)
    unknown = set(args.modules) - set(TESTS)
    if unknown:
        parser.error(f'no such module: {", ".join(sorted(unknown))}')
    args.modules = args.modules or list(TESTS)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # clean up on `timeout`
    rows = []
    with tempfile.TemporaryDirectory(prefix='findings-gate-mutation-') as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        for module in args.modules:
            mutants = run_module(tree, module)
            timeouts = sum(status == 'bad_timeout' for _, status, _ in mutants)
            detected = sum(status in DETECTED for _, status, _ in mutants)
            survivors = [(i, line) for i, status, line in mutants if status not in DETECTED]
            rows.append((module, detected, timeouts, len(mutants), survivors))
            if args.survivors:
                for i, _ in survivors:
                    print(show(tree, i))
    for module, detected, timeouts, total, survivors in rows:
        print(f'{module}.py: {detected} / {total} detected ({100 * detected / max(total, 1):.1f}%, '
              f'{timeouts} of them by timing out); '
              f'survivors at lines {", ".join(str(line) for _, line in survivors) or "none"}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
