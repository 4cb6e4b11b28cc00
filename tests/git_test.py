from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from findings_gate import git
from findings_gate.errors import GateError
from tests.conftest import Repo


def test_open_repo_finds_the_work_tree_from_a_subdirectory(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write('src/app.py', 'x = 1\n')
    monkeypatch.chdir(repo.root / 'src')
    found = git.open_repo()
    assert git.root(found) == repo.root
    assert found.git_dir == repo.root / '.git'


def test_open_repo_finds_a_worktree_a_submodule_and_what_git_dir_names(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write('a.txt', 'a\n')
    repo.commit()
    repo.git('worktree', 'add', '-q', str(tmp_path / 'other'), '-b', 'other')
    found = git.open_repo(tmp_path / 'other')
    assert git.root(found) == tmp_path / 'other'
    assert git.resolve(found, 'HEAD') == git.resolve(git.open_repo(repo.root), 'other')
    sub = Repo(tmp_path / 'sub')
    sub.write('s.txt', 's\n')
    sub.commit()
    repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', str(sub.root), 'sub')
    assert git.root(git.open_repo(repo.root / 'sub')) == repo.root / 'sub'
    assert git.tracked_files(git.open_repo(repo.root / 'sub'), None) == frozenset({'s.txt'})
    monkeypatch.setenv('GIT_DIR', str(repo.root / '.git'))
    monkeypatch.setenv('GIT_WORK_TREE', str(repo.root))
    assert git.root(git.open_repo(tmp_path)) == repo.root  # as git says


def test_a_configured_work_tree_is_git_s_to_find(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / 'elsewhere').mkdir()
    repo.git('config', 'core.worktree', str(tmp_path / 'elsewhere'))
    assert git.root(git.open_repo(repo.root / '.git')) == tmp_path / 'elsewhere'


def test_open_repo_outside_a_repository_says_so(tmp_path: Path) -> None:
    with pytest.raises(GateError, match=f'^{tmp_path}: not a git repository; run inside one'):
        git.open_repo(tmp_path)
    with pytest.raises(GateError, match='not a git repository'):
        git.open_repo(tmp_path / 'missing')


def test_a_bare_repository_has_no_work_tree(tmp_path: Path) -> None:
    Repo(tmp_path / 'plain').git('init', '-q', '--bare', str(tmp_path / 'bare.git'))
    found = git.open_repo(tmp_path / 'bare.git')
    assert found.work_tree is None
    with pytest.raises(GateError, match='a bare repository has no work tree'):
        git.root(found)


@pytest.mark.parametrize('written', ['bare=true', '\tbare = TRUE', 'bare = yes'])
def test_a_repository_configured_bare_however_written_has_no_work_tree(repo: Repo, written: str) -> None:
    config = repo.root / '.git' / 'config'
    config.write_text(config.read_text().replace('bare = false', written))
    found = git.open_repo(repo.root)
    assert found.work_tree is None
    with pytest.raises(GateError, match='a bare repository has no work tree'):
        git.root(found)


def test_inside_the_git_directory_the_work_tree_is_its_parent(repo: Repo) -> None:
    assert git.root(git.open_repo(repo.root / '.git')) == repo.root


def test_unknown_revisions_and_unrelated_histories(repo: Repo) -> None:
    repo.write('a.txt', 'a\n')
    head = repo.commit()
    found = git.open_repo(repo.root)
    assert git.resolve(found, 'main') == head
    with pytest.raises(GateError, match="^'nope': unknown revision"):
        git.resolve(found, 'nope')
    repo.git('checkout', '-q', '--orphan', 'other')
    repo.write('b.txt', 'b\n')
    other = repo.commit()
    assert git.merge_base(found, head, other) is None
    assert git.commits(found, head, other) == [other]


def test_git_errors_name_the_command_and_git_s_reason(repo: Repo) -> None:
    with pytest.raises(GateError, match=r"^git diff failed: fatal: .*'nope'"):
        git.diff_range(git.open_repo(repo.root), 'nope', 'HEAD')


def test_the_blob_reader_reads_the_index_and_commits(repo: Repo) -> None:
    repo.write('a.py', 'old\n')
    first = repo.commit()
    repo.write('a.py', 'staged\n')
    repo.git('add', 'a.py')
    repo.write('a.py', 'in the work tree only\n')
    found = git.open_repo(repo.root)
    staged = git.blob_reader(found, None)
    committed = git.blob_reader(found, first)
    assert staged(['a.py']) == [b'staged\n']
    assert committed(['a.py', 'a.py']) == [b'old\n', b'old\n']
    assert staged(['a.py']) == [b'staged\n']  # again, through the same process


def test_the_blob_reader_says_none_for_what_is_not_a_file(repo: Repo) -> None:
    repo.write('dir/a.txt', 'a\n')
    repo.write('empty.txt', '')
    sub = Repo(repo.root.parent / 'sub')
    sub.write('s.txt', 's\n')
    sub.commit()
    repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', str(sub.root), 'sub')
    head = repo.commit()
    read = git.blob_reader(git.open_repo(repo.root), head)
    # missing, a tree, a submodule's commit
    assert read(['missing.txt', 'dir', 'sub', 'empty.txt', 'dir/a.txt']) == [None, None, None, b'', b'a\n']
    assert read([]) == []


def test_the_blob_reader_keeps_bytes_and_odd_names(repo: Repo) -> None:
    names = ['with space.txt', 'ünïcode/ファイル.txt', 'trailing space ', 'tab\there', 'line\nbreak.txt',
             '-leading-dash', 'quote".txt']
    data = bytes(range(256)) * 300 + b'\r\n\0end'
    for n, name in enumerate(names):
        repo.write(name, data + str(n).encode())
    repo.write('big.bin', data * 40)
    head = repo.commit()
    read = git.blob_reader(git.open_repo(repo.root), head)
    for n, name in enumerate(names):
        assert read([name]) == [data + str(n).encode()], name
    assert read(['big.bin', *names, 'big.bin']) == [data * 40, *(data + str(n).encode() for n in range(len(names))),
                                                    data * 40]


def test_many_files_read_together(repo: Repo) -> None:
    names = [f'dir{n % 7}/{"long-name-" * 20}{n}.txt' for n in range(600)]  # more than a pipe holds
    for name in names:
        repo.write(name, f'{name}\n' * 50)
    head = repo.commit()
    read = git.blob_reader(git.open_repo(repo.root), head)
    assert read(names + ['missing']) == [f'{name}\n'.encode() * 50 for name in names] + [None]


def test_the_blob_reader_s_process_ends_with_it(repo: Repo) -> None:
    repo.write('a.txt', 'a\n')
    head = repo.commit()
    gc.collect()
    before = _batches()
    read = git.blob_reader(git.open_repo(repo.root), head)
    assert read(['a.txt']) == [b'a\n']
    [pid] = _batches() - before
    del read  # no reference cycle: it ends at once
    assert _state(pid) == 'gone'


def _batches() -> set[int]:
    """The `git cat-file --batch` processes this one started and has not reaped."""
    return {int(p) for p in os.listdir('/proc') if p.isdigit() and _is_batch(int(p), os.getpid())}


def _is_batch(pid: int, parent: int) -> bool:
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
        cmdline = Path(f'/proc/{pid}/cmdline').read_bytes()
    except OSError:
        return False
    return int(stat.rpartition(')')[2].split()[1]) == parent and b'cat-file\0--batch' in cmdline


def _state(pid: int) -> str:
    try:
        return Path(f'/proc/{pid}/stat').read_text().rpartition(')')[2].split()[0]
    except OSError:
        return 'gone'


def test_notes_are_read_and_written(repo: Repo) -> None:
    repo.write('a.txt', 'a\n')
    head = repo.commit()
    found = git.open_repo(repo.root)
    assert git.note(found, head) == ''
    git.set_note(found, head, '{"version": 1}\n')
    assert git.notes(found, [head]) == [(head, '{"version": 1}\n')]


def test_init_stage_and_commit(tmp_path: Path) -> None:
    made = git.init(tmp_path / 'new')
    (tmp_path / 'new' / 'a.txt').write_text('a\n')
    git.stage_all(made)
    sha = git.commit(made, 'first')
    assert git.tracked_files(made, sha) == frozenset({'a.txt'})
    assert git.tracked_files(made, None) == frozenset({'a.txt'})
    assert git.blob(made, sha, 'a.txt') == b'a\n'
