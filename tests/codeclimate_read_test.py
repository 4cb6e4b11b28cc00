"""The CodeClimate reader: GitLab Code Quality reports and CodeClimate engine output."""
from __future__ import annotations

import json
from typing import Any

import pytest

from findings_gate import schema
from findings_gate.errors import GateError
from findings_gate.model import Report
from findings_gate.read import codeclimate, sources
from findings_gate.read import parse as parse_format


def read(data: str | bytes, origin: str = 'gl-code-quality-report.json') -> dict[str, Any]:
    document = codeclimate.parse(data.encode() if isinstance(data, str) else data, origin)
    assert schema.problems('report', document) == []
    return document


def error(data: str | bytes, origin: str = 'cq.json') -> str:
    with pytest.raises(GateError) as e:
        codeclimate.parse(data.encode() if isinstance(data, str) else data, origin)
    assert '\n' not in str(e.value)
    return str(e.value)


# GitLab's doc/ci/testing/code_quality.md, "Implement a custom tool"
GITLAB_EXAMPLE = '''[
  {
    "description": "'unused' is assigned a value but never used.",
    "check_name": "no-unused-vars",
    "fingerprint": "7815696ecbf1c96e6894b779456d330e",
    "severity": "minor",
    "location": {
      "path": "lib/index.js",
      "lines": {
        "begin": 42
      }
    }
  }
]
'''


def test_gitlab_documented_example() -> None:
    assert read(GITLAB_EXAMPLE) == {
        'version': 1,
        'reviewer': {'name': 'codeclimate', 'kind': 'tool'},
        'verdict': 'findings',
        'findings': [{
            'title': "'unused' is assigned a value but never used.",
            'severity': 'low',
            'rule': 'no-unused-vars',
            'location': {'path': 'lib/index.js', 'start_line': 42},
            'fingerprint': '7815696ecbf1c96e6894b779456d330e',
        }],
    }


# PHPStan's --error-format=gitlab (GitlabErrorFormatter): major or blocker; an error in no file
# has an empty path and line 0
PHPSTAN = r'''[
    {
        "description": "Parameter #1 $id of method App\\Repository\\UserRepository::find() expects int, string given.",
        "check_name": "argument.type",
        "fingerprint": "0f4a3c0b8f3e0ae4e8c1b4f2b6a0d7d5c9e4f1a2b3c4d5e6f708192a3b4c5d6e",
        "severity": "major",
        "location": {
            "path": "src/Controller/UserController.php",
            "lines": {
                "begin": 27
            }
        }
    },
    {
        "description": "Call to an undefined method App\\Entity\\User::getNmae().",
        "check_name": "method.notFound",
        "fingerprint": "4c1e2b9d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
        "severity": "blocker",
        "location": {
            "path": "src/Service/Mailer.php",
            "lines": {
                "begin": 88
            }
        }
    },
    {
        "description": "Ignored error pattern #^Variable \\$legacy might not be defined\\.$# was not matched in reported errors.",
        "fingerprint": "9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a",
        "severity": "major",
        "location": {
            "path": "",
            "lines": {
                "begin": 0
            }
        }
    }
]'''


def test_phpstan_gitlab_format() -> None:
    findings = read(PHPSTAN, 'phpstan.json')['findings']
    assert [(f['severity'], f.get('rule'), f.get('location')) for f in findings] == [
        ('medium', 'argument.type', {'path': 'src/Controller/UserController.php', 'start_line': 27}),
        ('critical', 'method.notFound', {'path': 'src/Service/Mailer.php', 'start_line': 88}),
        ('medium', None, None),  # no file, no line: unlocated, still a finding
    ]
    assert findings[1]['title'] == r'Call to an undefined method App\Entity\User::getNmae().'


# eslint-formatter-gitlab: type, categories, lines with an end, a fingerprint per problem
ESLINT_GITLAB = '''[
  {
    "type": "issue",
    "check_name": "no-eval",
    "description": "eval can be harmful.",
    "content": {"body": "Error found in no-eval"},
    "categories": ["Security"],
    "location": {"path": "src/render.js", "lines": {"begin": 12, "end": 12}},
    "severity": "major",
    "fingerprint": "2bc7a3a1c9a1f0e7f0d0c3b1f1e4c1b8"
  },
  {
    "type": "issue",
    "check_name": "complexity",
    "description": "Function 'render' has a complexity of 14. Maximum allowed is 10.",
    "content": {"body": "Error found in complexity"},
    "categories": ["Style"],
    "location": {"path": "src/render.js", "lines": {"begin": 30, "end": 71}},
    "severity": "minor",
    "fingerprint": "6f2d0c0a7a9e4b8e93f1d2b7c4a1e0f3"
  }
]'''


def test_eslint_formatter_gitlab() -> None:
    findings = read(ESLINT_GITLAB, 'eslint.json')['findings']
    assert findings[0] == {
        'title': 'eval can be harmful.', 'severity': 'medium', 'message': 'Error found in no-eval',
        'category': 'security', 'rule': 'no-eval',
        'location': {'path': 'src/render.js', 'start_line': 12, 'end_line': 12},
        'fingerprint': '2bc7a3a1c9a1f0e7f0d0c3b1f1e4c1b8',
    }
    assert (findings[1]['severity'], findings[1]['category']) == ('low', 'style')
    assert findings[1]['location'] == {'path': 'src/render.js', 'start_line': 30, 'end_line': 71}


# the codeclimate-rubocop engine: each issue ended by NUL, "type": "Issue", positions, no severity
RUBOCOP_STREAM = (
    '{"type":"Issue","check_name":"Rubocop/Style/StringLiterals",'
    '"description":"Prefer single-quoted strings when you don\'t need string interpolation or special symbols.",'
    '"categories":["Style"],"remediation_points":50000,"location":{"path":"app/models/user.rb",'
    '"positions":{"begin":{"column":14,"line":3},"end":{"column":22,"line":3}}},'
    '"content":{"body":"Checks if uses of quotes match the configured preference."},'
    '"fingerprint":"a1b2c3d4e5f60718293a4b5c6d7e8f90"}\0'
    '{"type":"Issue","check_name":"Rubocop/Security/Eval","description":"The use of `eval` is a serious '
    'security risk.","categories":["Security"],"remediation_points":50000,"location":{"path":"lib/tasks/run.rb",'
    '"positions":{"begin":{"column":5,"line":10},"end":{"column":18,"line":11}}}}\0'
)


def test_rubocop_engine_stream() -> None:
    document = read(RUBOCOP_STREAM, 'rubocop.out')
    assert document['notes'] == [
        '2 issues with no CodeClimate severity (info, minor, major, critical, blocker) read as medium']
    first, second = document['findings']
    assert first == {
        'title': "Prefer single-quoted strings when you don't need string interpolation or special symbols.",
        'severity': 'medium', 'message': 'Checks if uses of quotes match the configured preference.',
        'category': 'style', 'rule': 'Rubocop/Style/StringLiterals',
        'location': {'path': 'app/models/user.rb', 'start_line': 3, 'start_column': 14,
                     'end_line': 3, 'end_column': 21},
        'fingerprint': 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    }
    assert second['category'] == 'security'
    assert second['location'] == {'path': 'lib/tasks/run.rb', 'start_line': 10, 'start_column': 5,
                                  'end_line': 11, 'end_column': 17}


def test_stream_separators_newlines_and_a_single_issue() -> None:
    issue = {'type': 'issue', 'check_name': 'x', 'description': 'd', 'categories': ['Clarity'],
             'location': {'path': 'a.py', 'lines': {'begin': 1, 'end': 2}}, 'severity': 'info'}
    text = json.dumps(issue)
    for data in (text, f'{text}\0', f'{text}\0\n{text}\0\n', f'\n{text}\n{text}\n'):
        findings = read(data)['findings']
        assert findings and all(f['category'] == 'other' and f['severity'] == 'info' for f in findings)


# `codeclimate analyze -f json`: engines' issues and measurements in one array
CODECLIMATE_ANALYZE = '''[
  {"name": "javascript.parse.succeeded", "type": "measurement", "value": 6, "engine_name": "structure"},
  {
    "engine_name": "structure",
    "fingerprint": "e1ed45bd05e49d9c5d087bfb08494848",
    "categories": ["Complexity"],
    "check_name": "method_lines",
    "content": {"body": ""},
    "description": "Method `progress` has 31 lines of code (exceeds 25 allowed). Consider refactoring.",
    "location": {"path": "app/controllers/users_controller.rb", "lines": {"begin": 8, "end": 47}},
    "other_locations": [],
    "remediation_points": 744000,
    "severity": "minor",
    "type": "issue"
  },
  {
    "engine_name": "duplication",
    "fingerprint": "b07e0c1e4aa5a8e4d8c1d9a1e3bb7a62",
    "categories": ["Duplication"],
    "check_name": "similar-code",
    "description": "Similar blocks of code found in 2 locations. Consider refactoring.",
    "location": {"path": "app/models/order.rb", "lines": {"begin": 10, "end": 20}},
    "other_locations": [{"path": "app/models/invoice.rb", "lines": {"begin": 14, "end": 24}}],
    "trace": {"locations": [{"path": "app/models/cart.rb", "lines": {"begin": 3, "end": 3}}], "stacktrace": false},
    "remediation_points": 1250000,
    "severity": "major",
    "type": "issue"
  },
  {"name": "ruby.parse.succeeded", "type": "measurement", "value": 12, "engine_name": "structure"}
]'''


def test_codeclimate_analyze_output() -> None:
    document = read(CODECLIMATE_ANALYZE, 'codeclimate.json')
    assert document['reviewer'] == {'name': 'codeclimate', 'kind': 'tool'}  # two engines
    assert document['notes'] == ['skipped 2 items whose type is not issue (measurement)']
    lines, similar = document['findings']
    assert (lines['rule'], lines['category'], lines['severity']) == ('structure/method_lines', 'maintainability', 'low')
    assert 'message' not in lines  # an empty content body
    assert similar['rule'] == 'duplication/similar-code'
    assert similar['related'] == [{'path': 'app/models/invoice.rb', 'start_line': 14, 'end_line': 24},
                                  {'path': 'app/models/cart.rb', 'start_line': 3, 'end_line': 3}]


def test_one_engine_names_the_reviewer() -> None:
    issues = [{'engine_name': 'rubocop', 'check_name': 'Rubocop/Lint/UselessAssignment', 'description': 'd',
               'location': {'path': 'a.rb', 'lines': {'begin': 1}}},
              {'engine_name': 'rubocop', 'description': 'e', 'location': {'path': 'a.rb', 'lines': {'begin': 2}}}]
    document = read(json.dumps(issues))
    assert document['reviewer']['name'] == 'rubocop'
    assert [f.get('rule') for f in document['findings']] == ['Rubocop/Lint/UselessAssignment', None]


@pytest.mark.parametrize(('severity', 'expected'), [
    ('info', 'info'), ('minor', 'low'), ('major', 'medium'), ('critical', 'high'), ('blocker', 'critical'),
    ('BLOCKER', 'critical'), (' Major ', 'medium'),
])
def test_severities(severity: str, expected: str) -> None:
    issue = {'description': 'd', 'severity': severity, 'location': {'path': 'a', 'lines': {'begin': 1}}}
    document = read(json.dumps([issue]))
    assert document['findings'][0]['severity'] == expected
    assert 'notes' not in document


def test_an_unknown_severity_is_medium_and_noted() -> None:
    issues = [{'description': 'd', 'severity': s} for s in ('warning', 'error', 3)]
    document = read(json.dumps(issues))
    assert [f['severity'] for f in document['findings']] == ['medium'] * 3
    assert document['notes'] == [
        '3 issues with no CodeClimate severity (info, minor, major, critical, blocker) read as medium']


@pytest.mark.parametrize(('categories', 'expected'), [
    (['Security'], 'security'), (['Bug Risk'], 'correctness'), (['Style'], 'style'),
    (['Complexity'], 'maintainability'), (['Duplication'], 'maintainability'), (['Performance'], 'performance'),
    (['Clarity'], 'other'), (['Compatibility'], 'other'), (['Made Up'], 'other'),
    (['Style', 'Security'], 'security'), (['Complexity', 'Style'], 'maintainability'), ([], None),
])
def test_categories(categories: list[str], expected: str | None) -> None:
    finding = read(json.dumps([{'description': 'd', 'categories': categories}]))['findings'][0]
    assert finding.get('category') == expected


def test_positions_given_as_offsets_keep_the_path() -> None:
    positions = {'begin': {'offset': 4}, 'end': {'offset': 9}}
    issue = {'description': 'd', 'location': {'path': 'a.css', 'positions': positions}}
    document = read(json.dumps([issue]))
    assert document['findings'][0]['location'] == {'path': 'a.css'}
    assert document['notes'] == [
        '1 issue with no CodeClimate severity (info, minor, major, critical, blocker) read as medium',
        '1 issue placed by character offsets only: kept without lines']


def test_a_long_description_keeps_all_its_text() -> None:
    description = 'Avoid too many `return` statements within this function. ' * 4
    finding = read(json.dumps([{'description': description, 'content': {'body': 'Why: readability.'}}]))['findings'][0]
    assert finding['title'].endswith('...') and len(finding['title']) == 120
    assert finding['message'] == description.strip() + '\n\nWhy: readability.'


@pytest.mark.parametrize('data', ['[]', ' [ ]\n', '', '\0', '[{"type": "measurement", "name": "x", "value": 1}]'])
def test_nothing_found(data: str) -> None:
    document = read(data)
    assert document['findings'] == [] and document['verdict'] == 'no-findings'


@pytest.mark.parametrize(('data', 'problem'), [
    ('[{"description": "d"}, 5]',
     'cq.json::$[1]: a number, not an issue object; write each issue as a JSON object'),
    ('[{"check_name": "x", "location": {"path": "a"}}]',
     'cq.json::$[0].description: missing or empty; give each issue a description of what is wrong'),
    ('[{"description": "d", "location": {"path": "a", "lines": {"begin": "ten"}}}]',
     "cq.json::$[0].location.lines.begin: 'ten' is not a whole number; write lines and columns as numbers from 1"),
    ('[{"description": "d", "location": {"path": "a", "lines": {"begin": 9, "end": 4}}}]',
     'cq.json::$[0].location.lines.end: 4 is before the begin line 9; give the range its end after its begin'),
    ('[{"description": "d", "location": {"path": "a", "positions": {"begin": {"line": 9}, "end": {"line": 2}}}}]',
     'cq.json::$[0].location.positions.end.line: 2 is before the begin line 9; give the range its end after its begin'),
    ('[{"description": "d", "location": "a.py:3"}]',
     'cq.json::$[0].location: a string where an object belongs; write it as a JSON object'),
    ('[{"description": "d", "categories": "Style"}]',
     'cq.json::$[0].categories: a string where an array belongs; write it as a JSON array'),
    ('[{"description": "d", "fingerprint": 12}]',
     'cq.json::$[0].fingerprint: a number where text belongs; write it as a JSON string'),
    ('[{"description": "d", "other_locations": [{"path": "b", "lines": {"begin": -1}}]}]',
     'cq.json::$[0].other_locations[0].lines.begin: -1 is negative; lines and columns count from 1'),
    ('[{"description": "d", "location": {"path": 3}}, "issue"]',
     'cq.json::$[0].location.path: a number where text belongs; write it as a JSON string '
     '(and 1 more problem in this report)'),
    ('[{"description": "d"}, {"description": ""}, {"description": 1}]',
     'cq.json::$[1].description: missing or empty; give each issue a description of what is wrong '
     '(and 1 more problem in this report)'),
    ('[{"description": "d",}]',
     'cq.json:1:22: not valid JSON: Expecting property name enclosed in double quotes; fix the syntax'),
    ('{"type": "issue", "description": "d"}\0{"type": "issue", "description": "e"\0',
     "cq.json:1:75: not valid JSON: Expecting ',' delimiter; fix the syntax"),
])
def test_problems_name_the_item_and_field(data: str, problem: str) -> None:
    assert error(data) == problem


def test_the_name_reaches_the_reader() -> None:
    assert parse_format(GITLAB_EXAMPLE.encode(), 'cq.json', 'codeclimate') == read(GITLAB_EXAMPLE)


@pytest.mark.parametrize('data', [GITLAB_EXAMPLE, PHPSTAN, ESLINT_GITLAB, RUBOCOP_STREAM, CODECLIMATE_ANALYZE])
def test_collected_as_a_valid_report(data: str) -> None:
    report = sources.read(sources.Source('gl-code-quality-report.json', data.encode()), 'codeclimate')
    assert isinstance(report, Report), report
    assert report.reviewer.kind == 'tool' and report.findings
