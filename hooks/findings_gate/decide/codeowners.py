"""A CODEOWNERS file as GitHub reads it: who owns each path (`require` with `reviewer: codeowners`).

GitHub's rules (docs.github.com, "About code owners"): the file is the first of
.github/CODEOWNERS, CODEOWNERS and docs/CODEOWNERS; each line is a pattern and
its owners (@user, @org/team, an email); `#` starts a comment; the last line
whose pattern matches a path decides its owners, and a line with no owners
leaves the path unowned. Patterns are .gitignore's (pathspec's gitwildmatch:
a pattern without a slash matches at any depth, a leading slash anchors it, a
trailing slash matches a directory's files at any depth, `*` does not cross
`/`), with GitHub's differences: a pattern ending in `/*` matches the files
directly in that directory, not those nested deeper; and `!` negation and `[ ]`
ranges are not supported (GitHub skips such a line; here it is an error, so
that no owner is lost unseen).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from findings_gate.decide.rules import path_spec
from findings_gate.errors import GateError

# where GitHub looks, in its order: the first found is the one
LOCATIONS = ('.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS')


class Line(NamedTuple):
    pattern: str
    matches: Callable[[str], bool]
    owners: tuple[str, ...]  # empty: the paths it matches have no owner


class Owners(NamedTuple):
    origin: str  # where the file was read from
    lines: tuple[Line, ...]


def _matcher(pattern: str, origin: str, number: int) -> Callable[[str], bool]:
    if pattern.startswith('!') or '[' in pattern.replace('\\[', ''):
        raise GateError(f'{origin}:{number}: {pattern!r}: GitHub supports no {"!" if pattern[0] == "!" else "[ ]"} '
                        f'in a CODEOWNERS pattern and skips the line; write the paths out')
    try:
        spec = path_spec([pattern])
    except GateError:
        raise GateError(f'{origin}:{number}: {pattern!r} is not a pattern GitHub accepts; '
                        f'write it as in .gitignore') from None
    if not pattern.endswith('/*'):
        return lambda path: bool(spec.match_file(path))

    def direct(path: str) -> bool:  # `docs/*`: docs/a.md, not docs/a/b.md (whose directory docs/a matches)
        return bool(spec.match_file(path)) and not spec.match_file(path.rpartition('/')[0])

    return direct


def parse(text: str, origin: str) -> Owners:
    """The file's lines in order, or a GateError naming each line GitHub would skip."""
    lines, problems = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split('#', 1)[0].split() if not raw.lstrip().startswith('\\#') else raw.split()
        if not words:
            continue
        try:
            lines.append(Line(words[0], _matcher(words[0], origin, number), tuple(words[1:])))
        except GateError as e:
            problems.append(str(e))
    if problems:
        raise GateError('\n'.join(problems))
    return Owners(origin, tuple(lines))


def owners_of(owners: Owners, path: str) -> tuple[str, ...]:
    """The owners the last matching line gives `path`; empty when it is unowned."""
    for line in reversed(owners.lines):
        if line.matches(path):
            return line.owners
    return ()


def owns(owners: tuple[str, ...], reviewer: str) -> bool:
    """Whether a reviewer's name is one of the owners (`@alice` and `alice` alike; a team by its name)."""
    return reviewer in owners or f'@{reviewer}' in owners
