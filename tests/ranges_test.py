"""One rule for where a range ends, in every reader: an end at column 1 of a later line ends the
range with the line before.

The reports are ruff 0.17.6's own, on tests/vectors/ruff-0.17.6/app.py (see tests/vectors/README.md):
ruff writes the whole of line 12 (W391, a blank line at the end) as (12, 1) to (13, 1).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from findings_gate.cli import main
from tests.conftest import Repo

RUFF = Path(__file__).parent / 'vectors' / 'ruff-0.17.6'
FORMATS = ('gitlab.json', 'sarif.json', 'rdjson.json')


def _imported(name: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert main(['import', str(RUFF / name)]) == 0
    return json.loads(capsys.readouterr().out)['findings']


@pytest.mark.parametrize('name', FORMATS)
def test_a_whole_line_reads_as_that_line_in_every_format(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    [blank] = [f for f in _imported(name, capsys) if f['rule'] == 'too-many-newlines-at-end-of-file']
    location = blank['location']
    assert (location['start_line'], location['end_line'], location['start_column']) == (12, 12, 1)
    assert 'end_column' not in location  # to the end of the line


@pytest.mark.parametrize('name', FORMATS)
def test_other_ranges_keep_their_last_column(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    by_rule = {f['rule']: f['location'] for f in _imported(name, capsys)}
    shell = by_rule['start-process-with-a-shell']
    assert (shell['start_line'], shell['end_line'], shell['start_column'], shell['end_column']) == (8, 8, 16, 24)
    imports = by_rule['unsorted-imports']
    assert (imports['start_line'], imports['end_line'], imports['end_column']) == (1, 2, 9)


def test_a_code_quality_report_from_ruff_gates_the_change(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    repo.commit('base')
    repo.git('checkout', '-q', '-b', 'change')
    repo.write('app.py', (RUFF / 'app.py').read_text())
    repo.commit('the change')
    capsys.readouterr()
    code = main(['check', '--base', 'main', '--report', str(RUFF / 'gitlab.json'), '--format', 'json'])
    decision = json.loads(capsys.readouterr().out)
    assert decision['conditions'] == []  # not refused as an invalid report
    assert [(f['placement'], f['action']) for f in decision['findings']] == [('added', 'warn')] * 6
    assert (code, decision['verdict']) == (0, 'warn')
