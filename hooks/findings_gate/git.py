"""The only module that runs git. Each function is one git call, or a few.

git runs as a subprocess, without GitPython: importing GitPython took 48 ms of
the 60 ms a pre-commit run may take (`python -X importtime`, bench/run.py), and
the gate needs nothing from it that one git call does not give.
"""
from __future__ import annotations

import os
import subprocess
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from findings_gate.errors import GateError

NOTES_REF = 'refs/notes/reviews'

# the user's configuration must not change what the gate reads
_NEUTRAL = (
    '-c', 'core.quotepath=false', '-c', 'diff.noprefix=false',
    '-c', 'diff.mnemonicprefix=false', '-c', 'diff.relative=false',
)
_PIPE_BYTES = 16384  # what a pipe surely holds: requests to git cat-file --batch are sent in parts this size
_DIFF = (
    'diff', '--no-color', '--no-ext-diff', '--no-textconv',
    '--src-prefix=a/', '--dst-prefix=b/', '-M', '-C', '-U0', '--submodule=short',
)


class Repo(NamedTuple):
    """A repository as git found it."""
    git_dir: Path
    work_tree: Path | None  # None for a bare repository

    @property
    def cwd(self) -> Path:
        return self.work_tree or self.git_dir


def _environ() -> dict[str, str]:
    # git's messages in English, whatever the locale: they are quoted in errors
    return {**os.environ, 'LANGUAGE': 'C', 'LC_ALL': 'C'}


def _call(cwd: str | Path, args: tuple[str, ...], stdin: bytes | None = None) -> tuple[int, bytes, bytes]:
    try:
        done = subprocess.run(
            ('git', *_NEUTRAL, *args), cwd=cwd, input=stdin, capture_output=True, env=_environ(),
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GateError('git is not installed or not on PATH; install git') from None
    except OSError as e:
        raise GateError(f'cannot run git: {e.strerror}; check the git on PATH') from None
    return done.returncode, done.stdout, done.stderr


def open_repo(path: str | Path = '.') -> Repo:
    """The repository `path` is in (git's own search: parent directories, GIT_DIR, worktrees)."""
    # git's own answer, not a search of our own: git alone knows core.bare and core.worktree
    # (from any included file), safe.directory, GIT_DIR and the ceiling directories
    where = os.path.abspath(path)
    if not os.path.isdir(where):
        code, out = 1, b''
    else:
        code, out, _ = _call(where, ('rev-parse', '--absolute-git-dir', '--is-bare-repository', '--show-cdup'))
    if code != 0:
        raise GateError(f'{where}: not a git repository; run inside one')
    # --show-cdup prints a line, empty at the top, only inside a work tree
    lines = out.decode('utf-8', 'surrogateescape').split('\n')
    git_dir, work_tree = Path(lines[0]), None
    if len(lines) > 3:
        work_tree = Path(os.path.normpath(os.path.join(where, lines[2])))
    elif lines[1] != 'true' and git_dir.name == '.git':  # run inside .git
        work_tree = git_dir.parent
    return Repo(git_dir, work_tree)


def root(repo: Repo) -> Path:
    if repo.work_tree is None:
        raise GateError(f'{repo.git_dir}: a bare repository has no work tree; run in a clone')
    return repo.work_tree


def _run(repo: Repo, *args: str, stdin: bytes | None = None) -> str:
    code, out, err = _call(repo.cwd, args, stdin)
    if code != 0:
        raise GateError(f'git {args[0]} failed: {_reason(err, code)}')
    return out.decode('utf-8', 'surrogateescape')


def _reason(stderr: bytes, code: int) -> str:
    """The last line git wrote to stderr."""
    lines = [line.strip() for line in stderr.decode('utf-8', 'replace').splitlines() if line.strip()]
    return lines[-1] if lines else f'exit status {code}'


def resolve(repo: Repo, ref: str) -> str:
    """The commit id a ref names, or a GateError saying it names none."""
    try:
        return _run(repo, 'rev-parse', '--verify', '--end-of-options', f'{ref}^{{commit}}').strip()
    except GateError:
        if _call(repo.cwd, ('rev-list', '-n', '1', '--all'))[1].strip() == b'':
            raise GateError(f'{ref!r}: the repository has no commits yet; commit first, or gate the '
                            f'staged change (findings-gate check)') from None
        raise GateError(f'{ref!r}: unknown revision; fetch it or check the name') from None


def merge_base(repo: Repo, a: str, b: str) -> str | None:
    try:
        return _run(repo, 'merge-base', a, b).strip()
    except GateError:
        return None


def empty_tree(repo: Repo) -> str:
    return _run(repo, 'hash-object', '-t', 'tree', os.devnull).strip()


def diff_staged(repo: Repo) -> str:
    return _run(repo, *_DIFF, '--cached')


def diff_range(repo: Repo, base: str, head: str) -> str:
    return _run(repo, *_DIFF, base, head, '--')


def patch(repo: Repo, base: str, head: str, context: int) -> str:
    """The diff from `base` to `head` as a reviewer reads it: `context` lines around each change."""
    return _run(repo, *(f'-U{context}' if arg == '-U0' else arg for arg in _DIFF), base, head, '--')


def diff_to_index(repo: Repo, revision: str) -> str:
    return _run(repo, *_DIFF, '--cached', revision, '--')


def blob(repo: Repo, revision: str, path: str) -> bytes:
    """The content of `path` in a commit (revision '': the index)."""
    code, out, err = _call(repo.cwd, ('cat-file', 'blob', f'{revision}:{path}'))
    if code != 0:
        raise GateError(f'git cat-file failed: {_reason(err, code)}')
    return out


def blob_reader(repo: Repo, revision: str | None) -> Callable[[Sequence[str]], list[bytes | None]]:
    """A function that reads files of a commit (None: the index), all through one
    `git cat-file --batch`: the content of each path asked for, or None where there
    is no file (missing, a directory, a submodule). Paths asked for together go in
    one exchange with git, not one each (5,000 files: 0.7 s one by one). The process
    ends when the function is garbage collected, or at exit.
    """
    prefix = (revision or '').encode() + b':'
    try:  # started now, so that git starts up while the reports are read
        proc = subprocess.Popen(
            ('git', *_NEUTRAL, 'cat-file', '--batch'), cwd=repo.cwd, env=_environ(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GateError('git is not installed or not on PATH; install git') from None
    except OSError as e:
        raise GateError(f'cannot run git: {e.strerror}; check the git on PATH') from None
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def answer() -> bytes | None:
        header = stdout.readline().split()
        if len(header) != 3:  # `<name> missing`, `ambiguous`
            if not header:
                raise GateError('git cat-file --batch stopped')
            return None
        data = stdout.read(int(header[2]) + 1)[:-1]
        return data if header[1] == b'blob' else None

    def exchange(names: list[bytes]) -> list[bytes | None]:
        # requests that fit in a pipe's buffer, then their answers: neither side waits on the other
        try:
            stdin.write(b''.join(prefix + name + b'\n' for name in names))
            stdin.flush()
            return [answer() for _ in names]
        except (OSError, ValueError):
            raise GateError('git cat-file --batch stopped') from None

    def read(paths: Sequence[str]) -> list[bytes | None]:
        found: dict[int, bytes | None] = {}
        names: list[bytes] = []
        asked: list[int] = []
        size = 0
        for i, path in enumerate(paths):
            name = path.encode('utf-8', 'surrogateescape')
            if b'\n' in name or name.endswith(b'\r'):  # the batch protocol is one name a line
                try:
                    found[i] = blob(repo, revision or '', path)
                except GateError:
                    found[i] = None
                continue
            names.append(name)
            asked.append(i)
            size += len(prefix) + len(name) + 1
            if size > _PIPE_BYTES:
                found.update(zip(asked, exchange(names)))
                names, asked, size = [], [], 0
        if names:
            found.update(zip(asked, exchange(names)))
        return [found[i] for i in range(len(paths))]

    weakref.finalize(read, _stop, proc)
    return read


def _stop(proc: subprocess.Popen[bytes]) -> None:
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.close()
    except OSError:
        pass
    proc.stdout.close()
    proc.wait()


def grep(repo: Repo, revision: str | None, pattern: str) -> list[str]:
    """Paths of a commit (None: the index) with a line matching the POSIX extended regex."""
    where = [revision, '--'] if revision else ['--cached', '--']
    try:
        out = _run(repo, 'grep', '-l', '-I', '-E', '-e', pattern, *where)
    except GateError:
        return []  # git grep exits 1 when nothing matches
    prefix = f'{revision}:' if revision else ''
    return [line.removeprefix(prefix) for line in out.splitlines() if line]


def tracked_files(repo: Repo, revision: str | None) -> frozenset[str]:
    """Paths in the index (revision None) or in a commit's tree."""
    if revision is None:
        out = _run(repo, 'ls-files', '-z')
    else:
        out = _run(repo, 'ls-tree', '-r', '-z', '--name-only', revision)
    return frozenset(out.split('\0')) - {''}


def commits(repo: Repo, base: str | None, head: str) -> list[str]:
    """The commits of a change, oldest first."""
    span = head if base is None else f'{base}..{head}'
    return _run(repo, 'rev-list', '--reverse', span).split()


def noted(repo: Repo, ref: str = NOTES_REF) -> dict[str, str]:
    """Every commit that has a note under `ref`, and the note's blob."""
    found = {}
    for line in _run(repo, 'notes', f'--ref={ref}', 'list').splitlines():
        blob, _, commit = line.partition(' ')
        found[commit] = blob
    return found


def notes(repo: Repo, shas: list[str], ref: str = NOTES_REF,
          among: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(commit, note text) for each of `shas` that has a note under `ref` (or in `among`, from `noted`)."""
    blobs = noted(repo, ref) if among is None else among
    return [(sha, _run(repo, 'cat-file', 'blob', blobs[sha])) for sha in shas if sha in blobs]


def note(repo: Repo, sha: str, ref: str = NOTES_REF) -> str:
    return ''.join(text for _, text in notes(repo, [sha], ref))


def set_note(repo: Repo, sha: str, text: str, ref: str = NOTES_REF) -> None:
    _run(repo, 'notes', f'--ref={ref}', 'add', '-f', '-F', '-', sha, stdin=text.encode())


_ATTEMPTS = 30  # of a compare-and-swap of the notes ref that others keep moving


def update_note(repo: Repo, sha: str, edit: Callable[[str], str | None], ref: str = NOTES_REF) -> str:
    """Set the note on `sha` to `edit(the note now)` ('' for none; None from `edit`: leave it), and
    return what the note holds then.

    `git notes add` moves the ref without checking that no one else moved it
    since it read it: of 8 writers at once, 3 to 5 kept their note. So the new
    notes commit is made on a scratch ref from the ref's value, and the ref moves
    to it only if it still has that value (`git update-ref REF NEW OLD`);
    otherwise the edit starts again from the new value.
    """
    import random
    import time

    full = notes_ref(repo, ref)
    scratch = f'refs/notes/findings-gate-scratch/{os.getpid()}-{random.randrange(1 << 32):08x}'
    for attempt in range(_ATTEMPTS):
        old = resolve_ref(repo, full)
        try:
            text = ''
            if old is not None:
                _run(repo, 'update-ref', '--no-deref', scratch, old)
                text = note(repo, sha, scratch)
            new_text = edit(text)
            if new_text is None:
                return text
            set_note(repo, sha, new_text, scratch)
            new = _run(repo, 'rev-parse', '--verify', scratch).strip()
        finally:
            _call(repo.cwd, ('update-ref', '--no-deref', '-d', scratch))
        code, _, _ = _call(repo.cwd, ('update-ref', '--no-deref', '-m', 'findings-gate attach', full, new, old or ''))
        if code == 0:
            return new_text
        time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))  # someone else moved it: after them
    raise GateError(f'{full} kept changing while the note was written ({_ATTEMPTS} tries); '
                    f'nothing was attached; attach it again')


def notes_ref(repo: Repo, ref: str) -> str:
    """The full name git gives a notes ref (`reviews` is refs/notes/reviews)."""
    return _run(repo, 'notes', f'--ref={ref}', 'get-ref').strip()


def resolve_ref(repo: Repo, ref: str) -> str | None:
    """The commit a ref names; None when there is no such ref."""
    code, out, _ = _call(repo.cwd, ('rev-parse', '--verify', '--quiet', f'{ref}^{{commit}}'))
    return out.decode().strip() if code == 0 else None


def default_base(repo: Repo) -> tuple[str, str]:
    """The ref a branch is gated against when none is named (`--base auto`), and which one it is:
    the current branch's upstream, else origin/HEAD, else the default branch (init.defaultBranch,
    main, master)."""
    code, out, _ = _call(repo.cwd, ('rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}'))
    if code == 0 and out.strip():
        return out.decode('utf-8', 'surrogateescape').strip(), 'the upstream of the current branch'
    code, out, _ = _call(repo.cwd, ('symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'))
    if code == 0 and out.strip():
        return out.decode('utf-8', 'surrogateescape').strip(), 'origin/HEAD'
    for name in (*settings(repo, 'init.defaultBranch'), 'main', 'master'):
        if resolve_ref(repo, f'refs/heads/{name}') is not None:
            return name, 'the default branch'
    raise GateError('--base auto: the current branch has no upstream, origin/HEAD is not set, and there is no '
                    'main or master branch; pass --base REF, or set an upstream (git branch --set-upstream-to)')


def has_commit(repo: Repo, sha: str) -> bool:
    return _call(repo.cwd, ('cat-file', '-e', f'{sha}^{{commit}}'))[0] == 0


def rev_list(repo: Repo, *args: str) -> list[str]:
    return _run(repo, 'rev-list', *args, '--').split()


def settings(repo: Repo, key: str) -> list[str]:
    """Every value of a (multi-valued) git setting, from all of git's configuration files."""
    code, out, _ = _call(repo.cwd, ('config', '--get-all', key))
    return out.decode('utf-8', 'surrogateescape').splitlines() if code == 0 else []


def remote_ref(repo: Repo, remote: str, ref: str) -> str | None:
    """The commit `ref` names on the remote (`git ls-remote`); None when it has no such ref."""
    out = _run(repo, 'ls-remote', '--refs', remote, ref)
    return next((line.split('\t')[0] for line in out.splitlines() if line.endswith(f'\t{ref}')), None)


def notes_at(repo: Repo, commit: str) -> dict[str, str]:
    """The notes of a commit of a notes ref: each noted object, and its note's blob."""
    found = {}
    for entry in _run(repo, 'ls-tree', '-r', '-z', commit).split('\0'):
        meta, _, path = entry.partition('\t')
        if path:
            found[path.replace('/', '')] = meta.split()[2]
    return found


def first_parent(repo: Repo, sha: str) -> str | None:
    """The commit's first parent; None for a root commit."""
    code, out, _ = _call(repo.cwd, ('rev-parse', '--verify', '--quiet', f'{sha}^1'))
    return out.decode().strip() if code == 0 else None


def unmerged(repo: Repo, shas: Sequence[str], *exclude: str) -> set[str]:
    """Those of `shas` the repository has and none of `exclude` (commits) reaches."""
    if not shas:
        return set()
    wanted = '\n'.join([*shas, *(f'^{e}' for e in exclude)]) + '\n'
    out = _run(repo, 'rev-list', '--ignore-missing', '--stdin', stdin=wanted.encode())
    return set(shas) & set(out.split())


def patch_ids(repo: Repo, shas: Sequence[str]) -> dict[str, str]:
    """`git patch-id --stable` of each commit's own diff (from its first parent): the same for a
    commit amended without changing its patch, or rebased. Merges have none."""
    if not shas:
        return {}
    diffs = _call(repo.cwd, ('diff-tree', '--stdin', '--root', '-p', '--no-color', '--no-ext-diff',
                             '--no-textconv', '--full-index', '--binary', '-M'),
                  ('\n'.join(shas) + '\n').encode())
    if diffs[0] != 0:
        raise GateError(f'git diff-tree failed: {_reason(diffs[2], diffs[0])}')
    code, out, err = _call(repo.cwd, ('patch-id', '--stable'), diffs[1])
    if code != 0:
        raise GateError(f'git patch-id failed: {_reason(err, code)}')
    found = {}
    for line in out.decode().splitlines():
        patch, _, commit = line.partition(' ')
        found[commit] = patch
    return found


def add_config(repo: Repo, key: str, value: str) -> bool:
    """Add `value` to the repository's multi-valued setting `key`; False when it has it already."""
    code, out, _ = _call(repo.cwd, ('config', '--local', '--get-all', key))
    if value in out.decode('utf-8', 'surrogateescape').splitlines():
        return False
    _run(repo, 'config', '--local', '--add', key, value)
    return True


def init(path: Path) -> Repo:
    """A new repository with a local identity (for the demo)."""
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path / '.git', path)
    _run(repo, 'init', '-q', '--initial-branch=main')
    for key, value in (('user.name', 'findings-gate demo'), ('user.email', 'demo@findings-gate.invalid'),
                       ('commit.gpgsign', 'false')):
        _run(repo, 'config', key, value)
    return repo


def stage_all(repo: Repo) -> None:
    _run(repo, 'add', '-A')


def commit(repo: Repo, message: str) -> str:
    _run(repo, 'commit', '-q', '--no-verify', '-m', message)
    return resolve(repo, 'HEAD')


def history(repo: Repo, revisions: Sequence[str], since: str | None = None) -> list[tuple[str, tuple[str, ...], str]]:
    """(commit, parents, subject) of every first-parent commit the revisions name, oldest first."""
    args = ['log', '--first-parent', '--reverse', '--format=%H %P%x00%s', *([f'--since={since}'] if since else []),
            '--end-of-options', *revisions, '--']
    found = []
    for line in _run(repo, *args).splitlines():
        ids, _, subject = line.partition('\0')
        commit, *parents = ids.split()
        found.append((commit, tuple(parents), subject))
    return found


def graph(repo: Repo, revisions: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The parents of every commit the revisions name."""
    found = {}
    for line in _run(repo, 'rev-list', '--parents', '--end-of-options', *revisions, '--').splitlines():
        commit, *parents = line.split()
        found[commit] = tuple(parents)
    return found


def first_parent_patches(repo: Repo, revisions: Sequence[str]) -> dict[str, str]:
    """Each first-parent commit's diff against its first parent (a root commit's: its whole tree),
    all from one `git log`."""
    out = _run(repo, 'log', '--first-parent', '--diff-merges=first-parent', '--root', '--format=%x00%H',
               *_DIFF[1:], '--end-of-options', *revisions, '--')
    found = {}
    for part in out.split('\0')[1:]:
        commit, _, patch = part.partition('\n')
        found[commit] = patch
    return found


def object_ids(repo: Repo, names: Sequence[str]) -> list[str | None]:
    """The object id each name (`<commit>:<path>`) gives, None where there is none; one
    `git cat-file --batch-check` for all."""
    asked = [name for name in names if '\n' not in name]
    out = _run(repo, 'cat-file', '--batch-check', stdin=''.join(f'{n}\n' for n in asked).encode(
        'utf-8', 'surrogateescape')) if asked else ''
    answers = iter(out.splitlines())
    found = []
    for name in names:
        header = next(answers).split() if '\n' not in name else []
        found.append(header[0] if len(header) == 3 else None)
    return found


def objects(repo: Repo, ids: Sequence[str]) -> dict[str, bytes]:
    """The content of each blob id, read once, all through one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    code, out, err = _call(repo.cwd, ('cat-file', '--batch'), ''.join(f'{i}\n' for i in wanted).encode())
    if code != 0:
        raise GateError(f'git cat-file failed: {_reason(err, code)}')
    found, at = {}, 0
    for oid in wanted:
        end = out.index(b'\n', at)
        header = out[at:end].split()
        at = end + 1
        if len(header) != 3:
            continue
        size = int(header[2])
        if header[1] == b'blob':
            found[oid] = out[at:at + size]
        at += size + 1
    return found


def tree_files(repo: Repo, tree: str) -> list[tuple[str, str]]:
    """(blob id, path) of every file under a tree, recursively."""
    found = []
    for entry in _run(repo, 'ls-tree', '-r', '-z', tree).split('\0'):
        meta, _, path = entry.partition('\t')
        parts = meta.split()
        if len(parts) == 3 and parts[1] == 'blob':
            found.append((parts[2], path))
    return found
