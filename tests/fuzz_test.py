"""Property tests of every reader: whatever the input, a result or a one-line error, never a crash or a hang.

Each reader gets random bytes and text, and documents that are nearly valid: a
valid one of its format with fields replaced by values of the wrong type, huge
or negative numbers, odd Unicode (lone surrogates, NULs, bidirectional
controls, line separators), keys removed or added, deep nesting, written with
CRLF, a byte-order mark or trailing garbage. The invariants:

- `sources.read(Source(...))` returns a Report or an InvalidReport whose every
  problem is one line (an invalid report is a condition the policy decides);
- `policy.parse` returns a Policy, whose rules can decide any finding, or raises
  GateError of one line per problem;
- `waivers.parse` returns waivers, which can be applied to any finding, or
  raises GateError of one line per problem;
- `diff.parse_diff` returns a Change or raises GateError of one line;
- a report that reads places, is decided and renders in every output format.

A hang is caught twice: hypothesis' deadline for slow inputs, and a watchdog
(SIGALRM) that turns one that never returns into a failure instead of a stuck run.

Profiles: `fuzz-short` (the default, derandomised so the normal suite is stable:
a few seconds per reader) and `fuzz-long`, at least 100,000 examples per test, run
before a release: `FINDINGS_GATE_FUZZ=long pytest -m fuzz -p no:cacheprovider`.
The long profile keeps failing examples in `$FINDINGS_GATE_TEST_CACHE/hypothesis`
(default `~/.cache/findings-gate-tests/hypothesis`) and replays them first.

"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from findings_gate import render
from findings_gate.decide import policy, waivers
from findings_gate.errors import GateError
from findings_gate.model import (
    Change,
    FileChange,
    Finding,
    Grounding,
    InvalidReport,
    Location,
    Placed,
    Report,
    Reviewer,
)
from findings_gate.place import diff, placement
from findings_gate.read import FORMATS, sources

pytestmark = pytest.mark.fuzz

DEADLINE_MS = 5000  # per example; a reader answers a few KiB in milliseconds
WATCHDOG_S = 60  # an example still running then is a hang

settings.register_profile(
    'fuzz-short', max_examples=40, deadline=DEADLINE_MS, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True,
)
settings.register_profile(
    'fuzz-medium', max_examples=2_000, deadline=DEADLINE_MS, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True,
)
settings.register_profile(
    'fuzz-long', max_examples=100_000, deadline=DEADLINE_MS,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True,
    database=DirectoryBasedExampleDatabase(str(Path(os.environ.get(
        'FINDINGS_GATE_TEST_CACHE', Path.home() / '.cache' / 'findings-gate-tests')) / 'hypothesis')),
)
PROFILE = settings.get_profile(f'fuzz-{os.environ.get("FINDINGS_GATE_FUZZ", "short")}')


class Hang(Exception):
    """An example that did not return within the watchdog's time."""


@contextlib.contextmanager
def watchdog(seconds: float = WATCHDOG_S) -> Iterator[None]:
    def hang(signum: int, frame: object) -> None:
        raise Hang(f'no answer after {seconds} s')

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def one_line(text: str) -> bool:
    """Whether `text` shows as one line wherever it goes: no line break Python or a terminal knows."""
    return bool(text) and text.splitlines() == [text]


def reads(data: bytes, fmt: str | None = None) -> Report | InvalidReport | None:
    """`sources.read_all` holds its invariant on `data`; the one result (None: a code host's
    export of no comment, or of several reviewers)."""
    with watchdog():
        results = sources.read_all(sources.Source('reviews/fuzz.json', data), fmt)
    for result in results:
        assert isinstance(result, (Report, InvalidReport))
        if isinstance(result, InvalidReport):
            assert result.problems
            for problem in result.problems:
                assert one_line(problem), problem
    return results[0] if len(results) == 1 else None


# ---- values and documents ----------------------------------------------------------------------

# text that means something to a terminal, a parser or a line splitter
ODD_CHARS = st.sampled_from([
    '\0', '\r', '\n', '\r\n', '\t', '\x0b', '\x0c', '\x1b[31m', '\x85', '\u2028', '\u2029', '\u202e',
    '\ufeff', '\ud800', '\udfff', '\U0001f600', 'é', '\u0301', '::', '%0A', '"', "'", '\\', '{', '[',
    ':', '#', '&a', '*a', '- ', '---', '...', '@@', '+++', '---', '|', '`', '<', '>',
])
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(ODD_CHARS, st.text(max_size=8)), max_size=8).map(''.join),
    st.sampled_from(['', ' ', 'high', 'error', 'CWE-79', 'cwe-89', 'app.py', '/etc/passwd', '../x.py',
                     'file:///tmp/x.py', 'a\\b.py', '2.1.0', '1.0.0', 'ERROR', 'blocker', 'new', 'old']),
)
NUMBERS = st.one_of(
    st.integers(-3, 3), st.integers(), st.sampled_from([2**31, 2**63, -2**63, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _paths(child, (*path, i))


@st.composite
def mutated(draw: st.DrawFn, base: Any, values: st.SearchStrategy[Any] = VALUES) -> Any:
    """`base` with one to three of its fields replaced, removed, or given a sibling."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(sorted(_paths(document), key=repr)))
        if not path:
            continue
        *above, last = path
        parent = document
        for key in above:
            parent = parent[key]
        action = draw(st.sampled_from(['replace', 'replace', 'remove', 'add', 'deepen']))
        if action == 'replace':
            parent[last] = copy.deepcopy(draw(values))
        elif action == 'remove':
            del parent[last]
        elif action == 'deepen':
            depth = draw(st.sampled_from([2, 50, 99, 101, 500]))
            for _ in range(depth):
                parent[last] = [parent[last]]
        elif isinstance(parent, dict):
            parent[draw(TEXT)] = copy.deepcopy(draw(values))
        else:
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(draw(values)))
    return document


@st.composite
def written(draw: st.DrawFn, document: Any) -> bytes:
    """A JSON document as some writer might have written it."""
    text = json.dumps(document, ensure_ascii=draw(st.booleans()), allow_nan=True,
                      indent=draw(st.sampled_from([None, 2])))
    if draw(st.booleans()):
        text = text.replace('\n', '\r\n')
    data = text.encode('utf-8', 'surrogatepass')
    ending = draw(st.sampled_from([b'', b'\n', b'\0', b'  \n\n', b'}', b'garbage', b'\xff']))
    if draw(st.integers(0, 9)) == 0:  # cut off, as a truncated upload
        data = data[:draw(st.integers(0, len(data)))]
    return (b'\xef\xbb\xbf' if draw(st.integers(0, 9)) == 0 else b'') + data + ending


NATIVE = {
    'version': 1,
    'reviewer': {'name': 'sec-bot', 'kind': 'llm', 'model': 'm', 'version': '1'},
    'change': {'revision': 'abc123', 'base': 'def456', 'id': '42', 'files': ['app.py']},
    'complete': True, 'verdict': 'findings', 'notes': ['a note'],
    'findings': [{
        'title': 'SQL injection', 'severity': 'high', 'message': 'long text', 'confidence': 'medium',
        'category': 'security', 'cwe': ['CWE-89'], 'cwe_names': {'CWE-89': 'SQL Injection'}, 'rule': 'B608',
        'location': {'path': 'app.py', 'start_line': 3, 'end_line': 4, 'start_column': 1, 'end_column': 9,
                     'symbol': 'query', 'side': 'new'},
        'related': [{'path': 'db.py', 'start_line': 1}], 'suggestion': 'bind it', 'fingerprint': 'f1',
        'fingerprints': {'primaryLocationLineHash': 'abc:1'}, 'suppression': {'kind': 'inSource'},
        'source': {'start_line': 1, 'end_line': 2},
    }],
}
SARIF = {
    'version': '2.1.0', '$schema': 'https://json.schemastore.org/sarif-2.1.0.json',
    'runs': [{
        'tool': {'driver': {'name': 'scanner', 'version': '1.0', 'rules': [{
            'id': 'R1', 'name': 'Injection', 'shortDescription': {'text': 'injection'},
            'fullDescription': {'text': 'more'}, 'help': {'text': 'fix it'},
            'defaultConfiguration': {'level': 'error'},
            'properties': {'tags': ['security', 'external/cwe/cwe-89'], 'security-severity': '8.1',
                           'precision': 'high'}}]}},
        'originalUriBaseIds': {'SRC': {'uri': 'file:///work/'}},
        'invocations': [{'executionSuccessful': True}],
        'results': [{
            'ruleId': 'R1', 'ruleIndex': 0, 'level': 'warning', 'kind': 'fail',
            'message': {'text': 'user input in {0}', 'arguments': ['query']},
            'locations': [{'physicalLocation': {
                'artifactLocation': {'uri': 'app.py', 'uriBaseId': 'SRC'},
                'region': {'startLine': 3, 'startColumn': 2, 'endLine': 3, 'endColumn': 9}},
                'logicalLocations': [{'fullyQualifiedName': 'query'}]}],
            'relatedLocations': [{'physicalLocation': {'artifactLocation': {'uri': 'db.py'}}}],
            'partialFingerprints': {'primaryLocationLineHash': 'abc:1'},
            'suppressions': [{'kind': 'inSource', 'status': 'accepted'}],
            'fixes': [{'description': {'text': 'bind'}}],
            'taxa': [{'id': '89', 'toolComponent': {'name': 'CWE'}}],
            'properties': {'cwe': 'CWE-79'},
        }],
        'columnKind': 'utf16CodeUnits',
    }],
}
RDJSON = {
    'source': {'name': 'linter', 'url': 'https://example.invalid'}, 'severity': 'WARNING',
    'diagnostics': [{
        'message': 'bad thing', 'severity': 'ERROR', 'code': {'value': 'E1', 'url': 'u'},
        'location': {'path': 'app.py', 'range': {'start': {'line': 3, 'column': 2}, 'end': {'line': 4, 'column': 1}}},
        'suggestions': [{'range': {'start': {'line': 3}}, 'text': 'x'}],
        'related_locations': [{'message': 'm', 'location': {'path': 'db.py', 'range': {'start': {'line': 1}}}}],
        'original_output': 'app.py:3:2: bad thing',
    }],
}
CODECLIMATE = [{
    'type': 'issue', 'check_name': 'C1', 'description': 'complex function', 'severity': 'major',
    'categories': ['Complexity', 'Security'], 'fingerprint': 'f1', 'engine_name': 'eng',
    'content': {'body': 'more'},
    'location': {'path': 'app.py', 'lines': {'begin': 3, 'end': 5}},
    'other_locations': [{'path': 'db.py', 'positions': {'begin': {'line': 1, 'column': 2},
                                                         'end': {'line': 1, 'column': 4}}}],
    'trace': {'locations': [{'path': 'x.py', 'positions': {'begin': {'offset': 3}}}]},
}]
GITHUB_USER = {'login': 'coderabbitai[bot]', 'id': 1, 'node_id': 'n', 'avatar_url': 'u', 'gravatar_id': '', 'url': 'u',
               'html_url': 'u', 'followers_url': 'u', 'following_url': 'u', 'gists_url': 'u', 'starred_url': 'u',
               'subscriptions_url': 'u', 'organizations_url': 'u', 'repos_url': 'u', 'events_url': 'u',
               'received_events_url': 'u', 'type': 'Bot', 'site_admin': False}
GITHUB_COMMENTS = [{
    'url': 'u', 'pull_request_review_id': 1, 'id': 2, 'node_id': 'n', 'diff_hunk': '@@ -1 +1 @@\n+x', 'path': 'app.py',
    'position': None, 'original_position': 3, 'commit_id': 'a' * 40, 'original_commit_id': 'b' * 40,
    'user': GITHUB_USER,
    'body': '_⚠️ Potential issue_\n\n**SQL injection** in `query` (CWE-89): user input reaches the query.',
    'created_at': 't', 'updated_at': 't', 'html_url': 'u', 'pull_request_url': 'u', 'author_association': 'NONE',
    '_links': {'self': {'href': 'u'}, 'html': {'href': 'u'}, 'pull_request': {'href': 'u'}},
    'start_line': None, 'original_start_line': 2, 'start_side': 'RIGHT', 'line': None, 'original_line': 3,
    'side': 'LEFT', 'subject_type': 'line',
}]
GITHUB_REVIEWS = [{
    'id': 3, 'node_id': 'n', 'user': GITHUB_USER, 'body': '1. SQL injection in app.py line 3', 'state': 'CHANGES_REQUESTED',
    'html_url': 'u', 'pull_request_url': 'u', '_links': {'html': {'href': 'u'}, 'pull_request': {'href': 'u'}},
    'submitted_at': 't', 'commit_id': 'a' * 40, 'author_association': 'MEMBER',
}]
GITLAB_DISCUSSIONS = [{'id': 'd', 'individual_note': False, 'notes': [{
    'id': 4, 'type': 'DiffNote', 'body': 'This builds SQL from user input.', 'author': {'id': 1, 'username': 'alice'},
    'system': False, 'resolvable': True, 'resolved': True, 'resolved_by': {'id': 2, 'username': 'bob'},
    'position': {'base_sha': 'a' * 40, 'start_sha': 'a' * 40, 'head_sha': 'b' * 40, 'old_path': 'app.py',
                 'new_path': 'app.py', 'position_type': 'text', 'old_line': 2, 'new_line': None,
                 'line_range': {'start': {'line_code': 'x_1_0', 'type': 'old'}, 'end': {'line_code': 'x_2_0', 'type': 'old'}}},
}]}]
GERRIT_COMMENTS = {'app.py': [{
    'id': 'c1', 'patch_set': 2, 'author': {'_account_id': 7, 'username': 'bot', 'tags': ['SERVICE_USER']},
    'line': 4, 'range': {'start_line': 2, 'start_character': 0, 'end_line': 4, 'end_character': 0},
    'message': '[high] The query is built from user input.', 'unresolved': True, 'updated': 't', 'commit_id': 'c' * 40,
}], '/COMMIT_MSG': [{'id': 'c2', 'patch_set': 2, 'author': {'_account_id': 7, 'username': 'bot'}, 'line': 1,
                                   'message': 'Typo', 'updated': 't'}]}
BASES = {'native': NATIVE, 'sarif': SARIF, 'rdjson': RDJSON, 'codeclimate': CODECLIMATE,
         'github-comments': GITHUB_COMMENTS, 'github-reviews': GITHUB_REVIEWS,
         'gitlab-discussions': GITLAB_DISCUSSIONS, 'gerrit-comments': GERRIT_COMMENTS}


@pytest.fixture(scope='module', autouse=True)
def warm() -> None:
    """Imports and compiled schemas before the first timed example."""
    for name, base in BASES.items():
        reads(json.dumps(base).encode(), name)
    reads(b'1. SQL injection in app.py line 3 (CWE-89)\n', 'text')
    policy.parse(policy.DEFAULT, 'p')


def test_the_valid_bases_read_as_reports() -> None:
    for name, base in BASES.items():
        assert isinstance(reads(json.dumps(base).encode()), Report), name
        assert isinstance(reads(json.dumps(base).encode(), name), Report), name


# ---- every reader, on random input -------------------------------------------------------------

READERS = [None, *FORMATS]  # None: detected from the content


@pytest.mark.parametrize('fmt', READERS)
@PROFILE
@given(data=st.binary(max_size=600))
def test_any_bytes(fmt: str | None, data: bytes) -> None:
    reads(data, fmt)


@pytest.mark.parametrize('fmt', READERS)
@PROFILE
@given(text=st.text(max_size=400))
def test_any_text(fmt: str | None, text: str) -> None:
    reads(text.encode('utf-8', 'surrogatepass'), fmt)


# ---- nearly valid documents, format by format --------------------------------------------------

@pytest.mark.parametrize('fmt', sorted(BASES))
@PROFILE
@given(data=st.data())
def test_nearly_valid_documents(fmt: str, data: st.DataObject) -> None:
    document = data.draw(mutated(BASES[fmt]))
    written_out = data.draw(written(document))
    reads(written_out)
    reads(written_out, fmt)


@PROFILE
@given(data=st.data())
def test_nearly_valid_rdjsonl(data: st.DataObject) -> None:
    diagnostic = data.draw(mutated(RDJSON['diagnostics'][0]))
    lines = [json.dumps(diagnostic), json.dumps(RDJSON['diagnostics'][0]), data.draw(TEXT)]
    reads('\n'.join(data.draw(st.permutations(lines))).encode('utf-8', 'surrogatepass'), 'rdjsonl')


@PROFILE
@given(data=st.data())
def test_nearly_valid_codeclimate_streams(data: st.DataObject) -> None:
    issues = [data.draw(mutated(CODECLIMATE[0])) for _ in range(data.draw(st.integers(1, 3)))]
    separator = data.draw(st.sampled_from(['\0', '\0\n', '\n', '']))
    reads(separator.join(json.dumps(i) for i in issues).encode('utf-8', 'surrogatepass'))


def _yaml(document: Any) -> bytes:
    try:
        return yaml.safe_dump(document, allow_unicode=True).encode('utf-8', 'surrogatepass')
    except (yaml.YAMLError, RecursionError):  # what PyYAML cannot write (surrogates, depth)
        return json.dumps(document).encode('utf-8', 'surrogatepass')


@PROFILE
@given(data=st.data())
def test_nearly_valid_native_yaml(data: st.DataObject) -> None:
    reads(_yaml(data.draw(mutated(NATIVE))), 'native')


YAML_PIECES = st.sampled_from([
    'version: 1\n', 'reviewer: {name: a, kind: llm}\n', 'findings: []\n', 'findings:\n', '  - title: t\n',
    '    severity: high\n', '    location: {path: a.py, start_line: 1}\n', '- ', '[', ']', '{', '}', ': ',
    '&a ', '*a', '&b [*a, *a, *a]\n', '<<: *a\n', '!!python/object:os.system ', '!!binary ', '? ', '|\n',
    '>-\n', '"\\u0000"', "'x'", '2024-13-45', '0x1F', '1e400', '.nan', '~', '---\n', '...\n', '%YAML 1.1\n',
    '\t', '  ', '\n', '#', 'cwe_names: {79: x}\n', '{[1]: 2}',
])


@PROFILE
@given(pieces=st.lists(st.one_of(YAML_PIECES, TEXT), max_size=30))
def test_yaml_made_of_its_syntax(pieces: list[str]) -> None:
    reads(('version: 1\n' + ''.join(pieces)).encode('utf-8', 'surrogatepass'), 'native')


# ---- prose -------------------------------------------------------------------------------------

PROSE_PIECES = st.sampled_from([
    '# Review\n', '## Security issues\n', '**Issue 1: SQL injection**\n', 'Issue 2:', '1. ', '2) ', '- ', '* ',
    '   - ', '> ', '| Issue | Line | Severity |\n|---|---|---|\n', '| x | 12 | high |\n', '```python\n', '```\n',
    'Line 12', 'lines 3-5', 'L42', 'L10-L20', '#L10-L20', 'around line 7', '~1515', 'app.py:42', 'src/a b.py:8-10',
    '`run_query()`', 'CWE-79', 'CWE 284', 'cwe_89', 'CWE-703: Improper Check', '(CWE-20)',
    'https://cwe.mitre.org/data/definitions/79.html', 'critical', 'high severity', 'Severity: low',
    'Location:', 'Description:', 'Recommendation:', 'Fix:', 'potential', 'could allow', 'injection',
    'does not check', 'Consider renaming', 'No security defects are detected.', 'LGTM', 'no critical issues',
    'if no defects are detected, say so', '>> Issue: [B608:hardcoded_sql_expressions] SQL\n',
    '   Severity: Medium   Confidence: Low\n', '   CWE: CWE-89\n', '   Location: ./app.py:3:4\n',
    'app.py:3:5: warning: unused variable [-Wunused]\n', '`42-48`: ', 'To address these issues:\n',
    'doesnâ€™t', '\u202e', '\r\n', '\n', '\n\n', ' ', '\t', '...', '(', ')', '[', ']', ':', '---\n', '===\n',
])


@PROFILE
@given(pieces=st.lists(st.one_of(PROSE_PIECES, PROSE_PIECES, TEXT), max_size=40))
def test_prose_made_of_what_the_reader_looks_for(pieces: list[str]) -> None:
    reads(''.join(pieces).encode('utf-8', 'surrogatepass'), 'text')


@PROFILE
@given(piece=PROSE_PIECES, times=st.integers(1, 400), tail=TEXT)
def test_prose_with_a_piece_repeated(piece: str, times: int, tail: str) -> None:
    # what makes a regular expression backtrack: many of the same thing, then something else
    reads((piece * times + tail).encode('utf-8', 'surrogatepass'), 'text')


# ---- the unified diff --------------------------------------------------------------------------

PATHS = st.one_of(st.sampled_from(['a.py', 'dir/a b.py', 'ü.py', '"a/\\303\\274.py"', '"a/\\x"', '"unterminated',
                                   '/dev/null', 'a/x', 'b/x', '']), TEXT)


def _digits(n: int) -> str:
    return '9' * 5000 if n == 10**5000 - 1 else str(n)  # str() refuses past 4300 digits


@st.composite
def diffs(draw: st.DrawFn) -> str:
    """Unified diffs, most nearly valid: headers, hunk headers with any counts, bodies of any lines."""
    out = []
    for _ in range(draw(st.integers(0, 3))):
        old, new = draw(PATHS), draw(PATHS)
        if draw(st.booleans()):
            out.append(f'diff --git a/{old} b/{new}')
        out += draw(st.lists(st.sampled_from([
            'new file mode 100644', 'deleted file mode 100644', 'old mode 100644', 'new mode 100755',
            f'rename from {old}', f'rename to {new}', f'copy from {old}', 'index 1234567..89abcde 100644',
            'index 0000000..1234567 160000', 'Binary files a/x and b/x differ', 'GIT binary patch',
            'similarity index 90%']), max_size=3))
        if draw(st.booleans()):
            out += [f'--- {draw(PATHS)}', f'+++ {draw(PATHS)}']
        for _ in range(draw(st.integers(0, 3))):
            counts = st.one_of(st.integers(0, 4), st.integers(0, 10**20), st.just(10**5000 - 1)).map(_digits)
            old_count, new_count = draw(counts), draw(counts)
            out.append(f'@@ -{draw(counts)},{old_count} +{draw(counts)},{new_count} @@{draw(TEXT)}')
            body = st.one_of(st.sampled_from(['+x', '-x', ' x', '', '\\ No newline at end of file', '+', '-',
                                              'Subproject commit abc', '@@ -1 +1 @@', '+\r', 'x']),
                             st.tuples(st.sampled_from('+- '), TEXT).map(''.join))
            out += draw(st.lists(body, max_size=8))
    if draw(st.booleans()):
        out.insert(0, draw(st.sampled_from(['From abc Mon Sep 17 00:00:00 2001', 'commit abc', 'Subject: x', '-- '])))
    return draw(st.sampled_from(['\n', '\r\n'])).join(out) + draw(st.sampled_from(['', '\n']))


def parses(text: str) -> None:
    with watchdog():
        try:
            change = diff.parse_diff(text, 'fuzz.patch')
        except GateError as e:
            assert one_line(str(e)), str(e)
        else:
            assert isinstance(change, Change)
            for file in change.files:
                assert all(1 <= a <= b for a, b in file.added + file.deleted), file


@PROFILE
@given(text=diffs())
def test_nearly_valid_diffs(text: str) -> None:
    parses(text)


@PROFILE
@given(text=st.text(max_size=400))
def test_any_text_as_a_diff(text: str) -> None:
    parses(text)


# ---- the policy --------------------------------------------------------------------------------

POLICY = yaml.safe_load(policy.DEFAULT) | {'rules': [
    {'name': 'r1', 'severity': 'high', 'confidence': 'medium', 'category': ['security', 'style'],
     'cwe': ['CWE-284'], 'rule': ['B6*', 'python.lang.*'], 'reviewer': ['bot'], 'paths': ['src/**', '!x'],
     'reviewer_kind': 'llm', 'placement': ['added'], 'grounding': 'grounded', 'action': 'block'},
    {'name': 'r2', 'cwe': {'ids': ['CWE-79'], 'exact': True}, 'action': 'warn'},
]}
POLICY_VALUES = st.one_of(VALUES, st.sampled_from([
    '[', '**/', '\\', '!', '***', 'a[b', '[!]', '?*', '/', '', 'CWE-0', 'CWE-99999999', 'block', 'warn',
    ['**'], ['['], {'ids': [], 'exact': 'yes'}, -1, 10**6,
]))


def _placed(finding: Finding) -> Placed:
    report = Report('r.json', Reviewer('bot', 'llm'), (finding,))
    return Placed(finding, report, finding.location.path if finding.location else None, 'added', None,
                  (1, 1), Grounding('grounded'))


SAMPLES = [
    Finding('t', 'high', cwe=('CWE-285', 'CWE-79'), rule='B608', category='security',
            location=Location('src/a/b.py', 1), confidence='high'),
    Finding('t', 'info', location=Location('x', 1)),
    Finding('t', 'low', cwe=('CWE-99999',), rule='', location=Location('[', 1)),
]


def assert_one_line_each(error: GateError) -> None:
    """A configuration's problems: one line each."""
    for line in str(error).split('\n'):
        assert one_line(line), str(error)


def policy_holds(text: str) -> None:
    with watchdog():
        try:
            loaded = policy.parse(text, '.findings-gate.yaml')
        except GateError as e:
            assert_one_line_each(e)
            return
        placed = [_placed(finding) for finding in SAMPLES]
        for one in placed:
            policy.explain(policy.decide_finding(one, loaded), loaded)
        # the run decides each set of facts once: as each finding alone, in any order
        alone = [policy.decide_finding(one, loaded) for one in placed]
        together = policy.decide(placed + placed[::-1], [], Change((), 'staged changes'), loaded).findings
        assert list(together) == alone + alone[::-1]
        policy.warnings(loaded)


@PROFILE
@given(document=mutated(POLICY, POLICY_VALUES))
def test_nearly_valid_policies(document: Any) -> None:
    policy_holds(_yaml(document).decode('utf-8', 'surrogatepass'))


@PROFILE
@given(text=st.one_of(st.text(max_size=300), st.lists(st.one_of(YAML_PIECES, TEXT), max_size=20).map(''.join)))
def test_any_text_as_a_policy(text: str) -> None:
    policy_holds(text)


# ---- the waivers -------------------------------------------------------------------------------

WAIVERS = {'version': 1, 'waivers': [
    {'fingerprint': '0123456789abcdef', 'reason': 'r', 'owner': 'o', 'expires': '2027-01-31'},
    {'rule': 'B602', 'path': ['src/**', '!src/vendor/**'], 'symbol': 'run', 'reason': 'r', 'owner': 'o',
     'expires': '2027-01-31', 'created': '2026-11-01'},
    {'cwe': 'CWE-89', 'path': 'db.py', 'reason': 'r', 'owner': 'o', 'expires': '2026-01-01'},
]}
WAIVER_VALUES = st.one_of(POLICY_VALUES, st.sampled_from([
    '2027-02-30', '0000-00-00', '9999-12-31', '2027-1-1', 'CWE-89', 'B602', ['['], [],
]))


def waivers_hold(text: str) -> None:
    import datetime

    with watchdog():
        try:
            granted = waivers.parse(text, 'waivers.yaml')
        except GateError as e:
            assert_one_line_each(e)
            return
        placed = [_placed(f)._replace(signature='0123456789abcdef') for f in SAMPLES]
        rules = policy.parse('version: 1\nwaiver_max_days: {critical: 30, high: 0}\n', 'p.yaml')
        applied, conditions = waivers.apply(granted, placed, rules, datetime.date(2026, 11, 21))
        assert len(applied) == len(placed)
        assert all(one_line(c.message) for c in conditions)


@PROFILE
@given(document=mutated(WAIVERS, WAIVER_VALUES))
def test_nearly_valid_waivers(document: Any) -> None:
    waivers_hold(_yaml(document).decode('utf-8', 'surrogatepass'))


@PROFILE
@given(text=st.one_of(st.text(max_size=300), st.lists(st.one_of(YAML_PIECES, TEXT), max_size=20).map(''.join)))
def test_any_text_as_waivers(text: str) -> None:
    waivers_hold(text)


# ---- a report that reads goes all the way through ----------------------------------------------

CHANGE = Change((
    FileChange('app.py', 'app.py', 'modified', added=((3, 4),), deleted=((2, 2),), removals=(2,)),
    FileChange('db.py', None, 'added', added=((1, 10),)),
    FileChange('gone.py', 'gone.py', 'deleted', deleted=((1, 5),)),
    FileChange('img.png', 'img.png', 'modified', binary=True),
), 'fuzz change')
TEXTS = {'app.py': 'a\nb\nc\nd\ne\n', 'db.py': 'x\n' * 10}


def renders(report: Report) -> None:
    with watchdog():
        placed = placement.place([report], CHANGE, root=None, code=None, context=3)
        decision = policy.decide(placed, [report], CHANGE, policy.parse(policy.DEFAULT, 'p'), TEXTS)
        for name in render.RENDERERS:
            assert isinstance(render.render(name, decision), str), name


@pytest.mark.parametrize('fmt', sorted(BASES))
@PROFILE
@given(data=st.data())
def test_a_report_that_reads_renders_in_every_format(fmt: str, data: st.DataObject) -> None:
    document = data.draw(mutated(BASES[fmt], SCALARS))
    result = reads(json.dumps(document, allow_nan=True).encode('utf-8', 'surrogatepass'), fmt)
    if isinstance(result, Report):
        renders(result)


@PROFILE
@given(document=mutated(NATIVE, SCALARS))
def test_a_yaml_report_that_reads_renders_in_every_format(document: Any) -> None:
    result = reads(_yaml(document), 'native')
    if isinstance(result, Report):
        renders(result)


# ---- the guards themselves ---------------------------------------------------------------------

def test_the_watchdog_stops_a_hang() -> None:
    with pytest.raises(Hang), watchdog(0.2):
        while True:
            pass
