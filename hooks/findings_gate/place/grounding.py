"""Check what a finding claims against the code: its file, its symbol, its lines, its CWE ids.

A review may name the wrong file, an approximate line, a symbol that lives
elsewhere, or a CWE id with another weakness's name. Each finding gets a Spot:
where it really is, and a Grounding record that says how much of the claim held.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from findings_gate.model import Finding, Grounding, LineRange, Report
from findings_gate.place import symbols
from findings_gate.place.paths import NO_MAP, PathMap, mapped, nfc, normalise, root_hint
from findings_gate.place.symbols import Definition

NEAR = 20  # lines a review's line numbers may be off from the symbol it names


def _no_prefetch(paths: Iterable[str]) -> None:
    pass


class Code(NamedTuple):
    """The repository at the revision being gated, behind three lookups."""
    files: Callable[[], frozenset[str]]  # every path
    read: Callable[[str], str | None]  # a file's text; None when missing or binary
    search: Callable[[str], list[str]]  # paths with a line matching a POSIX ERE (git grep)
    prefetch: Callable[[Iterable[str]], None] = _no_prefetch  # files about to be read, read together


class Spot(NamedTuple):
    """Where a finding is, once its claims were checked."""
    path: str | None
    lines: LineRange | None
    side: str  # 'new', or 'old' for lines of the base version
    from_symbol: bool  # the lines are the named symbol's span, not the review's
    grounding: Grounding
    reason: str | None = None  # why there is no usable path


class Grounder:
    """Checks the findings of one run; caches what it reads of the code."""

    def __init__(self, changed: Sequence[str], code: Code | None, root: str | None,
                 mapping: PathMap = NO_MAP) -> None:
        self.changed = list(dict.fromkeys(changed))
        self.changed_set = frozenset(self.changed)
        self.code = code
        self.root = root
        self.mapping = mapping
        self.definitions = functools.cache(self._definitions)
        self.all_files = functools.cache(lambda: sorted(code.files()) if code else [])
        self.length = functools.cache(lambda path: _length(code.read(path)) if code else None)
        # many findings name the same path: each is normalised and resolved once
        self.normalised = functools.cache(lambda path: normalise(path, root, mapping))
        self.resolved = functools.cache(self.resolve)
        # the paths spelt otherwise, built only when a path is not found as written
        self.by_nfc = functools.cache(lambda: {nfc(p): p for p in (*self.changed, *self.all_files()) if not p.isascii()})
        self.by_case = functools.cache(lambda: _by_case((*self.changed, *self.all_files())))

    def _definitions(self, path: str) -> tuple[Definition, ...]:
        text = self.code.read(path) if self.code else None
        return symbols.definitions(text, path) if text is not None else ()

    def prefetch(self, claimed: Iterable[str]) -> None:
        """Read together the files these paths name (each is read to check its lines)."""
        if self.code is None:
            return
        paths = []
        for path in dict.fromkeys(claimed):
            normal, _ = self.normalised(path)
            resolved = self.resolved(normal)[0] if normal else None
            if resolved:
                paths.append(resolved)
        self.code.prefetch(paths)

    def known(self, path: str) -> bool:
        return path in self.changed_set or (self.code is not None and path in self.code.files())

    def resolve(self, path: str) -> tuple[str | None, list[str], str | None]:
        """The repository path a review's path means, other candidates, and how it was taken."""
        candidates = [path]
        if path[:2] in ('a/', 'b/') and len(path) > 2:
            candidates.append(path[2:])  # a diff's prefix left in place
        candidates += mapped(path, self.mapping)
        for candidate in candidates:
            if self.known(candidate):
                return candidate, [], None
        for candidate in candidates:
            if not candidate.isascii() and nfc(candidate) in self.by_nfc():
                return self.by_nfc()[nfc(candidate)], [], None  # the same name in another Unicode form
        if self.code is None:
            return path, [], None  # nothing to check against: take it as written
        for pool in (self.changed, self.all_files()):  # sorted once per run
            matches = [p for p in pool if p.endswith('/' + path)]
            if len(matches) == 1:
                return matches[0], [], f'{path!r} is not a path in the repository; taken as {matches[0]}'
            if matches:
                return None, matches, None
        return None, [], None

    def case_hint(self, claimed: str) -> str:
        """When the path differs from a repository path only in case: which one."""
        path = self.normalised(claimed)[0]
        found = self.by_case().get(path.casefold(), ()) if path and self.code is not None else ()
        return f'; {found[0]} differs from it only in case' if len(found) == 1 else ''

    def root_hint(self, claimed: str) -> str:
        """When an absolute path outside the repository ends with a repository path: the --source-root to pass."""
        return root_hint(claimed, self.known) if self.code is not None else ''

    def where_defined(self, symbol: str, first: Sequence[str]) -> tuple[list[str], Definition | None]:
        """Files defining `symbol`: those in `first`, else the change's, else the repository's."""
        if self.code is None:
            return [], None
        code = self.code
        pattern = symbols.grep_pattern(symbol)
        pools: list[Callable[[], Iterable[str]]] = [lambda: first, lambda: self.changed]
        if pattern:
            pools.append(lambda: code.search(pattern))
        for pool in pools:  # the repository is searched only when the change does not define it
            found = [(p, d) for p in pool() for d in symbols.find(self.definitions(p), symbol)[:1]]
            if found:
                return [p for p, _ in found], found[0][1]
        return [], None

    def spot(self, finding: Finding, default: str | None = None) -> Spot:
        reasons = _cwe_reasons(finding)
        loc = finding.location
        if loc is None or loc.path is None and loc.symbol is None and default is None:
            return Spot(None, None, 'new', False, _status(reasons, 'ungrounded', 'the finding names no file'),
                        'the finding names no file')
        claimed = loc.path
        path: str | None = None
        candidates: list[str] = []
        if claimed is not None:
            path, why = self.normalised(claimed)
            if path is None:
                why = f'{why}{self.root_hint(claimed)}'
                return Spot(None, None, loc.side, False, _status(reasons, 'ungrounded', why), why)
            path, candidates, how = self.resolved(path)
            if how:
                reasons.append(how)
        elif default is not None:
            path = default
            reasons.append(f'the review names no file; taken as {default}, where its other findings are')
        lines: LineRange | None = None
        if loc.start_line is not None:
            lines = (loc.start_line, loc.end_line or loc.start_line)
        if loc.side == 'old':  # the base version is not read: nothing more to check
            return Spot(path, lines, 'old', False, _status(reasons, None), None if path else 'not found')
        length = self.length(path) if path else None
        if lines and length is not None and lines[0] > length:
            reasons.append(f'line {lines[0]} is past the end of {path} ({length} lines)')
            lines = None
            bad_lines = True
        else:
            bad_lines = False
        from_symbol = False
        definition = None
        if loc.symbol and self.code is not None:
            definition = _find(self.definitions(path), loc.symbol) if path else None
            if definition is None:
                paths, definition = self.where_defined(loc.symbol, candidates)
                if definition is None:
                    where = path or 'the files of the change'
                    reasons.append(f'`{loc.symbol}` is not defined in {where} or elsewhere in the repository')
                else:
                    if len(set(paths)) > 1:
                        reasons.append(f'`{loc.symbol}` is defined in {len(set(paths))} files; '
                                       f'taken as {paths[0]}')
                    if path is not None or claimed is not None:
                        reasons.append(f'`{loc.symbol}` is not in {claimed or path}; '
                                       f'it is defined in {paths[0]}')
                        if path is not None:
                            lines = None  # they were lines of another file
                    else:
                        reasons.append(f'the review names no file; `{loc.symbol}` is defined in {paths[0]}')
                    path = paths[0]
            if definition is not None:
                span = (definition.start, definition.end)
                if lines is None:
                    lines, from_symbol = span, True
                elif _distance(lines, span) > NEAR:
                    reasons.append(f'lines {_show(lines)} are {_distance(lines, span)} lines from '
                                   f'`{loc.symbol}` ({_show(span)}); taken as its span')
                    lines, from_symbol = span, True
        if path is None:
            why = (f'{claimed!r} matches {len(candidates)} files' if candidates
                   else f'{claimed!r} is not in the repository{self.case_hint(claimed)}' if claimed
                   else 'the finding names no file')
            return Spot(None, None, 'new', False, _status(reasons, 'ungrounded', why), why)
        if self.code is None:
            reasons.append('the code was not available to check the location')
        # the claim fails where it can be checked: lines past the end, or a symbol
        # defined nowhere with no lines to fall back on
        weak = bad_lines and definition is None or (
            loc.symbol is not None and self.code is not None and definition is None and lines is None)
        return Spot(path, lines, 'new', from_symbol, _status(reasons, 'ungrounded' if weak else None))


def _by_case(paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for path in dict.fromkeys(paths):
        found[path.casefold()] = (*found.get(path.casefold(), ()), path)
    return found


def _find(definitions: Sequence[Definition], symbol: str) -> Definition | None:
    found = symbols.find(definitions, symbol)
    return found[0] if found else None


def _cwe_reasons(finding: Finding) -> list[str]:
    if not finding.cwe:
        return []  # a run with no CWE ids never loads the catalog
    from findings_gate import cwe  # difflib and the catalog's reading: only for findings with CWE ids

    names = dict(finding.cwe_names)
    return [reason for cwe_id in finding.cwe for reason in cwe.check(cwe_id, names.get(cwe_id))]


_GROUNDED = Grounding('grounded', ())


def _status(reasons: list[str], floor: str | None, why: str | None = None) -> Grounding:
    if not reasons and floor is None and not why:
        return _GROUNDED  # the commonest, shared
    if why and why not in reasons:
        reasons = [*reasons, why]
    status = floor or ('partly' if reasons else 'grounded')
    return Grounding(status, tuple(reasons))


def _length(text: str | None) -> int | None:
    if text is None:
        return None
    return text.count('\n') + (not text.endswith('\n') and bool(text))


def _distance(lines: LineRange, span: LineRange) -> int:
    if lines[1] < span[0]:
        return span[0] - lines[1]
    if lines[0] > span[1]:
        return lines[0] - span[1]
    return 0


def _show(run: LineRange) -> str:
    return str(run[0]) if run[0] == run[1] else f'{run[0]}-{run[1]}'


def spots(report: Report, grounder: Grounder) -> list[Spot]:
    """Each finding of a report checked; findings with lines but no file get the report's one file."""
    grounder.prefetch(f.location.path for f in report.findings if f.location and f.location.path)
    found = [grounder.spot(f) for f in report.findings]
    paths = {s.path for s, f in zip(found, report.findings) if s.path and f.location and
             (f.location.path or f.location.symbol)}
    if len(paths) != 1:
        return found
    [default] = paths
    return [
        grounder.spot(f, default) if s.path is None and f.location and f.location.path is None
        and f.location.start_line is not None else s
        for s, f in zip(found, report.findings)
    ]
