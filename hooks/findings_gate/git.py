"""The only module that runs git. Each function is one git call, or a few."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from findings_gate.errors import GateError

if TYPE_CHECKING:
    import git

NOTES_REF = 'refs/notes/reviews'

# the user's configuration must not change what the gate reads
_NEUTRAL = (
    '-c', 'core.quotepath=false', '-c', 'diff.noprefix=false',
    '-c', 'diff.mnemonicprefix=false', '-c', 'diff.relative=false',
)
_DIFF = (
    'diff', '--no-color', '--no-ext-diff', '--no-textconv',
    '--src-prefix=a/', '--dst-prefix=b/', '-M', '-C', '-U0', '--submodule=short',
)


def _gitpython() -> Any:
    """GitPython, or a GateError when it finds no git to run (it refuses to import then)."""
    try:
        import git
    except ImportError as e:
        if 'git executable' not in str(e):
            raise
        raise GateError('git is not installed or not on PATH; install git, or set '
                        'GIT_PYTHON_GIT_EXECUTABLE to the git program') from None
    return git


def open_repo(path: str | Path = '.') -> git.Repo:
    git = _gitpython()
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GateError(
            f'{os.path.abspath(path)}: not a git repository; '
            f'run inside one, or pass --diff-file',
        ) from None


def root(repo: git.Repo) -> Path:
    if repo.working_tree_dir is None:
        raise GateError(f'{repo.git_dir}: a bare repository has no work tree; run in a clone')
    return Path(repo.working_tree_dir)


def _run(repo: git.Repo, *args: str, stdin: bytes | None = None) -> str:
    import git

    try:
        out: bytes = repo.git.execute(
            ['git', *_NEUTRAL, *args], istream=None if stdin is None else _pipe(stdin),
            stdout_as_string=False, strip_newline_in_stdout=False,
        )
    except git.GitCommandError as e:
        raise GateError(f'git {args[0]} failed: {_reason(e)}') from None
    return out.decode('utf-8', 'surrogateescape')


def _reason(error: git.GitCommandError) -> str:
    """The last line git wrote to stderr, without GitPython's decoration."""
    stderr = str(error.stderr or '').strip().removeprefix("stderr: '").removesuffix("'")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f'exit status {error.status}'


def _pipe(data: bytes) -> BinaryIO:
    import tempfile

    handle = tempfile.TemporaryFile()
    handle.write(data)
    handle.seek(0)
    return handle  # type: ignore[return-value]


def resolve(repo: git.Repo, ref: str) -> str:
    """The commit id a ref names, or a GateError saying it names none."""
    import git

    try:
        return repo.git.rev_parse('--verify', '--end-of-options', f'{ref}^{{commit}}')
    except git.GitCommandError:
        raise GateError(f'{ref!r}: unknown revision; fetch it or check the name') from None


def merge_base(repo: git.Repo, a: str, b: str) -> str | None:
    import git

    try:
        return repo.git.merge_base(a, b)
    except git.GitCommandError:
        return None


def empty_tree(repo: git.Repo) -> str:
    return repo.git.hash_object('-t', 'tree', os.devnull)


def diff_staged(repo: git.Repo) -> str:
    return _run(repo, *_DIFF, '--cached')


def diff_range(repo: git.Repo, base: str, head: str) -> str:
    return _run(repo, *_DIFF, base, head, '--')


def diff_to_index(repo: git.Repo, revision: str) -> str:
    return _run(repo, *_DIFF, '--cached', revision, '--')


def blob(repo: git.Repo, revision: str, path: str) -> bytes:
    """The content of `path` in a commit."""
    import git

    try:
        out: bytes = repo.git.execute(
            ['git', 'cat-file', 'blob', f'{revision}:{path}'],
            stdout_as_string=False, strip_newline_in_stdout=False,
        )
    except git.GitCommandError as e:
        raise GateError(f'git cat-file failed: {_reason(e)}') from None
    return out


def grep(repo: git.Repo, revision: str | None, pattern: str) -> list[str]:
    """Paths of a commit (None: the index) with a line matching the POSIX extended regex."""
    where = [revision, '--'] if revision else ['--cached', '--']
    try:
        out = _run(repo, 'grep', '-l', '-I', '-E', '-e', pattern, *where)
    except GateError:
        return []  # git grep exits 1 when nothing matches
    prefix = f'{revision}:' if revision else ''
    return [line.removeprefix(prefix) for line in out.splitlines() if line]


def tracked_files(repo: git.Repo, revision: str | None) -> frozenset[str]:
    """Paths in the index (revision None) or in a commit's tree."""
    if revision is None:
        out = _run(repo, 'ls-files', '-z')
    else:
        out = _run(repo, 'ls-tree', '-r', '-z', '--name-only', revision)
    return frozenset(out.split('\0')) - {''}


def commits(repo: git.Repo, base: str | None, head: str) -> list[str]:
    """The commits of a change, oldest first."""
    span = head if base is None else f'{base}..{head}'
    return _run(repo, 'rev-list', '--reverse', span).split()


def notes(repo: git.Repo, shas: list[str], ref: str = NOTES_REF) -> list[tuple[str, str]]:
    """(commit, note text) for each of `shas` that has a note under `ref`."""
    wanted = set(shas)
    found = []
    for line in _run(repo, 'notes', f'--ref={ref}', 'list').splitlines():
        blob, _, commit = line.partition(' ')
        if commit in wanted:
            found.append((commit, blob))
    order = {sha: i for i, sha in enumerate(shas)}
    found.sort(key=lambda pair: order[pair[0]])
    return [(commit, _run(repo, 'cat-file', 'blob', blob)) for commit, blob in found]


def note(repo: git.Repo, sha: str, ref: str = NOTES_REF) -> str:
    return ''.join(text for _, text in notes(repo, [sha], ref))


def set_note(repo: git.Repo, sha: str, text: str, ref: str = NOTES_REF) -> None:
    _run(repo, 'notes', f'--ref={ref}', 'add', '-f', '-F', '-', sha, stdin=text.encode())


def init(path: Path) -> git.Repo:
    """A new repository with a local identity (for the demo)."""
    git = _gitpython()
    repo = git.Repo.init(path, initial_branch='main')
    with repo.config_writer() as config:
        config.set_value('user', 'name', 'findings-gate demo')
        config.set_value('user', 'email', 'demo@findings-gate.invalid')
        config.set_value('commit', 'gpgsign', 'false')
    return repo


def stage_all(repo: git.Repo) -> None:
    _run(repo, 'add', '-A')


def commit(repo: git.Repo, message: str) -> str:
    _run(repo, 'commit', '-q', '--no-verify', '-m', message)
    return resolve(repo, 'HEAD')
