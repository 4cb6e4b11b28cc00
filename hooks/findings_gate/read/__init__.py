"""Reading reports: each input format turns raw report bytes into native report documents.

A format's module has `parse(data, origin)`, the one document its input holds, or,
for a code host's export of review comments, `parse_all(data, origin)`: one
document per reviewer and reviewed revision, each with its origin.
"""
from __future__ import annotations

import importlib
import re
from typing import Any

from findings_gate.errors import GateError

# name -> module whose `parse(data, origin)` returns a native report document
FORMATS = {
    'native': 'findings_gate.read.native',
    'text': 'findings_gate.read.prose',
    'sarif': 'findings_gate.read.sarif',
    'rdjson': 'findings_gate.read.rdjson',
    'rdjsonl': 'findings_gate.read.rdjson',
    'codeclimate': 'findings_gate.read.codeclimate',
    'github-comments': 'findings_gate.read.github_comments',
    'github-reviews': 'findings_gate.read.github_reviews',
    'gitlab-discussions': 'findings_gate.read.gitlab_discussions',
    'gerrit-comments': 'findings_gate.read.gerrit_comments',
}

# patterns, compiled (and cached by `re`) on first use: the policy's YAML imports
# this package too, and needs none of them
# the first line of a native report written as YAML names one of its keys
_NATIVE_YAML = (
    rb'^(?:\s*#[^\n]*\n|\s*\n|---\s*\n)*\s*["\']?(?:version|reviewer|findings|change|complete|'
    rb'verdict|notes|\$schema)["\']?\s*:'
)
_KEYS = rb'"(\$schema|version|reviewer|findings|runs|diagnostics|check_name|message|location)"\s*:'
_FRONT_MATTER = rb'^---[ \t]*\r?\n(?:.*\r?\n)*?---[ \t]*\r?\n\s*\S'
_ISSUE_TYPE = rb'"type"\s*:\s*"issue"'
# a code host's export: an array (of arrays, from `gh api --paginate --slurp`) of objects
# with the host's keys, or Gerrit's object of paths after its `)]}'` line
_ARRAY_OF_OBJECTS = rb'\[\s*(?:\[\s*)?\{'
_GERRIT = rb"\)\]\}'|\{\s*\"(?:[^\"\\]|\\.)*\"\s*:\s*\[\s*\{"

# prose that opens like JSON: '[1] SQL…', '[2024-05-01 10:02] alice:', '[ ] todo', a Jira macro
_PROSE_OPENING = rb'\[[^\]\n]*\][ \t]*[^\s,\]\[{}":]|\{(?:code|noformat|quote|panel)[:}]'


def detect(data: bytes) -> str:
    """The name of the format `data` is in, from its first 64 KiB; prose when it is not JSON or YAML."""
    head = data[:65536].lstrip(b'\xef\xbb\xbf \t\r\n')
    host = _code_host(head)
    if host:
        return host
    if re.match(_NATIVE_YAML, head):
        return 'text' if re.match(_FRONT_MATTER, head, re.M) else 'native'  # Markdown front matter
    if not re.match(rb'\{|\[\s*[\[{"\]\d-]', head) or re.match(_PROSE_OPENING, head):
        return 'text'
    keys = set(re.findall(_KEYS, head))
    if b'reviewer' in keys or b'findings' in keys:
        return 'native'
    if b'runs' in keys or re.search(rb'"\$schema"\s*:\s*"[^"]*sarif', head):
        return 'sarif'
    if b'diagnostics' in keys:
        return 'rdjson'
    if tool_output(head) is not None:
        return 'unknown'  # a tool's own JSON, which its SARIF says better
    if head[:1] == b'[' and (b'check_name' in keys or b'location' in keys or re.fullmatch(rb'\[\s*\]\s*', head)):
        return 'codeclimate'
    if head[:1] == b'{' and (b'check_name' in keys or re.search(_ISSUE_TYPE, head, re.I)):
        return 'codeclimate'  # an engine's issues, each ended by NUL, or one issue
    if head[:1] == b'{' and b'message' in keys and (b'\n{' in head.rstrip() or b'location' in keys):
        return 'rdjsonl'  # one diagnostic per line
    if re.search(rb'"version"\s*:\s*1\b', head):
        return 'native'  # the native schema will say what is missing
    return 'unknown'


# a tool's own JSON output, by keys its first objects have -> what to run instead
_TOOL_OUTPUTS = (
    ((b'"generated_at"', b'"metrics"', b'"results"'), "bandit's JSON: run bandit with -f sarif (pip install 'bandit[sarif]')"),
    ((b'"filename"', b'"end_location"', b'"code"'), "ruff's JSON: run ruff check with --output-format sarif"),
    ((b'"check_id"', b'"results"', b'"paths"'), "semgrep's JSON: run semgrep with --sarif"),
    ((b'"FromLinter"', b'"Issues"'), "golangci-lint's JSON: run golangci-lint with --out-format sarif"),
    ((b'"Issues"', b'"Stats"'), "gosec's JSON: run gosec with -fmt sarif"),
    ((b'"filePath"', b'"messages"'), "ESLint's JSON: run ESLint with -f @microsoft/eslint-formatter-sarif"),
    ((b'"SchemaVersion"', b'"Results"'), "trivy's JSON: run trivy with --format sarif"),
    ((b'"check_type"', b'"failed_checks"'), "checkov's JSON: run checkov with -o sarif"),
    ((b'"code"', b'"file"', b'"level"', b'"line"', b'"column"'), "hadolint's JSON: run hadolint with -f sarif"),
)


def tool_output(head: bytes) -> str | None:
    """What to run instead, when `head` starts a known analyser's own JSON rather than a report."""
    return next((hint for keys, hint in _TOOL_OUTPUTS if all(k in head for k in keys)), None)


def _code_host(head: bytes) -> str | None:
    """The code host export `head` starts, by the keys its first objects have (quoted keys: in a
    JSON string the quotes would be escaped)."""
    if re.match(_GERRIT, head):
        return 'gerrit-comments' if head[:1] == b')' or b'"patch_set"' in head else None
    if not re.match(_ARRAY_OF_OBJECTS, head):
        return None
    if b'"diff_hunk"' in head and b'"pull_request_review_id"' in head:
        return 'github-comments'
    if b'"state"' in head and b'"pull_request_url"' in head:
        return 'github-reviews'
    if b'"individual_note"' in head and b'"notes"' in head:
        return 'gitlab-discussions'
    return None


def parse_all(data: bytes, origin: str, name: str | None = None) -> list[tuple[str, Any]]:
    """Every native report document in `data`, read as format `name` (detected when None), each
    with its origin: one for most formats, one per reviewer and revision for a code host's export."""
    name = name or detect(data)
    if name == 'unknown':
        from findings_gate.read import native  # cli reads FORMATS at start-up; native brings documents

        native.parse(data, origin)  # broken JSON: say where
        hint = tool_output(data[:65536])
        if hint is not None:
            raise GateError(f'{origin}: {hint}, which the gate reads (or pass --report-format)')
        raise GateError(f'{origin}: not a report in a known format (tried {", ".join(FORMATS)}); '
                        f'pass --report-format or write a native report')
    try:
        module = importlib.import_module(FORMATS[name])
    except ModuleNotFoundError:
        raise GateError(f'{origin}: the {name} format is not available in this version') from None
    if hasattr(module, 'parse_all'):
        found: list[tuple[str, Any]] = module.parse_all(data, origin)
        return found
    return [(origin, module.parse(data, origin))]


def parse(data: bytes, origin: str, name: str | None = None) -> Any:
    """The native report document in `data`, read as format `name` (detected when None)."""
    found = parse_all(data, origin, name)
    if len(found) != 1:
        raise GateError(f'{origin}: holds {len(found)} reports (one per reviewer and reviewed revision), '
                        f'where one was expected')
    return found[0][1]
