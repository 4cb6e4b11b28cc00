"""Definitions found without a parser, for symbols.py.

Python that `ast` rejects (Python 2) is scanned by indentation: `def`/`class` lines, decorators above them, each block
closed by the next statement at the same or a lower indentation; strings,
comments and bracketed continuation lines are skipped.

The other languages are scanned with regular expressions, not parsed. Comments
and string, character, raw-string and template literals are blanked first (and
C preprocessor lines, JavaScript regular expressions after an operator, Go's
`interface{}`/`struct{}`), then each `{` at statement level is classified by the
text since the previous `;`, `{` or `}`; its end is the matching `}`. Found:

- C/C++: functions with a return type (`static int\nf(void)` too), `Class::method`,
  operators, constructors and destructors; class/struct/union/enum/namespace.
- Java: classes, interfaces, enums, records; methods and constructors; annotations.
- Go: `func F(`, `func (r *T) M(` (`T.M`), `type T struct`/`interface`.
- JavaScript/TypeScript: `function f(`, `class`/`interface`/`enum`/`namespace`,
  methods, getters and `x = () => {` fields in a class body, `const f = (...) => {`
  and `= function`, `Foo.prototype.bar = function` (`Foo.bar`); decorators.
- Rust: `fn` with any qualifiers, struct/enum/union/trait/mod, `impl` blocks
  (methods inside `impl T` are `T.name`); `#[attributes]`.
- Ruby (by lines): `def`, `def self.x`, `class`/`module`, each closed by the next
  `end` at its indentation; `def x; end` and `def x = 1` on one line.

Missed: prototypes and declarations without a body (on purpose), functions made
by macros (`TRANS(Open)(...)`), K&R parameter lists, anonymous classes and
structs, object-literal methods and computed names (`[Symbol.iterator]()`),
expression-bodied arrows (`const f = x => x + 1`), TypeScript return types
written as `{...}`, annotations with `{...}` arguments (the header starts after
them), Go's grouped `type (...)`, Rust tuple and unit structs, Ruby heredocs and
badly indented `end`s, and code whose `#if` branches open unequal braces.
"""
from __future__ import annotations

import bisect
import re
from typing import NamedTuple


class Raw(NamedTuple):
    """A definition before nesting: `pos`/`stop` order and contain it."""
    pos: int
    stop: int
    name: str
    owner: tuple[str, ...]  # qualifiers written in the definition: `T` of `func (t *T) Name(`
    kind: str  # 'function' | 'class' | 'namespace' (a class whose functions are not methods)
    start: int
    end: int


_PY_TOKEN = re.compile(  # loops unrolled (`[^x]*(?:\\.[^x]*)*`): a long string is one step per run
    r"""[rRuUbBfF]{0,2}(?P<s>'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"""
    r'''|"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'''
    r"""|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*")"""
    r'|#[^\n]*|(?P<o>[(\[{])|(?P<c>[)\]}])|(?P<n>\\?\n)',
)
_PY_DEF = re.compile(r'[ \t]*(?:async[ \t]+)?(def|class)[ \t]+(\w+)')


def python_by_indent(text: str) -> list[Raw]:
    """`def` and `class` blocks by indentation, for source that `ast` cannot parse."""
    lines = text.split('\n')
    within = [False] * (len(lines) + 2)  # the line continues the statement above
    line, depth = 1, 0
    for m in _PY_TOKEN.finditer(text):
        if m.group('o'):
            depth += 1
        elif m.group('c'):
            depth = max(0, depth - 1)
        elif m.group('n'):
            line += 1
            within[line] = depth > 0 or m.group('n') != '\n'
        elif m.group('s'):
            for _ in range(m.group('s').count('\n')):
                line += 1
                within[line] = True
    raws = []
    opened: list[tuple[int, str, str, int, int]] = []  # indent, name, kind, start, def line
    last = 0  # the last line of code so far
    decorated = 0  # the first decorator line above the next def
    for n, text_line in enumerate(lines, 1):
        stripped = text_line.strip()
        if within[n] or not stripped or stripped.startswith('#'):
            last = n if within[n] else last
            continue
        indent = len(text_line.expandtabs(8)) - len(text_line.expandtabs(8).lstrip())
        while opened and opened[-1][0] >= indent:
            _, name, kind, start, at = opened.pop()
            raws.append(Raw(at, last, name, (), kind, start, last))
        if stripped.startswith('@'):
            decorated = decorated or n
        else:
            head = _PY_DEF.match(text_line)
            if head:
                opened.append((indent, head.group(2), 'class' if head.group(1) == 'class' else 'function',
                               decorated or n, n))
            decorated = 0
        last = n
    raws.extend(Raw(at, last, name, (), kind, start, last) for _, name, kind, start, at in opened)
    return raws


class _Head(NamedTuple):
    """What a brace language's header says: `int Foo::bar(...)` is ('bar', ('Foo',), 'function')."""
    name: str
    owner: tuple[str, ...]
    kind: str


_BLOCK_COMMENT = r'/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|/\*[\s\S]*'  # the second: one never closed
_C_LIKE = _BLOCK_COMMENT + r"""|//[^\n]*|"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"""
_DIRECTIVE = r'(?m:^[ \t]*#(?:\\\n|[^\n])*)|'  # a preprocessor line and its continuations
_MASKS = {
    'c': re.compile(_DIRECTIVE + _C_LIKE),
    'cpp': re.compile(_DIRECTIVE + r'(?:u8|[uUL])?R"(?P<d>[^()\\\s]{0,16})\([\s\S]*?\)(?P=d)"|' + _C_LIKE),
    'java': re.compile(r'"""[\s\S]*?"""|' + _C_LIKE),
    'go': re.compile(r'`[^`]*`|(?:(?<=interface)|(?<=struct))\s*\{\s*\}|' + _C_LIKE),
    'javascript': re.compile(
        r'`[^`\\]*(?:\\[\s\S][^`\\]*)*`|' + _C_LIKE  # a regular expression after an operator or at a line start:
        + r'|(?<=[=(,:;!&|?{}\[\n])[ \t]*/(?![/*])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/'),
    'rust': re.compile(
        _BLOCK_COMMENT + r'|//[^\n]*|b?r(?P<h>#*)"[\s\S]*?"(?P=h)|b?"[^"\\]*(?:\\[\s\S][^"\\]*)*"'
        r"|b?'(?:\\(?:u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'"),  # not the lifetime in `&'a str`
}
_MASKS['typescript'] = _MASKS['javascript']


def _blank(m: re.Match[str]) -> str:
    """A comment or literal as spaces, its newlines kept."""
    text = m.group()
    return re.sub(r'[^\n]', ' ', text) if '\n' in text else ' ' * len(text)


_BRACE_TOKEN = re.compile(r'[{}()\[\];]')


def braces(text: str, lang: str) -> list[Raw]:
    """Definitions of a brace language: each `{` at statement level is read with the text before it.

    The header of a block is the text since the last `;`, `{` or `}` outside brackets,
    with comments and literals blanked; `_HEADERS[lang]` says what it defines.
    """
    masked = _MASKS[lang].sub(_blank, text)
    newlines = _line_starts(masked)
    classify = _HEADERS[lang]
    raws = []
    # for each open brace: brackets open in it, where its next header starts,
    # and what it defines with the offsets of its `{` and of its first line
    depth, begin = [0], [0]
    opened: list[tuple[_Head, int, int] | None] = [None]
    for m in _BRACE_TOKEN.finditer(masked):
        c, pos = m.group(), m.start()
        if c in '([':
            depth[-1] += 1
        elif c in ')]':
            depth[-1] = max(0, depth[-1] - 1)
        elif c == ';':
            if not depth[-1]:
                begin[-1] = pos + 1
        elif c == '{':
            found, at = None, pos
            if not depth[-1]:
                first = max(begin[-1], pos - 1000)  # a longer header: a slower search, rarely a def
                parent = next((o[0] for o in reversed(opened) if o), None)
                top = opened[-1]
                found = classify(masked[first:pos], parent, top is not None and top[0].kind == 'class')
                if found:
                    at = first + found[1]
                    at += len(masked[at:pos]) - len(masked[at:pos].lstrip())
            opened.append((found[0], pos, at) if found else None)
            depth.append(0)
            begin.append(pos + 1)
        elif len(depth) > 1:  # '}'
            depth.pop()
            begin.pop()
            done = opened.pop()
            if done:
                raws.append(_raw(done, pos, newlines))
            if not depth[-1]:
                begin[-1] = pos + 1
    raws.extend(_raw(o, len(masked), newlines) for o in opened if o)  # never closed
    return raws


def _raw(opened: tuple[_Head, int, int], close: int, newlines: list[int]) -> Raw:
    head, brace, first = opened
    return Raw(brace, close, head.name, head.owner, head.kind, _line(newlines, first), _line(newlines, close))


_PARAMS = r'\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)'
_ANGLE = r'<(?:->|[^<>;{}]|<(?:->|[^<>;{}]|<(?:->|[^<>;{}])*>)*>)*>'
_ID = r'[A-Za-z_]\w*'
_C_CLASS = re.compile(rf"""
    (?<![\w:])(?:template\s*{_ANGLE}\s*)?(?:typedef\s+)?
    (?P<kw>class|struct|union|enum(?:\s+(?:class|struct))?|namespace)\b
    (?:\s*\[\[[^\]]*\]\]|\s*alignas\s*\([^()]*\))*\s*(?:[A-Z_][A-Z0-9_]*\s+)*  # attributes, export macros
    (?P<name>{_ID}(?:\s*::\s*{_ID})*)(?:\s*{_ANGLE})?
    (?:\s+final)?\s*(?::(?!:)[^;{{}}]*)?\s*\Z""", re.X)
_C_FUNCTION = re.compile(rf"""
    (?<![\w:~])(?:template\s*{_ANGLE}\s*)*
    (?P<prefix>(?:(?:{_ID}\b(?:\s*{_ANGLE})?|::|[*&]|\[\[[^\]]*\]\]
        |__attribute__\s*\(\([^;{{}}]*?\)\)|__declspec\s*\([^()]*\)|[A-Z_][A-Z0-9_]*\s*\([^()]*\))\s*)*?)
    (?<![\w:])(?P<name>(?:{_ID}(?:\s*{_ANGLE})?\s*::\s*)*~?\s*(?:operator\s*(?:\(\)|[^\s\w(]+|\s\w+)|{_ID}))
    \s*{_PARAMS}
    (?:\s*(?:(?:const|volatile|noexcept|override|final|mutable|try)\b|&&?|(?:noexcept|throw)\s*\([^()]*\)
        |__attribute__\s*\(\([^;{{}}]*?\)\)|[A-Z_][A-Z0-9_]*\b(?:\s*\([^()]*\))?))*
    (?:\s*->[^;{{}}]*?)?(?:\s*:[^;{{}}]*)?\s*\Z""", re.X)
_C_KEYWORDS = frozenset((
    'if', 'for', 'while', 'switch', 'return', 'sizeof', 'catch', 'do', 'else', 'case', 'new', 'delete',
    'throw', 'using', 'typedef', 'static_assert', 'decltype', 'alignof', 'alignas', 'typeof', 'defined',
    'goto', 'co_return', 'co_await', 'co_yield', 'constexpr', '_Generic', '__attribute__', '__declspec',
    'synchronized', 'try', 'assert', 'yield', 'function', 'with', 'when', 'elif',
))


def _qualifiers(name: str) -> list[str]:
    """`Foo<T>::Bar::baz` as ['Foo', 'Bar', 'baz']."""
    return [re.sub(r'<.*>|\s', '', part) for part in name.split('::')]


def _c_header(header: str, parent: _Head | None, in_class: bool) -> tuple[_Head, int] | None:
    m = _C_CLASS.search(header)
    if m:
        *owner, name = _qualifiers(m['name'])
        return _Head(name, tuple(owner), 'namespace' if m['kw'] == 'namespace' else 'class'), m.start()
    m = _C_FUNCTION.search(header)
    if not m:
        return None
    *owner, name = _qualifiers(m['name'])
    words = re.findall(r'\w+', m['prefix'])
    if name in _C_KEYWORDS or _C_KEYWORDS.intersection(words):
        return None
    ctor = parent is not None and parent.kind == 'class' and name == parent.name
    if not words and not owner and not name.startswith('~') and not ctor:
        return None  # a macro call such as `list_for_each(pos, head) {`
    return _Head(name, tuple(owner), 'function'), m.start()


_JAVA_ANNOTATIONS = rf'(?:@(?!interface\b)[\w.$]+(?:\s*{_PARAMS})?\s*)*'
_JAVA_MODIFIERS = (r'(?:(?:public|protected|private|static|final|abstract|synchronized|native|default'
                   r'|strictfp|sealed|non-sealed|transient)\s+)*')
_JAVA_CLASS = re.compile(rf"""(?<![\w$.@]){_JAVA_ANNOTATIONS}{_JAVA_MODIFIERS}
    (?P<kw>class|interface|enum|record|@interface)\s+(?P<name>[\w$]+)[^;{{}}]*\Z""", re.X)
_JAVA_METHOD = re.compile(rf"""(?<![\w$.@]){_JAVA_ANNOTATIONS}{_JAVA_MODIFIERS}(?:{_ANGLE}\s*)?
    (?:(?P<type>[\w$.]+(?:\s*{_ANGLE})?(?:\s*\[\s*\])*)\s+)?
    (?P<name>[\w$]+)\s*{_PARAMS}(?:\s*\[\s*\])*(?:\s*throws\s+[\w$.<>,\s]+)?\s*\Z""", re.X)


def _java_header(header: str, parent: _Head | None, in_class: bool) -> tuple[_Head, int] | None:
    m = _JAVA_CLASS.search(header)
    if m:
        return _Head(m['name'], (), 'class'), m.start()
    m = _JAVA_METHOD.search(header)
    if not m or m['name'] in _C_KEYWORDS or m['type'] in _C_KEYWORDS:
        return None
    if m['type'] is None and (parent is None or m['name'] != parent.name):
        return None  # only a constructor has no return type
    return _Head(m['name'], (), 'function'), m.start()


_GO_FUNCTION = re.compile(rf"""(?<![\w.])func\s*
    (?:\(\s*(?:\w+\s+)?\*?\s*(?P<receiver>\w+)(?:\s*\[[^\]]*\])?\s*\)\s*)?
    (?P<name>\w+)\s*(?:\[[^\]]*\]\s*)?{_PARAMS}[^;{{}}]*\Z""", re.X)
_GO_TYPE = re.compile(r'(?<![\w.])type\s+(?P<name>\w+)(?:\s*\[[^\]]*\])?\s+(?:struct|interface)\s*\Z')


def _go_header(header: str, parent: _Head | None, in_class: bool) -> tuple[_Head, int] | None:
    m = _GO_FUNCTION.search(header)
    if m:
        return _Head(m['name'], (m['receiver'],) if m['receiver'] else (), 'function'), m.start()
    m = _GO_TYPE.search(header)
    return (_Head(m['name'], (), 'class'), m.start()) if m else None


_JS_ID = r'\#?[A-Za-z_$][\w$]*'
_JS_DECORATORS = rf'(?:@[\w$.]+(?:\s*{_PARAMS})?\s*)*'
_JS_RETURNS = r'(?:\s*:[^;{}]*?)?'  # a TypeScript return type
_JS_ARROW = rf'(?:async\s+)?(?:{_ANGLE}\s*)?(?:{_PARAMS}|{_JS_ID}){_JS_RETURNS}\s*=>'
_JS_FUNCTION_EXPRESSION = rf'(?:async\s+)?function\b\s*\*?\s*(?:{_JS_ID})?\s*(?:{_ANGLE}\s*)?{_PARAMS}{_JS_RETURNS}'
_JS_HEADERS = (
    (re.compile(rf"""(?<![\w$.]){_JS_DECORATORS}(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?
        (?:const\s+)?(?P<kw>class|interface|enum|namespace)\s+(?P<name>[\w$.]+)[^;{{}}]*\Z""", re.X), 'class'),
    (re.compile(rf"""(?<![\w$.])(?:export\s+)?(?:default\s+)?(?:async\s+)?function\b\s*\*?\s*
        (?P<name>{_JS_ID})\s*(?:{_ANGLE}\s*)?{_PARAMS}{_JS_RETURNS}\s*\Z""", re.X), 'function'),
    (re.compile(rf"""(?<![\w$.])(?:export\s+)?(?:const|let|var)\s+(?P<name>{_JS_ID})\s*(?::[^;{{}}=]*?)?=\s*
        (?:{_JS_ARROW}|{_JS_FUNCTION_EXPRESSION})\s*\Z""", re.X), 'function'),
    (re.compile(rf"""(?<![\w$.])(?P<name>{_JS_ID}(?:\.{_JS_ID})+)\s*=\s*
        (?:{_JS_ARROW}|{_JS_FUNCTION_EXPRESSION})\s*\Z""", re.X), 'function'),  # Foo.prototype.bar = function
)
_JS_MEMBERS = (
    re.compile(rf"""(?<![\w$.#]){_JS_DECORATORS}
        (?:(?:public|private|protected|static|readonly|override|abstract|declare|accessor|async|get|set)\s+)*
        \*?\s*(?P<name>{_JS_ID})\s*\??\s*(?:{_ANGLE}\s*)?{_PARAMS}{_JS_RETURNS}\s*\Z""", re.X),
    re.compile(rf"""(?<![\w$.#]){_JS_DECORATORS}(?:(?:public|private|protected|static|readonly|override)\s+)*
        (?P<name>{_JS_ID})\s*(?::[^;{{}}=]*?)?=\s*(?:{_JS_ARROW}|{_JS_FUNCTION_EXPRESSION})\s*\Z""", re.X),
)
_JS_RECEIVERS = frozenset(('prototype', 'exports', 'module', 'this', 'window', 'self', 'globalThis'))


def _js_header(header: str, parent: _Head | None, in_class: bool) -> tuple[_Head, int] | None:
    for pattern, kind in _JS_HEADERS:
        m = pattern.search(header)
        if m:
            *owner, name = m['name'].split('.')
            if kind == 'class' or name not in _C_KEYWORDS:
                return _Head(name, tuple(o for o in owner if o not in _JS_RECEIVERS), kind), m.start()
    for pattern in _JS_MEMBERS if in_class else ():
        m = pattern.search(header)
        if m and m['name'] not in _C_KEYWORDS:
            return _Head(m['name'].lstrip('#'), (), 'function'), m.start()  # `#private()` is `private`
    return None


_RUST_START = r'(?<![\w#])(?:\#\[(?:[^\[\]]|\[[^\[\]]*\])*\]\s*)*'  # attributes
_RUST_FUNCTION = re.compile(rf"""{_RUST_START}(?:pub(?:\s*\([^()]*\))?\s+)?(?:default\s+)?(?:const\s+)?
    (?:async\s+)?(?:unsafe\s+)?(?:extern\s*(?:"[^"]*"\s*)?)?
    fn\s+(?P<name>\w+)\s*(?:{_ANGLE}\s*)?{_PARAMS}[^;{{}}]*\Z""", re.X)
_RUST_TYPE = re.compile(rf"""{_RUST_START}(?:pub(?:\s*\([^()]*\))?\s+)?(?:unsafe\s+)?(?:auto\s+)?
    (?P<kw>struct|enum|union|trait|mod)\s+(?P<name>\w+)[^;{{}}]*\Z""", re.X)
_RUST_IMPL = re.compile(rf"""{_RUST_START}(?:unsafe\s+)?(?:default\s+)?impl\b\s*(?:{_ANGLE})?\s*
    (?:!?\s*[\w:]+(?:\s*{_ANGLE})?\s+for\b\s*)?(?:&\s*|'\w+\s+|mut\s+|dyn\s+)*
    (?P<name>[\w:]+)(?:\s*{_ANGLE})?(?:\s*where\b[^;{{}}]*)?\s*\Z""", re.X)


def _rust_header(header: str, parent: _Head | None, in_class: bool) -> tuple[_Head, int] | None:
    m = _RUST_FUNCTION.search(header)
    if m:
        return _Head(m['name'], (), 'function'), m.start()
    m = _RUST_TYPE.search(header)
    if m:
        return _Head(m['name'], (), 'namespace' if m['kw'] == 'mod' else 'class'), m.start()
    m = _RUST_IMPL.search(header)
    return (_Head(m['name'].split('::')[-1], (), 'class'), m.start()) if m else None


_HEADERS = {
    'c': _c_header,
    'cpp': _c_header,
    'java': _java_header,
    'go': _go_header,
    'javascript': _js_header,
    'typescript': _js_header,
    'rust': _rust_header,
}


_RUBY_DEF = re.compile(r"""([ \t]*)(?:(?:private|protected|public|module_function|private_class_method)\s+)?
    def\s+(?:(?P<owner>self|[A-Z]\w*(?:::\w+)*)\s*\.\s*)?(?P<name>[A-Za-z_]\w*[?!=]?|\[\]=?|[-+*/%<>=!~^&|]+|`)
    (?P<rest>.*)""", re.X)
_RUBY_CLASS = re.compile(r'([ \t]*)(?:class|module)\s+(?!<<)(?P<name>(?:::)?[A-Z]\w*(?:::[A-Z]\w*)*)(?P<rest>.*)')
_RUBY_ONE_LINE = re.compile(r'.*;\s*end\b|\s*(?:\([^()]*\))?\s*=(?!=)')  # `; end` or an endless `def x = 1`
_RUBY_END = re.compile(r'([ \t]*)end\b')


def ruby(text: str) -> list[Raw]:
    """`def`, `class` and `module`, each closed by the next `end` at its indentation."""
    lines = text.split('\n')
    ends: dict[int, list[int]] = {}  # indentation: lines of `end`
    heads = []
    in_doc = False  # between =begin and =end
    for n, line in enumerate(lines, 1):
        if in_doc or line.startswith('=begin'):
            in_doc = not line.startswith('=end')
            continue
        line = line.expandtabs(8)
        end = _RUBY_END.match(line)
        if end:
            ends.setdefault(len(end.group(1)), []).append(n)
            continue
        head = _RUBY_DEF.match(line) or _RUBY_CLASS.match(line)
        if head:
            heads.append((n, head))
    raws = []
    for n, head in heads:
        *owner, name = head['name'].lstrip(':').split('::')
        if head.re is _RUBY_DEF:
            owner = [head['owner']] if head['owner'] and head['owner'] != 'self' else []
        if _RUBY_ONE_LINE.match(head['rest']):
            last = n
        else:
            candidates = ends.get(len(head.group(1)), [])
            i = bisect.bisect_right(candidates, n)
            last = candidates[i] if i < len(candidates) else n
        kind = 'function' if head.re is _RUBY_DEF else 'class'
        raws.append(Raw(n, last, name, tuple(owner), kind, n, last))
    return raws


def _line_starts(text: str) -> list[int]:
    """Offsets of the newlines in text, for `_line`."""
    return [m.start() for m in re.finditer('\n', text)]


def _line(newlines: list[int], offset: int) -> int:
    """The 1-based line of an offset."""
    return bisect.bisect_left(newlines, offset) + 1
