"""Output formats: each module's `render(decision) -> str` writes one document."""
from __future__ import annotations

import importlib
import re

from findings_gate.model import Decision

# name -> module; imported only when that format is asked for
RENDERERS = {
    'text': 'findings_gate.render.text',
    'json': 'findings_gate.render.json',
    'sarif': 'findings_gate.render.sarif',
    'github': 'findings_gate.render.github',
    'markdown': 'findings_gate.render.markdown',
    'zuul': 'findings_gate.render.zuul',
    'gerrit': 'findings_gate.render.gerrit',
    'gitlab': 'findings_gate.render.gitlab',
    'junit': 'findings_gate.render.junit',
    'rdjson': 'findings_gate.render.rdjson',
}


# characters a terminal acts on (C1 controls, bidirectional controls, line separators), and
# `##[`, which GitHub's runner takes for a workflow command anywhere in a line of a step's log:
# in JSON and XML they are only ever inside strings and text, so escaping them there loses nothing
# (lone surrogates too: JSON keeps them as escapes; the JUnit writer has already escaped them)
_INERT = re.compile('[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]|##\\[')
_COMMAND_LINE = re.compile(r'^([ \t]*):(?=:)', re.M)  # a line the runner reads as `::command`
JSON_FORMATS = ('json', 'sarif', 'zuul', 'gerrit', 'gitlab', 'rdjson')


def json_inert(output: str) -> str:
    """JSON text that means the same, with what a terminal or the runner would act on as `\\u` escapes."""
    return _INERT.sub(lambda m: '#\\u0023[' if m[0] == '##[' else f'\\u{ord(m[0]):04x}', output)


def xml_inert(output: str) -> str:
    """XML that means the same, with what a terminal or the runner would act on as character references."""
    output = _INERT.sub(lambda m: '#&#35;[' if m[0] == '##[' else f'&#x{ord(m[0]):x};', output)
    return _COMMAND_LINE.sub(r'\1&#58;', output)


def render(name: str, decision: Decision) -> str:
    module = importlib.import_module(RENDERERS[name])
    output: str = module.render(decision)
    if name in JSON_FORMATS:
        return json_inert(output)
    if name == 'junit':
        return xml_inert(output)
    return output
