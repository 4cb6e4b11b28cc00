"""Write schemas/vendor/github-*.schema.json: the response schemas of two endpoints of
GitHub's REST API that the readers check, and the request-body schemas of three that
the github-review and github-checks outputs are tested against, taken from GitHub's
OpenAPI description in the npm package @octokit/openapi, as JSON Schema 2020-12
(schemas/vendor/README.md says how to run it).

OpenAPI 3.0 schemas are turned into JSON Schema: `nullable: true` becomes a `null`
type, `example` (not a JSON Schema keyword) is left out. Then the corrections listed
in CORRECTIONS are applied: fields the description marks as never null that GitHub
does send as null, each with the upstream report that says so.

Usage: python .ci/extract-github-schemas.py NODE_MODULES_DIR schemas/vendor
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# name -> (method, path): GET for the response, any other method for the request body
ENDPOINTS = {
    'github-pull-review-comments': ('get', '/repos/{owner}/{repo}/pulls/{pull_number}/comments'),
    'github-pull-reviews': ('get', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'),
    'github-create-review': ('post', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'),
    'github-create-check-run': ('post', '/repos/{owner}/{repo}/check-runs'),
    'github-update-check-run': ('patch', '/repos/{owner}/{repo}/check-runs/{check_run_id}'),
}
# (schema, property, why): a property of each item that GitHub sends as null although
# the description says it never is
CORRECTIONS = [
    ('github-pull-review-comments', 'position',
     'null on an outdated comment: github/rest-api-description#1901 and #5568 (open)'),
    ('github-pull-review-comments', 'line',
     'null on an outdated comment, which keeps original_line, and on a file comment (subject_type: file)'),
    ('github-pull-review-comments', 'original_line', 'null on a file comment (subject_type: file)'),
]


def convert(node: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema 2020-12."""
    if isinstance(node, list):
        return [convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: convert(v) for k, v in node.items() if k not in ('example', 'nullable')}
    if node.get('nullable'):
        nullable(out)
    return out


def nullable(schema: dict[str, Any]) -> None:
    kind = schema.get('type')
    if isinstance(kind, str):
        schema['type'] = [kind, 'null']
    elif isinstance(kind, list) and 'null' not in kind:
        kind.append('null')
    if 'enum' in schema and None not in schema['enum']:
        schema['enum'].append(None)


def main(node_modules: str, target: str) -> None:
    package = Path(node_modules, '@octokit', 'openapi')
    meta = json.loads((package / 'package.json').read_text(encoding='utf-8'))
    spec = json.loads((package / 'generated' / 'api.github.com.deref.json').read_text(encoding='utf-8'))
    for name, (method, path) in ENDPOINTS.items():
        operation = spec['paths'][path][method]
        if method == 'get':
            what = 'the response'
            found = operation['responses']['200']['content']['application/json']['schema']
        else:
            what = 'the request body'
            found = operation['requestBody']['content']['application/json']['schema']
        schema = {
            '$schema': 'https://json-schema.org/draft/2020-12/schema',
            '$id': f'urn:findings-gate:vendor:{name}',
            'title': f'GitHub REST API: {method.upper()} {path}, {what}',
            '$comment': (f'Extracted from {meta["name"]} {meta["version"]} ({meta["license"]} License), '
                         f'api.github.com, by .ci/extract-github-schemas.py; corrections in README.md'),
            **convert(found),
        }
        for where, field, _ in CORRECTIONS:
            if where == name:
                nullable(schema['items']['properties'][field])
        out = Path(target, f'{name}.schema.json')
        out.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
        print(f'{out}: {method.upper()} {path} from {meta["name"]} {meta["version"]}')


if __name__ == '__main__':
    main(*sys.argv[1:3])
