"""What a push sends: the refs git names to its pre-push hook, the commits of each, their notes.

git runs a pre-push hook with the remote's name and URL as arguments and one line
per ref on standard input: `<local ref> <local sha> <remote ref> <remote sha>`
(githooks(5)). pre-commit reads those lines itself and passes its hooks only the
first ref (its variables PRE_COMMIT_FROM_REF, ...; pre-commit/pre-commit#1908,
"multiple branches isn't really solvable"); so under pre-commit the `git push`
command line, which Linux shows in /proc, says whether the push names more.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import NamedTuple

from findings_gate import git
from findings_gate.errors import GateError, shown


class Update(NamedTuple):
    """One line git writes to a pre-push hook."""
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


class Pushed(NamedTuple):
    """A pushed ref and the commits it sends: from `start` (None: a new history) to `end`."""
    local_ref: str
    remote_ref: str
    start: str | None
    end: str


def _zero(sha: str) -> bool:
    return set(sha) == {'0'}


def updates(text: str) -> list[Update]:
    """The lines git wrote to the hook's standard input."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = line.rsplit(maxsplit=3)
        if len(parts) != 4:
            raise GateError(f'standard input:{n}: {shown(line)!r} is not a line git gives a pre-push hook '
                            f'(<local ref> <local sha> <remote ref> <remote sha>); run --pre-push REMOTE '
                            f'only as git\'s pre-push hook')
        found.append(Update(*parts))
    return found


def holds_notes(ref: str) -> bool:
    """A notes ref holds reviews, not code: nothing of it to gate."""
    return ref.startswith('refs/notes/')


def ranges(repo: git.Repo, remote: str, pushed: Sequence[Update]) -> list[Pushed]:
    """The commits each pushed ref sends, as pre-commit works them out for its one ref: from the
    remote's commit when this repository has it, else from the parent of the first commit no
    remote-tracking ref of `remote` has. Deletions, notes and refs that send nothing are left out."""
    found = []
    for update in pushed:
        if _zero(update.local_sha) or holds_notes(update.local_ref) or holds_notes(update.remote_ref):
            continue
        if not _zero(update.remote_sha) and git.has_commit(repo, update.remote_sha):
            found.append(Pushed(update.local_ref, update.remote_ref, update.remote_sha, update.local_sha))
            continue
        new = git.rev_list(repo, update.local_sha, '--topo-order', '--reverse', '--not', f'--remotes={remote}')
        if new:
            found.append(Pushed(update.local_ref, update.remote_ref, git.first_parent(repo, new[0]),
                                update.local_sha))
    return found


# git's options before its command that take the next argument; and `git push`'s
_GIT_VALUED = ('-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix')
_PUSH_VALUED = ('--repo', '--receive-pack', '--exec', '--push-option', '--recurse-submodules')
_EVERY = ('--all', '--branches', '--mirror', '--tags')  # many refs at once


def _push_arguments(argv: Sequence[str]) -> list[str] | None:
    """The arguments after `push` of a git command line; None when it is not `git push`."""
    if not argv or os.path.basename(argv[0]) not in ('git', 'git.exe'):
        return None
    i = 1
    while i < len(argv) and argv[i].startswith('-'):
        i += 2 if argv[i] in _GIT_VALUED else 1
    return list(argv[i + 1:]) if i < len(argv) and argv[i] == 'push' else None


def named(argv: Sequence[str], configured: Callable[[str], list[str]]) -> list[str] | None:
    """The refs a `git push` command line pushes, as written (an option such as --all standing
    for many); None when `argv` is not `git push`. `configured(key)`: git's values of a setting,
    for a push that names no ref (remote.<name>.push, push.default)."""
    arguments = _push_arguments(argv)
    if arguments is None:
        return None
    positional, every, deleting = [], [], False
    i = 0
    while i < len(arguments):
        word = arguments[i]
        if word == '--':
            positional += arguments[i + 1:]
            break
        if word in _EVERY:
            every.append(word)
        elif word in ('-d', '--delete'):
            deleting = True
        elif word in _PUSH_VALUED or (word.startswith('-') and not word.startswith('--') and word.endswith('o')):
            i += 1  # its value follows
        elif not word.startswith('-'):
            positional.append(word)
        i += 1
    if every:
        return every
    refs = [r for r in positional[1:] if not deleting and not r.startswith(':')]
    if positional[1:]:
        return refs if not any('*' in r for r in refs) else refs + ['(a pattern)']
    remote = positional[0] if positional else 'origin'
    refs = configured(f'remote.{remote}.push')
    if refs:
        return refs if len(refs) > 1 or '*' not in refs[0] else refs + ['(a pattern)']
    return ['--all'] if configured('push.default')[-1:] == ['matching'] else ['(the current branch)']


def command_line() -> list[str] | None:
    """The command line of the nearest `git` process above this one; None where the system does
    not show it (only Linux's /proc is read) or there is none within a few levels."""
    pid = os.getppid()
    for _ in range(4):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                argv = [a.decode('utf-8', 'surrogateescape') for a in f.read().split(b'\0')[:-1]]
            with open(f'/proc/{pid}/status', encoding='utf-8', errors='replace') as f:
                parent = next((int(line.split()[1]) for line in f if line.startswith('PPid:')), 0)
        except (OSError, ValueError):
            return None
        if argv and os.path.basename(argv[0]) in ('git', 'git.exe'):
            return argv
        if parent <= 1:
            return None
        pid = parent
    return None


def unshared(repo: git.Repo, remote: str, commits: Sequence[str], ref: str) -> list[str] | None:
    """The pushed commits whose notes under `ref` the remote does not have (not at all, or not
    the same); None when the remote cannot be asked."""
    local = git.noted(repo, ref)
    noted = [c for c in commits if c in local]
    if not noted:
        return []
    full = git.notes_ref(repo, ref)
    try:
        theirs = git.remote_ref(repo, remote, full)
    except GateError:
        return None
    if theirs is None:
        return noted
    if theirs == git.resolve_ref(repo, full):
        return []
    there = git.notes_at(repo, theirs) if git.has_commit(repo, theirs) else {}
    return [c for c in noted if there.get(c) != local[c]]
