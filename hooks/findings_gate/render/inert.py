"""Untrusted text made inert for every output: nothing in a finding's text can move a
terminal's cursor, fake a line, or be read by GitHub's runner as a workflow command.

`inert` escapes what a terminal acts on (for text outputs), `defuse` makes lines
the runner would read as commands plain text, and `json_inert` / `xml_inert`
escape the same characters inside JSON and XML documents, where the escape means
the same character to a parser. `html_text` makes text inert and then HTML text.
"""
from __future__ import annotations

import functools
import html
import re

# a line the runner reads as `::command`: `::` after any white space
COMMAND_LINE = re.compile(r'^(\s*)::', re.M)

# what a finding's text must not bring to a terminal or a log: C0 controls (ESC starts the
# sequences that move the cursor, recolour, set the title or the clipboard (OSC 0, OSC 52)
# and make links (OSC 8); BEL ends them), DEL, C1 controls (CSI, NEL), bidirectional
# controls, line and paragraph separators, and characters that show nothing: zero-width
# ones, the word joiner and invisible operators, the byte-order mark, tags. Lone
# surrogates too, which no output can encode: shown as `\udc80`, as `backslashreplace` would.
_RANGES = ((0x00, 0x1f), (0x7f, 0x9f), (0x061c, 0x061c), (0x200b, 0x200f), (0x2028, 0x202e),
           (0x2060, 0x2064), (0x2066, 0x2069), (0xfeff, 0xfeff), (0xd800, 0xdfff), (0xe0000, 0xe007f))
_UNSAFE = [c for first, last in _RANGES for c in range(first, last + 1)]


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    return '[' + ''.join(f'\\U{first:08x}-\\U{last:08x}' for first, last in ranges) + ']'


def _escape(c: int) -> str:
    return f'\\x{c:02x}' if c < 0x100 else f'\\u{c:04x}' if c < 0x10000 else f'\\U{c:08x}'


@functools.cache
def _escapes() -> dict[int, str]:
    """The escape of each unsafe character (built when a text first needs it: 2 ms)."""
    return str.maketrans({c: _escape(c) for c in _UNSAFE} | {0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t'})


# str.translate walks every character in Python's slow path; most texts have
# nothing to escape, and this search (in C) says so three times faster
_ANY_UNSAFE = re.compile(_class(_RANGES))


def inert(text: str) -> str:
    """`text` with nothing a terminal would act on."""
    if text.isascii():  # flagged in the string itself: the commonest case, told by one C pass
        return text if text.isprintable() else text.translate(_escapes())  # printable: 0x20-0x7e
    return text.translate(_escapes()) if _ANY_UNSAFE.search(text) else text


def defuse(output: str) -> str:
    """Lines that GitHub's runner, reading them in a step's log, cannot take for workflow
    commands: `::` starting a line (after any white space) and `##[` anywhere, which only
    untrusted text can bring."""
    return COMMAND_LINE.sub(r'\1\\x3a:', output).replace('##[', '#\\x23[')


# the same characters but C0 controls, which every JSON and XML writer escapes already, and
# `##[`, which GitHub's runner takes for a workflow command anywhere in a line of a step's log:
# in JSON and XML they are only ever inside strings and text, so escaping them there loses nothing
# (lone surrogates too: JSON keeps them as escapes; the JUnit writer has already escaped them)
_INERT = re.compile(_class(_RANGES[1:]) + '|##\\[')


def _json_escape(match: re.Match[str]) -> str:
    if match[0] == '##[':
        return '#\\u0023['
    c = ord(match[0])
    if c < 0x10000:
        return f'\\u{c:04x}'
    c -= 0x10000  # JSON escapes UTF-16 code units: a tag character is a surrogate pair
    return f'\\u{0xd800 + (c >> 10):04x}\\u{0xdc00 + (c & 0x3ff):04x}'


def json_inert(output: str) -> str:
    """JSON text that means the same, with what a terminal or the runner would act on as `\\u` escapes."""
    if output.isascii() and '\x7f' not in output and '##[' not in output:
        return output  # ASCII has only DEL and `##[` to escape here: found by C searches (0.5 s of 51 MB)
    return _INERT.sub(_json_escape, output)


def xml_inert(output: str) -> str:
    """XML that means the same, with what a terminal or the runner would act on as character references."""
    output = _INERT.sub(lambda m: '#&#35;[' if m[0] == '##[' else f'&#x{ord(m[0]):x};', output)
    return COMMAND_LINE.sub(r'\1&#58;:', output)


def html_text(text: str) -> str:
    """Untrusted text as HTML text or a quoted attribute value: `inert` (one line, nothing
    invisible), then `html.escape` with quotes, and `##[` as `#&#35;[` for the runner."""
    return html.escape(inert(text), quote=True).replace('##[', '#&#35;[')


def html_lines(text: str) -> str:
    """Untrusted text of many lines as HTML: each line `html_text`, the breaks as `<br>`."""
    return '<br>'.join(html_text(line) for line in re.split('\r\n|\r|\n', text.strip('\r\n')))


def html_code(line: str) -> str:
    """A line of code as HTML: `html_text` with its tabs kept."""
    return '\t'.join(html_text(part) for part in line.split('\t'))
