"""`findings-gate schema NAME`: print a packaged schema; for the report, also the form a model's
structured-output mode takes (`--for-llm`, llm_schema.py) and the prompt `review` sends (`--prompt`)."""
from __future__ import annotations

import json

from findings_gate import llm_schema, schema
from findings_gate.commands.check import Write
from findings_gate.errors import PASS, GateError

NAMES = ('report', 'policy', 'waivers', 'baseline', 'decision')


def run(name: str, *, for_llm: bool, prompt: bool, out: Write) -> int:
    if (for_llm or prompt) and name != 'report':
        raise GateError(f'schema {name}: --for-llm and --prompt are for the report schema; '
                        f'run findings-gate schema report {"--for-llm" if for_llm else "--prompt"}')
    if for_llm and prompt:
        raise GateError('schema report: give --for-llm or --prompt, not both (the prompt shows the schema)')
    if prompt:
        out(llm_schema.prompt())
    elif for_llm:
        out(json.dumps(llm_schema.for_llm(), indent=2) + '\n')
    else:
        out(schema.text(name))
    return PASS
