"""Where a symbol is defined in a file, and which definition holds a line.

Python is read with `ast`: functions, async functions, methods and classes at
any depth, `start` at the first decorator. The other languages (and Python that
`ast` rejects) are scanned by scan.py, which says what it finds and misses.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from findings_gate.place.symbol_scanners import Raw


class Definition(NamedTuple):
    name: str  # 'update_trunk'
    qualname: str  # 'TrunkPlugin.update_trunk'
    kind: str  # 'function' | 'method' | 'class'
    start: int  # first line, 1-based, decorators and annotations included
    end: int  # last line of the body


LANGUAGES = {
    '.py': 'python', '.pyi': 'python', '.pyw': 'python',
    '.c': 'c', '.h': 'c',
    '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.c++': 'cpp', '.C': 'cpp', '.H': 'cpp',
    '.hh': 'cpp', '.hpp': 'cpp', '.hxx': 'cpp', '.h++': 'cpp', '.ipp': 'cpp', '.tcc': 'cpp', '.inl': 'cpp',
    '.java': 'java', '.go': 'go', '.rs': 'rust', '.rb': 'ruby', '.rake': 'ruby', '.gemspec': 'ruby',
    '.js': 'javascript', '.jsx': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript',
    '.ts': 'typescript', '.tsx': 'typescript', '.mts': 'typescript', '.cts': 'typescript',
}


def language(path: str) -> str | None:
    """The language of a path by its extension, or None."""
    name = re.split(r'[/\\]', path)[-1]
    dot = name.rfind('.')
    if dot <= 0:
        return None
    ext = name[dot:]
    return LANGUAGES.get(ext) or LANGUAGES.get(ext.lower())


def definitions(text: str, path: str) -> tuple[Definition, ...]:
    """Every function, method and class defined in `text`, by start line; () for other languages."""
    lang = language(path)
    if lang is None:
        return ()
    if lang == 'python':
        found = _python(text)
    else:  # scan.py compiles its patterns on import: only for the languages that need them
        from findings_gate.place.symbol_scanners import braces, ruby  # hundreds of patterns: only when asked

        found = _nest(ruby(text) if lang == 'ruby' else braces(text, lang))
    return tuple(sorted(found, key=lambda d: (d.start, -d.end, d.qualname.count('.'))))


def _python(text: str) -> list[Definition]:
    # `ast` is its C module `_ast` and a module of helpers this needs none of,
    # whose import took 1 ms of a 60 ms pre-commit run
    import _ast as ast

    try:
        tree = compile(text, '<unknown>', 'exec', ast.PyCF_ONLY_AST)  # what ast.parse does
    except (SyntaxError, ValueError):  # Python 2, or a NUL byte
        from findings_gate.place.symbol_scanners import python_by_indent  # as above

        return _nest(python_by_indent(text))
    assert isinstance(tree, ast.Module)
    found = []
    todo: list[tuple[list[ast.stmt], str, bool]] = [(tree.body, '', False)]
    while todo:
        body, prefix, in_class = todo.pop()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                is_class = isinstance(node, ast.ClassDef)
                kind = 'class' if is_class else 'method' if in_class else 'function'
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                found.append(Definition(node.name, prefix + node.name, kind, start,
                                        node.end_lineno or node.lineno))
                todo.append((node.body, f'{prefix}{node.name}.', is_class))
                continue
            fields = node._fields
            if 'body' not in fields and 'cases' not in fields:
                continue  # a simple statement: most of them, and nothing inside
            blocks = [getattr(node, f, []) for f in ('body', 'orelse', 'finalbody')]
            blocks += [h.body for h in getattr(node, 'handlers', [])]  # try
            blocks += [c.body for c in getattr(node, 'cases', [])]  # match
            todo.extend((block, prefix, in_class) for block in blocks if block)
    return found


def _nest(raws: list[Raw]) -> list[Definition]:
    """Qualify each definition by the ones around it, and tell methods from functions."""
    found = []
    stack: list[tuple[Raw, str]] = []
    for raw in sorted(raws, key=lambda r: (r.pos, -r.stop)):
        while stack and stack[-1][0].stop < raw.pos:
            stack.pop()
        parent = stack[-1] if stack else None
        qualname = '.'.join(((parent[1],) if parent else ()) + raw.owner + (raw.name,))
        if raw.kind != 'function':
            kind = 'class'
        elif raw.owner or (parent and parent[0].kind == 'class'):
            kind = 'method'
        else:
            kind = 'function'
        found.append(Definition(raw.name, qualname, kind, raw.start, raw.end))
        stack.append((raw, qualname))
    return found


_PART = re.compile(r'~?[A-Za-z_$][\w$]*[?!=]?|operator\W+')
_NOISE = {'self', 'this', 'cls', '@', 'super()', 'crate', 'Self'}


def _parts(symbol: str) -> list[str] | None:
    """`Class::method(args)` as ['Class', 'method']; None if not an identifier path."""
    text = symbol.strip().strip('`').strip()
    paren = text.find('(', 1)
    if paren > 0:
        text = text[:paren]
    text = re.sub(r'<[^<>]*>', '', text).strip().lstrip('@')  # `Vec<T>::new`
    text = re.sub(r'^\(\s*\*?\s*(\w+)\s*\)(?=\.)', r'\1', text)  # Go's `(*T).Method`
    parts = [p for p in re.split(r'::|\.|#|->', text) if p]  # `this.#private`, `::global`
    while len(parts) > 1 and parts[0] in _NOISE:
        parts.pop(0)
    if not parts or not all(_PART.fullmatch(p) for p in parts):
        return None
    return parts


def find(defs: Sequence[Definition], symbol: str) -> list[Definition]:
    """The definitions a review's symbol may name, best first.

    An exact qualified name ranks first, then definitions whose qualified name
    ends with the most of the symbol's dotted components; all share its last name.
    """
    parts = _parts(symbol)
    if parts is None:
        return []

    def score(d: Definition) -> tuple[int, int]:
        qual = d.qualname.split('.')
        shared = 0
        while shared < min(len(qual), len(parts)) and qual[-1 - shared] == parts[-1 - shared]:
            shared += 1
        return (-(qual == parts), -shared)

    matches = [d for d in defs if d.name == parts[-1]]
    return sorted(matches, key=lambda d: (score(d), d.start))


def innermost(
        defs: Sequence[Definition], line: int, kinds: tuple[str, ...] = ('function', 'method'),
) -> Definition | None:
    """The deepest definition of one of `kinds` whose lines hold `line`."""
    around = [d for d in defs if d.kind in kinds and d.start <= line <= d.end]
    if not around:
        return None
    return max(around, key=lambda d: (d.start, -d.end, d.qualname.count('.')))


def innermost_finder(
        defs: Sequence[Definition], kinds: tuple[str, ...] = ('function', 'method'),
) -> Callable[[int], Definition | None]:
    """`innermost(defs, line, kinds)` for many lines of one file: the definitions sorted once by
    innermost's key (earlier ones after later ones of the same key, as `max` keeps the first),
    then walked back from the last that starts at or before the line to the first that holds it.
    A scan of every definition for each finding took 0.15 s of django's 10,000 findings in
    changed files."""
    ordered = sorted(((d.start, -d.end, d.qualname.count('.'), -i), d)
                     for i, d in enumerate(defs) if d.kind in kinds)
    starts = [key[0] for key, _ in ordered]

    def find(line: int) -> Definition | None:
        for i in range(bisect.bisect_right(starts, line) - 1, -1, -1):
            if ordered[i][1].end >= line:
                return ordered[i][1]
        return None
    return find


def _ere(text: str) -> str:
    """Text as a POSIX extended regular expression matching it literally."""
    return ''.join('\\' + c if c in '.[]()*+?{}|^$\\' else c for c in text)


def grep_pattern(symbol: str) -> str | None:
    """A POSIX ERE for `git grep -E`: lines that may define the symbol's last name.

    It errs towards too many lines (a C return statement spanning lines, a JavaScript
    call at the start of a line that does not end with `;`); `definitions` decides.
    """
    parts = _parts(symbol)
    if parts is None:
        return None
    name = parts[-1]
    if name.startswith('operator'):
        name = 'operator[[:space:]]*' + _ere(name[len('operator'):].strip())
    else:
        name = _ere(name)
    s, w = '[[:space:]]', '[:alnum:]_$'
    body = '.*[)][^;()]*[{].*'  # `) const {`: the parameters close and the body opens
    before, after = f'(^|[^{w}.])', f'([^{w}]|$)'
    return '|'.join((
        # Python, Ruby, Rust, Go types, JavaScript/TypeScript, C/C++/Java types
        f'{before}(def|fn|func|function|class|struct|union|enum|interface|trait|module|mod|type|namespace|record)'
        f'({s}+|{s}*[*]{s}*)((self|[{w}:]+)[.])?{name}{after}',
        f'{before}func{s}*[(][^)]*[)]{s}*{name}{s}*[[(]',  # a Go method
        f'{before}impl([^{w}]|[^{w}].*[^{w}:]){name}{after}',  # a Rust impl block
        # a C/C++/Java function after its type or `Class::`; not a call ending in ';'
        f'([]*&>[:alnum:]_]{s}+|[*&]{s}*|::)[~#]?{name}{s}*(<[^;]*>{s}*)?[(]([^;]*|{body})$',
        f'^[~#]?{name}{s}*[(][^;]*$',  # the GNU style: the name at the start of its line
        # a method or a constructor without a type: its `(` stays open or a `{` follows
        f'^{s}*[~#]?{name}{s}*(<[^;]*>{s}*)?[(]([^;)]*|{body})$',
        # JavaScript/TypeScript: `name = (...) =>`, `name = function`, `name: function`
        f'(^|[^{w}]){name}{s}*(:[^=]*)?={s}*(async{s}+)?(function|[(].*=>|[{w}]+{s}*=>)',
        f'(^|[^{w}]){name}{s}*:{s}*(async{s}+)?function',
    ))
