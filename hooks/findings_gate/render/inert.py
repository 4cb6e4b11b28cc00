"""Untrusted text made inert for every output: nothing in a finding's text can move a
terminal's cursor, fake a line, or be read by GitHub's runner as a workflow command.

`inert` escapes what a terminal acts on (for text outputs), `defuse` makes lines
the runner would read as commands plain text, and `json_inert` / `xml_inert`
escape the same characters inside JSON and XML documents, where the escape means
the same character to a parser.
"""
from __future__ import annotations

import functools
import re

# a line the runner reads as `::command`: `::` after any white space
COMMAND_LINE = re.compile(r'^(\s*)::', re.M)

# control characters, bidirectional overrides and line separators: a finding's
# text must not move the cursor, recolour the terminal, or fake another line
# (and lone surrogates, which no output can encode: shown as `\udc80`, as `backslashreplace` would)
_UNSAFE = [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029, *range(0x202a, 0x202f),
           *range(0x2066, 0x206a), 0x200e, 0x200f, 0x061c, 0xfeff, *range(0xd800, 0xe000)]


@functools.cache
def _escapes() -> dict[int, str]:
    """The escape of each unsafe character (built when a text first needs it: 2 ms)."""
    return str.maketrans(
        {c: f'\\x{c:02x}' if c < 0x100 else f'\\u{c:04x}' for c in _UNSAFE}
        | {0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t'},
    )


# str.translate walks every character in Python's slow path; most texts have
# nothing to escape, and this search (in C) says so three times faster
_ANY_UNSAFE = re.compile('[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]')


def inert(text: str) -> str:
    """`text` with nothing a terminal would act on."""
    return text.translate(_escapes()) if _ANY_UNSAFE.search(text) else text


def defuse(output: str) -> str:
    """Lines that GitHub's runner, reading them in a step's log, cannot take for workflow
    commands: `::` starting a line (after any white space) and `##[` anywhere, which only
    untrusted text can bring."""
    return COMMAND_LINE.sub(r'\1\\x3a:', output).replace('##[', '#\\x23[')


# characters a terminal acts on (C1 controls, bidirectional controls, line separators), and
# `##[`, which GitHub's runner takes for a workflow command anywhere in a line of a step's log:
# in JSON and XML they are only ever inside strings and text, so escaping them there loses nothing
# (lone surrogates too: JSON keeps them as escapes; the JUnit writer has already escaped them)
_INERT = re.compile('[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]|##\\[')


def json_inert(output: str) -> str:
    """JSON text that means the same, with what a terminal or the runner would act on as `\\u` escapes."""
    return _INERT.sub(lambda m: '#\\u0023[' if m[0] == '##[' else f'\\u{ord(m[0]):04x}', output)


def xml_inert(output: str) -> str:
    """XML that means the same, with what a terminal or the runner would act on as character references."""
    output = _INERT.sub(lambda m: '#&#35;[' if m[0] == '##[' else f'&#x{ord(m[0]):x};', output)
    return COMMAND_LINE.sub(r'\1&#58;:', output)
