"""Output formats: each module's `render(decision) -> str` writes one document."""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cli.py reads RENDERERS at start-up: the records and the escaping are not needed then
    from findings_gate.model import Decision

# name -> module; imported only when that format is asked for
RENDERERS = {
    'text': 'findings_gate.render.terminal',
    'json': 'findings_gate.render.json',
    'sarif': 'findings_gate.render.sarif',
    'github': 'findings_gate.render.github',
    'markdown': 'findings_gate.render.markdown',
    'zuul': 'findings_gate.render.zuul',
    'gerrit': 'findings_gate.render.gerrit',
    'gitlab': 'findings_gate.render.gitlab',
    'junit': 'findings_gate.render.junit',
    'rdjson': 'findings_gate.render.rdjson',
    'github-review': 'findings_gate.render.github_review',
    'github-checks': 'findings_gate.render.github_checks',
    'html': 'findings_gate.render.html',
}


SIGNED = ('json', 'sarif')  # the formats that show each finding's signature
JSON_FORMATS = ('json', 'sarif', 'zuul', 'gerrit', 'gitlab', 'rdjson', 'github-review', 'github-checks')


def render(name: str, decision: Decision) -> str:
    from findings_gate.render.inert import json_inert, xml_inert  # see TYPE_CHECKING above

    module = importlib.import_module(RENDERERS[name])
    output: str = module.render(decision)
    if name in JSON_FORMATS:
        return json_inert(output)
    if name == 'junit':
        return xml_inert(output)
    return output


def chunks(name: str, decision: Decision) -> Iterator[str]:
    """The document in pieces, for a format that writes it so (JSON: no copy of every finding
    held), else whole."""
    from findings_gate.render.inert import json_inert

    module = importlib.import_module(RENDERERS[name])
    if not hasattr(module, 'chunks'):
        yield render(name, decision)
        return
    for chunk in module.chunks(decision):
        yield json_inert(chunk) if name in JSON_FORMATS else chunk
