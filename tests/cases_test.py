"""Golden end-to-end cases: tests/cases/<name>/case.yaml in, expected.txt out.

case.yaml holds `base` (files of the first commit), `change` (files written,
or removed when null), `commit` (true: the change is committed on a branch
`change`; false: it is staged), optional `notes` (reports attached with
`findings-gate attach`), optional `later` (files written and committed on top
of the change, with `@CHANGE@` standing for the change's commit: a review of an
earlier revision), optional `today` (the date waivers are checked against),
optional `cwd`, optional `bug` (a function of the package replaced by one that
raises, to pin exit 3), and `args` (the command line). A traceback is kept as its first and last lines: the rest names lines
of the source.
`pytest --update-golden` rewrites expected.txt from this run, on purpose only.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from findings_gate.cli import main
from tests.conftest import Repo

CASES = Path(__file__).parent / 'cases'


def _write_files(repo: Repo, files: dict[str, str | None]) -> None:
    for path, text in files.items():
        if text is None:
            (repo.root / path).unlink()
        else:
            repo.write(path, text)


def _planted_bug(*args: object, **kwargs: object) -> None:
    raise RuntimeError('a planted bug')


def run_case(case: dict, repo: Repo, capsys: pytest.CaptureFixture[str]) -> str:
    _write_files(repo, case.get('base', {}))
    repo.commit('base')
    if case.get('commit'):
        repo.git('checkout', '-q', '-b', 'change')
    _write_files(repo, case.get('change', {}))
    repo.git('add', '-A')
    change = ''
    if case.get('commit'):
        change = repo.commit('the change')
        if 'later' in case:
            later = {path: text and text.replace('@CHANGE@', change) for path, text in case['later'].items()}
            _write_files(repo, later)
            repo.commit('after the review')
    os.chdir(repo.root / case.get('cwd', '.'))
    for name, text in case.get('notes', {}).items():
        Path(name).write_text(text.replace('@CHANGE@', change) if case.get('commit') else text)
        assert main(['attach', name]) == 0
        os.unlink(name)
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        if 'today' in case:
            patch.setattr('findings_gate.decide.waivers.today', lambda: case['today'])
        if 'bug' in case:
            patch.setattr(case['bug'], _planted_bug)
        code = main(case['args'])
    out, err = capsys.readouterr()
    if err.startswith('Traceback'):
        lines = err.splitlines(keepends=True)
        err = ''.join([lines[0], '  ...\n', *lines[-2:]])
    return (f'$ findings-gate {" ".join(case["args"])}\nexit {code}\n'
            f'--- stdout\n{out}--- stderr\n{err}')


@pytest.mark.parametrize('name', sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(name: str, repo: Repo, capsys: pytest.CaptureFixture[str],
              request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    case = yaml.safe_load((CASES / name / 'case.yaml').read_text())
    got = run_case(case, repo, capsys)
    expected = CASES / name / 'expected.txt'
    if request.config.getoption('--update-golden'):
        expected.write_text(got)
    assert got == expected.read_text()


def test_the_cases_cover_every_placement_action_and_exit_code() -> None:
    text = ''.join(p.read_text() for p in CASES.glob('*/expected.txt'))
    for placement in ('added', 'context', 'deleted', 'file', 'untouched', 'unlocated'):
        assert f'({placement})' in text, placement
    for label in ('BLOCK', 'WARN', 'NOTE'):
        assert f': {label} ' in text, label
    for code in (0, 1, 2, 3):
        assert f'\nexit {code}\n' in text, code
