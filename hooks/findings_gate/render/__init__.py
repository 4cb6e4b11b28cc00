"""Output formats: each module's `render(decision) -> str` writes one document."""
from __future__ import annotations

import importlib

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


def render(name: str, decision: Decision) -> str:
    module = importlib.import_module(RENDERERS[name])
    output: str = module.render(decision)
    return output
