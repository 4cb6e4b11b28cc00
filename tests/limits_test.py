"""The limits of what the gate reads, each with a one-line error naming the file: report size
(FINDINGS_GATE_MAX_REPORT_BYTES, default 50 MiB), YAML alias bombs, deep nesting, numbers
too long to read, text that is not UTF-8, binary files, and symbolic links out of the repository.

Everything runs the real gate on real files in a real repository: a report past a limit
is an invalid report (blocked by the default policy), a policy past one is exit 2.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from findings_gate.cli import main
from findings_gate.documents import MAX_ALIAS_NODES, MAX_DEPTH
from findings_gate.errors import display
from findings_gate.read import sources
from tests.conftest import Repo

REPORT = {'version': 1, 'reviewer': {'name': 'bot', 'kind': 'llm'},
          'findings': [{'title': 'a finding', 'severity': 'low', 'location': {'path': 'app.py', 'start_line': 1}}]}
VALID = json.dumps(REPORT).encode()
BOMB = b'version: 1\n' + b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b''.join(
    b'%c: &%c [%s]\n' % (98 + i, 98 + i, b','.join([b'*%c' % (97 + i)] * 9)) for i in range(8)) + b'notes: *i\n'


@pytest.fixture
def staged(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 2\n')
    repo.git('add', 'app.py')
    return repo


def gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    """Exit code, the problems listed under the reports, and stderr of `check ARGS`."""
    capsys.readouterr()
    code = main(['check', '--color', 'never', *args])
    out, err = capsys.readouterr()
    return code, [line[2:] for line in out.splitlines() if line.startswith('  ')], err


def only_problem(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, problems, err = gate(capsys, *args)
    assert (code, err, len(problems)) == (1, '', 1), (code, problems, err)
    return problems[0]


# ---- size ---------------------------------------------------------------------------------------

def test_the_default_limit_is_50_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('FINDINGS_GATE_MAX_REPORT_BYTES', raising=False)
    assert sources.max_bytes() == 50 * 1024 * 1024


@pytest.mark.parametrize('value', ['', '  '])
def test_an_empty_variable_is_the_default(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FINDINGS_GATE_MAX_REPORT_BYTES', value)
    assert sources.max_bytes() == 50 * 1024 * 1024


def test_a_report_over_the_limit_is_invalid_and_not_read(staged: Repo, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FINDINGS_GATE_MAX_REPORT_BYTES', '100')
    staged.write('.reviews/big.json', VALID + b' ' * 100)
    assert only_problem(capsys) == (f'.reviews/big.json: {len(VALID) + 100} bytes, over the limit of 100 bytes '
                                    f'for a report; split it, or raise FINDINGS_GATE_MAX_REPORT_BYTES')
    monkeypatch.setenv('FINDINGS_GATE_MAX_REPORT_BYTES', str(len(VALID) + 100))
    assert gate(capsys)[:2] == (0, [])


def test_a_device_that_never_ends_is_refused(staged: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert gate(capsys, '--report', '/dev/zero') == (2, [], (
        f'findings-gate: error: {display("/dev/zero")}: a character device, not a file; save the report '
        f'to a file, or pipe it to --report -\n'))


def test_standard_input_over_the_limit(staged: Repo, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FINDINGS_GATE_MAX_REPORT_BYTES', '10')
    import io
    import sys
    monkeypatch.setattr(sys, 'stdin', io.TextIOWrapper(io.BytesIO(VALID)))
    assert only_problem(capsys, '--report', '-') == (
        '-: more than 10 bytes, over the limit of 10 bytes for a report; '
        'split it, or raise FINDINGS_GATE_MAX_REPORT_BYTES')


def test_a_note_and_a_committed_report_over_the_limit(repo: Repo, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('app.py', 'x = 1\n')
    repo.commit('base')
    repo.write('app.py', 'x = 2\n')
    repo.write('.reviews/committed.json', VALID)
    head = repo.commit('change')
    repo.write('note.json', VALID)
    assert main(['attach', 'note.json']) == 0
    monkeypatch.setenv('FINDINGS_GATE_MAX_REPORT_BYTES', '50')
    code, problems, err = gate(capsys, '--base', 'HEAD~1')
    note = len(VALID.decode()) + 0  # the note holds the report as compact JSON
    assert (code, err) == (1, '')
    assert problems[0] == (f'{head[:12]}:.reviews/committed.json: {len(VALID)} bytes, over the limit of 50 '
                           f'bytes for a report; split it, or raise FINDINGS_GATE_MAX_REPORT_BYTES')
    assert problems[1].startswith(f'note:{head[:12]}#1: ') and note
    assert problems[1].endswith(' bytes, over the limit of 50 bytes for a report; split it, or raise '
                                'FINDINGS_GATE_MAX_REPORT_BYTES')


@pytest.mark.parametrize('value', ['50MB', '-1', '0', '1e6', 'x\n'])
def test_a_limit_that_is_not_a_number_of_bytes(value: str, staged: Repo, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FINDINGS_GATE_MAX_REPORT_BYTES', value)
    staged.write('.reviews/r.json', VALID)
    code, _, err = gate(capsys)
    shown = repr(value.strip())[1:-1]
    assert (code, err) == (2, f'findings-gate: error: FINDINGS_GATE_MAX_REPORT_BYTES={shown}: not a number of '
                              f'bytes; give a whole number (the default is 52428800) or unset it\n')


# ---- what a document may hold --------------------------------------------------------------------

@pytest.mark.parametrize(('name', 'data', 'problem'), [
    ('bomb.yaml', BOMB,
     f'.reviews/bomb.yaml:7:8: YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); '
     f'write the values out'),
    ('self.yaml', b'version: 1\nnotes: &a [x, *a]\n',
     '.reviews/self.yaml:2:15: the alias *a is inside the node it names; a report cannot contain itself'),
    ('deep.json', b'[' * 100_000,
     f'.reviews/deep.json: nested more than {MAX_DEPTH} levels deep; no report is, check what wrote it'),
    ('deep-closed.json', VALID[:-1] + b', "notes": ' + b'[' * 500 + b']' * 500 + b'}',
     f'.reviews/deep-closed.json: nested more than {MAX_DEPTH} levels deep; no report is, check what wrote it'),
    ('deep.yaml', b'version: 1\nnotes: ' + b'[' * 100_000,
     f'.reviews/deep.yaml:2:{7 + MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep; no report is, '
     f'check what wrote it'),
    ('deep-block.yaml', b'version: 1\nnotes:\n' + b''.join(b'  ' * i + b'- \n' for i in range(200)),
     f'.reviews/deep-block.yaml:{2 + MAX_DEPTH}:{2 * MAX_DEPTH - 1}: nested more than {MAX_DEPTH} levels '
     f'deep; no report is, check what wrote it'),
    ('deep-sarif.json', b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [], '
                   b'"properties": {"x": ' + b'[' * 200 + b']' * 200 + b'}}]}',
     f'.reviews/deep-sarif.json: nested more than {MAX_DEPTH} levels deep; no report is, check what wrote it'),
    ('number.json', VALID.replace(b'"start_line": 1', b'"start_line": 1' + b'0' * 5000),
     '.reviews/number.json: a number too long to read (thousands of digits); no field of a report holds one'),
    ('number.yaml', b'version: 1' + b'0' * 5000 + b'\n',
     '.reviews/number.yaml: not valid YAML: a value cannot be read (Exceeds the limit (4300 digits) for '
     'integer string conversion); quote it to make it text'),
    ('date.yaml', b'version: 1\nreviewer: {name: 2024-13-45, kind: llm}\nfindings: []\n',
     '.reviews/date.yaml: not valid YAML: a value cannot be read (month must be in 1..12); '
     'quote it to make it text'),
    ('keys.yaml', b'version: 1\nreviewer: {name: a, kind: llm}\nfindings:\n'
                  b'  - {title: t, severity: low, cwe: [CWE-79], cwe_names: {79: XSS}}\n',
     ".reviews/keys.yaml::$.findings[0].cwe_names: the key 79 is not text; quote it"),
    ('latin1.json', VALID.replace(b'a finding', b'caf\xe9'),
     '.reviews/latin1.json: not UTF-8 text (byte 86); save the report as UTF-8'),
    ('utf16.json', VALID.decode().encode('utf-16'),
     '.reviews/utf16.json: UTF-16 text (it starts with a byte-order mark); save the report as UTF-8'),
    ('image.json', b'\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10',
     '.reviews/image.json: a binary file (NUL bytes), not a report; pass the report the reviewer wrote'),
    ('zeros.yaml', b'\0' * 64,
     '.reviews/zeros.yaml: a binary file (NUL bytes), not a report; pass the report the reviewer wrote'),
])
def test_a_report_past_a_limit(name: str, data: bytes, problem: str, staged: Repo,
                               capsys: pytest.CaptureFixture[str]) -> None:
    staged.write(f'.reviews/{name}', data)
    assert only_problem(capsys) == problem


def test_aliases_that_add_little_are_fine(staged: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    staged.write('.reviews/r.yaml', b'version: 1\nreviewer: &who {name: a, kind: llm}\nfindings:\n'
                                    b'  - &f {title: t, severity: low, location: {path: app.py, start_line: 1}}\n'
                                    b'  - *f\n')
    code, problems, _ = gate(capsys)
    assert (code, problems) == (0, [])


def test_a_report_just_within_the_depth_limit_reads(staged: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    # the report itself is an object: 1 level; each bracket of `notes` is one more
    depth = MAX_DEPTH - 1
    staged.write('.reviews/r.json', VALID[:-1] + b', "notes": ' + b'[' * depth + b']' * depth + b'}')
    assert only_problem(capsys).startswith('.reviews/r.json::$.notes[0]: ')


@pytest.mark.parametrize(('text', 'error'), [
    (BOMB.replace(b'notes:', b'reports:'),
     f'.findings-gate.yaml:7:8: YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); '
     f'write the values out'),
    (b'version: 1\nrules: ' + b'[' * 100_000,
     f'.findings-gate.yaml:2:{7 + MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep; no report is, '
     f'check what wrote it'),
    (b'version: 1\ncontext_lines: 1' + b'0' * 5000 + b'\n',
     '.findings-gate.yaml: not valid YAML: a value cannot be read (Exceeds the limit (4300 digits) for integer '
     'string conversion); quote it to make it text'),
    (b'version: 1\ndefault: \xff\n',
     '.findings-gate.yaml: cannot read the policy: not UTF-8 text'),
])
def test_a_policy_past_a_limit(text: bytes, error: str, staged: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    staged.write('.findings-gate.yaml', text)
    code, _, err = gate(capsys)
    assert (code, err) == (2, f'findings-gate: error: {error}\n')


# ---- symbolic links out of the repository ----------------------------------------------------------

@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the repository that a report link could point at."""
    path = tmp_path / 'outside' / 'secret.json'
    path.parent.mkdir()
    path.write_bytes(VALID)
    return path


def test_a_report_that_links_out_of_the_repository_is_refused(staged: Repo, secret: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    (staged.root / '.reviews').mkdir()
    os.symlink(secret, staged.root / '.reviews' / 'link.json')
    refused = (f'.reviews/link.json: a symbolic link to {secret}, outside the repository; a report must be a '
               f'file in the repository (or name the target itself)')
    assert only_problem(capsys) == refused
    assert only_problem(capsys, '--report', '.reviews/link.json') == refused
    assert only_problem(capsys, '--report', '.reviews/') == refused
    # named on purpose, the file outside the repository is read
    code, problems, _ = gate(capsys, '--no-notes', '--policy', str(_no_locations(staged)), '--report', str(secret))
    assert (code, problems) == (0, [])


def test_a_directory_that_links_out_of_the_repository_is_refused(staged: Repo, secret: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink(secret.parent, staged.root / '.reviews')
    assert only_problem(capsys) == (
        f'.reviews/secret.json: a symbolic link to {secret}, outside the repository; a report must be a '
        f'file in the repository (or name the target itself)')


def test_a_link_that_stays_in_the_repository_is_read(staged: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    staged.write('reviews-store/r.json', VALID)
    (staged.root / '.reviews').mkdir()
    os.symlink('../reviews-store/r.json', staged.root / '.reviews' / 'link.json')
    code, problems, _ = gate(capsys, '--report', '.reviews/link.json')
    assert (code, problems) == (0, [])


def test_a_link_from_a_subdirectory(staged: Repo, secret: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (staged.root / 'sub').mkdir()
    os.symlink(secret, staged.root / 'sub' / 'link.json')
    monkeypatch.chdir(staged.root / 'sub')
    assert only_problem(capsys, '--report', 'link.json') == (
        f'link.json: a symbolic link to {secret}, outside the repository; a report must be a '
        f'file in the repository (or name the target itself)')


def _no_locations(repo: Repo) -> Path:
    path = repo.root.parent / 'policy.yaml'
    path.write_text('version: 1\nreports: []\n')
    return path


def test_the_docs_state_the_limits() -> None:
    hardening = (Path(__file__).parent.parent / 'docs' / 'hardening.md').read_text()
    assert f'`FINDINGS_GATE_MAX_REPORT_BYTES` (default {sources.MAX_BYTES}, 50 MiB)' in hardening
    assert f'nesting: {MAX_DEPTH} levels' in hardening
    assert f'at most {MAX_ALIAS_NODES:,} nodes added' in hardening
    assert 'FINDINGS_GATE_FUZZ=long pytest -m fuzz' in hardening
