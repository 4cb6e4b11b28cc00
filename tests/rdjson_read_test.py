"""The reviewdog reader: rdjson and rdjsonl as reviewdog and the tools around it write them."""
from __future__ import annotations

import json
from typing import Any

import pytest

from findings_gate import schema
from findings_gate.errors import GateError
from findings_gate.model import Report
from findings_gate.read import parse as parse_format
from findings_gate.read import rdjson, sources


def read(data: str | bytes, origin: str = 'r.json') -> dict[str, Any]:
    document = rdjson.parse(data.encode() if isinstance(data, str) else data, origin)
    assert schema.problems('report', document) == []
    return document


def error(data: str | bytes, origin: str = 'r.json') -> str:
    with pytest.raises(GateError) as e:
        rdjson.parse(data.encode() if isinstance(data, str) else data, origin)
    assert '\n' not in str(e.value)
    return str(e.value)


# reviewdog's proto/rdf/README.md, the rdjson example
README_RDJSON = '''{
  "source": {
    "name": "super lint",
    "url": "https://example.com/url/to/super-lint"
  },
  "severity": "WARNING",
  "diagnostics": [
    {
      "message": "<msg>",
      "location": {
        "path": "<file path>",
        "range": {
          "start": {
            "line": 14,
            "column": 15
          }
        }
      },
      "severity": "ERROR",
      "code": {
        "value": "RULE1",
        "url": "https://example.com/url/to/super-lint/RULE1"
      }
    },
    {
      "message": "<msg>",
      "location": {
        "path": "<file path>",
        "range": {
          "start": {
            "line": 14,
            "column": 15
          },
          "end": {
            "line": 14,
            "column": 18
          }
        }
      },
      "suggestions": [
        {
          "range": {
            "start": {
              "line": 14,
              "column": 15
            },
            "end": {
              "line": 14,
              "column": 18
            }
          },
          "text": "<replacement text>"
        }
      ],
      "severity": "WARNING"
    }
  ]
}
'''


def test_reviewdog_readme_example() -> None:
    assert read(README_RDJSON) == {
        'version': 1,
        'reviewer': {'name': 'super lint', 'kind': 'tool'},
        'verdict': 'findings',
        'notes': [rdjson.COLUMNS_NOTE],
        'findings': [
            {'title': '<msg>', 'severity': 'high', 'rule': 'RULE1',
             'location': {'path': '<file path>', 'start_line': 14, 'start_column': 15}},
            {'title': '<msg>', 'severity': 'medium',
             'location': {'path': '<file path>', 'start_line': 14, 'start_column': 15,
                          'end_line': 14, 'end_column': 17},
             'suggestion': '<replacement text>'},
        ],
    }


# reviewdog's parser/rdjson_test.go: the result's severity and source fill in the diagnostics' own
PARSER_EXAMPLE = {
    'source': {'name': 'linter-name', 'url': 'https://github.com/reviewdog#linter-name'},
    'severity': 'INFO',
    'diagnostics': [
        {'source': {'name': 'deadcode'}, 'message': "'unused' is unused",
         'location': {'path': 'testdata/main.go', 'range': {'start': {'line': 18, 'column': 6}}}},
        {'message': 'printf: Sprintf format %d reads arg #1, but call has 0 args',
         'location': {'path': 'testdata/main.go', 'range': {'start': {'line': 13, 'column': 2}}}},
        {'source': {'name': 'severity-test'}, 'message': 'severity test (string)',
         'location': {'path': 'testdata/main.go', 'range': {'start': {'line': 24, 'column': 6}}},
         'severity': 'WARNING'},
        {'source': {'name': 'severity-test'}, 'message': 'severity test (number)',
         'location': {'path': 'testdata/main.go', 'range': {'start': {'line': 24, 'column': 6}}},
         'severity': 1},
    ],
}


def test_the_result_severity_and_source_are_inherited() -> None:
    document = read(json.dumps(PARSER_EXAMPLE, indent=2))
    assert document['reviewer'] == {'name': 'linter-name', 'kind': 'tool'}
    assert [(f['title'], f['severity'], f.get('rule')) for f in document['findings']] == [
        ("'unused' is unused", 'low', 'deadcode'),  # its own source; the result's INFO
        ('printf: Sprintf format %d reads arg #1, but call has 0 args', 'low', None),
        ('severity test (string)', 'medium', 'severity-test'),
        ('severity test (number)', 'high', 'severity-test'),
    ]


@pytest.mark.parametrize(('own', 'result', 'expected'), [
    ('ERROR', None, 'high'), ('WARNING', None, 'medium'), ('INFO', None, 'low'),
    (1, None, 'high'), (2, None, 'medium'), (3, None, 'low'), ('warning', None, 'medium'),
    (None, 'ERROR', 'high'), ('UNKNOWN_SEVERITY', 'INFO', 'low'), (0, 'WARNING', 'medium'),
    (None, None, 'medium'), ('UNKNOWN_SEVERITY', None, 'medium'), ('HINT', 'ERROR', 'medium'),
    (7, None, 'medium'), (True, 'ERROR', 'high'),
])
def test_severities(own: object, result: object, expected: str) -> None:
    diagnostic: dict[str, Any] = {'message': 'm'}
    if own is not None:
        diagnostic['severity'] = own
    document: dict[str, Any] = {'diagnostics': [diagnostic]}
    if result is not None:
        document['severity'] = result
    assert read(json.dumps(document))['findings'][0]['severity'] == expected


# reviewdog's parser/rdjsonl_test.go: golangci-lint's linters, one diagnostic a line, each with its source
GOLANGCI_RDJSONL = '''\
{"source":{"name":"deadcode"},"message":"'unused' is unused","location":{"path":"testdata/main.go","range":{"start":{"line":18,"column":6}}}}
{"source":{"name":"deadcode"},"message":"'unused2' is unused","location":{"path":"testdata/main.go","range":{"start":{"line":24,"column":6}}}}
{"source":{"name":"errcheck"},"message":"Error return value of 'os.Open' is not checked","location":{"path":"testdata/main.go","range":{"start":{"line":15,"column":9}}}}
{"source":{"name":"ineffassign"},"message":"ineffectual assignment to 'x'","location":{"path":"testdata/main.go","range":{"start":{"line":12,"column":2}}}}
{"source":{"name":"govet"},"message":"printf: Sprintf format %d reads arg #1, but call has 0 args","location":{"path":"testdata/main.go","range":{"start":{"line":13,"column":2}}}}
{"source":{"name":"severity-test"},"message":"severity test (string)","location":{"path":"testdata/main.go","range":{"start":{"line":24,"column":6}}}, "severity": "WARNING"}
{"source":{"name":"severity-test"},"message":"severity test (number)","location":{"path":"testdata/main.go","range":{"start":{"line":24,"column":6}}}, "severity": "WARNING", "unknown_field": "this field will be ignored"}'''


def test_golangci_lint_linters_as_rdjsonl() -> None:
    document = read(GOLANGCI_RDJSONL, 'golangci.rdjsonl')
    assert document['reviewer'] == {'name': 'reviewdog', 'kind': 'tool'}  # many sources
    assert document['notes'] == [rdjson.COLUMNS_NOTE]
    assert [(f.get('rule'), f['severity'], f['location']['start_line']) for f in document['findings']] == [
        ('deadcode', 'medium', 18), ('deadcode', 'medium', 24), ('errcheck', 'medium', 15),
        ('ineffassign', 'medium', 12), ('govet', 'medium', 13),
        ('severity-test', 'medium', 24), ('severity-test', 'medium', 24),
    ]
    assert document['findings'][2] == {
        'title': "Error return value of 'os.Open' is not checked", 'severity': 'medium', 'rule': 'errcheck',
        'location': {'path': 'testdata/main.go', 'start_line': 15, 'start_column': 9},
    }


def test_one_source_in_every_line_names_the_reviewer() -> None:
    lines = '\n'.join(json.dumps({'source': {'name': 'staticcheck'}, 'message': f'm{n}',
                                  'code': {'value': f'SA{n}'}}) for n in range(3))
    document = read(lines, 'r.jsonl')
    assert document['reviewer']['name'] == 'staticcheck'
    assert [f['rule'] for f in document['findings']] == ['SA0', 'SA1', 'SA2']
    assert 'notes' not in document  # no columns, nothing to say about them


# reviewdog/action-eslint's eslint-formatter-rdjson, as in its testdata/result.ok (shortened)
ESLINT_RDJSON = r'''{
  "source": {"name": "eslint", "url": "https://eslint.org/"},
  "diagnostics": [
    {
      "message": "Parsing error: Unexpected character '🐶'",
      "location": {"path": "testdata/error.js", "range": {"start": {"line": 1, "column": 1}}},
      "severity": "ERROR",
      "code": {"value": null, "url": ""},
      "original_output": "{\"ruleId\":null,\"fatal\":true,\"severity\":2,\"line\":1,\"column\":1}"
    },
    {
      "message": "Missing space before function parentheses.",
      "location": {"path": "testdata/test.js",
                   "range": {"start": {"line": 2, "column": 14}, "end": {"line": 2, "column": 15}}},
      "severity": "ERROR",
      "code": {"value": "space-before-function-paren",
               "url": "https://eslint.org/docs/latest/rules/space-before-function-paren"},
      "original_output": "{\"ruleId\":\"space-before-function-paren\",\"severity\":2}",
      "suggestions": [{"range": {"start": {"line": 2, "column": 14}, "end": {"line": 2, "column": 14}}, "text": " "}]
    },
    {
      "message": "The update clause in this loop moves the variable in the wrong direction.",
      "location": {"path": "testdata/test.js",
                   "range": {"start": {"line": 3, "column": 3}, "end": {"line": 6, "column": 4}}},
      "severity": "ERROR",
      "code": {"value": "for-direction", "url": "https://eslint.org/docs/latest/rules/for-direction"}
    },
    {
      "message": "Unexpected var, use let or const instead.",
      "location": {"path": "testdata/test.js",
                   "range": {"start": {"line": 3, "column": 8}, "end": {"line": 3, "column": 17}}},
      "severity": "WARNING",
      "code": {"value": "no-var", "url": "https://eslint.org/docs/latest/rules/no-var"},
      "suggestions": [{"range": {"start": {"line": 3, "column": 8}, "end": {"line": 3, "column": 11}}, "text": "let"}]
    },
    {
      "message": "'test2' is defined but never used.",
      "location": {"path": "testdata/test.js",
                   "range": {"start": {"line": 9, "column": 37}, "end": {"line": 9, "column": 42}}},
      "severity": "ERROR",
      "code": {"value": "no-unused-vars", "url": "https://eslint.org/docs/latest/rules/no-unused-vars"},
      "original_output": "{\"ruleId\":\"no-unused-vars\",\"line\":9,\"column\":25,\"endLine\":9,\"endColumn\":30}"
    },
    {
      "message": "Redundant double negation.",
      "location": {"path": "testdata/test.js",
                   "range": {"start": {"line": 11, "column": 9}, "end": {"line": 11, "column": 12}}},
      "severity": "ERROR",
      "code": {"value": "no-extra-boolean-cast",
               "url": "https://eslint.org/docs/latest/rules/no-extra-boolean-cast"},
      "suggestions": [{"range": {"start": {"line": 11, "column": 9}, "end": {"line": 11, "column": 11}},
                       "text": ""}]
    }
  ]
}'''


def test_eslint_through_its_rdjson_formatter() -> None:
    document = read(ESLINT_RDJSON, 'eslint.json')
    assert document['reviewer'] == {'name': 'eslint', 'kind': 'tool'}
    findings = document['findings']
    assert findings[0] == {  # a parse error: no rule (the value is null)
        'title': "Parsing error: Unexpected character '🐶'", 'severity': 'high',
        'location': {'path': 'testdata/error.js', 'start_line': 1, 'start_column': 1},
    }
    assert findings[1]['suggestion'] == ' '  # an insertion of one space
    assert findings[2]['location'] == {'path': 'testdata/test.js', 'start_line': 3, 'start_column': 3,
                                       'end_line': 6, 'end_column': 3}
    assert (findings[3]['rule'], findings[3]['severity'], findings[3]['suggestion']) == ('no-var', 'medium', 'let')
    # eslint said column 25; the formatter counted the line's bytes: 37. Kept, and the note says so.
    assert findings[4]['location']['start_column'] == 37
    assert document['notes'] == [rdjson.COLUMNS_NOTE]
    assert 'suggestion' not in findings[5]  # a deletion: nothing to show without its range


@pytest.mark.parametrize(('range_', 'location'), [
    ({'start': {'line': 5}}, {'start_line': 5}),
    ({'start': {'line': 5}, 'end': {'line': 6}}, {'start_line': 5, 'end_line': 6}),  # line-wise: includes 6
    ({'start': {'line': 5, 'column': 23}, 'end': {'line': 6, 'column': 1}},  # to the start of 6: ends with 5
     {'start_line': 5, 'start_column': 23, 'end_line': 5}),
    ({'start': {'line': 2}, 'end': {'line': 3, 'column': 1}}, {'start_line': 2, 'end_line': 2}),
    ({'start': {'line': 1, 'column': 5}, 'end': {'line': 1, 'column': 7}},
     {'start_line': 1, 'start_column': 5, 'end_line': 1, 'end_column': 6}),
    ({'start': {'line': 1, 'column': 5}, 'end': {'line': 1, 'column': 5}},  # an insertion point
     {'start_line': 1, 'start_column': 5, 'end_line': 1, 'end_column': 5}),
    ({'start': {'line': 3}, 'end': {'line': 4, 'column': 9}}, {'start_line': 3, 'end_line': 4}),
    ({'start': {'line': 0, 'column': 0}}, {}),  # proto3 zero values: unset
    ({'start': {'column': 4}}, {}),
    ({'start': {'line': '12', 'column': '3'}}, {'start_line': 12, 'start_column': 3}),  # protojson takes strings
    ({'start': {'line': 12.0}}, {'start_line': 12}),
])
def test_ranges(range_: dict[str, Any], location: dict[str, Any]) -> None:
    diagnostic = {'message': 'm', 'location': {'path': 'a.go', 'range': range_}}
    assert read(json.dumps(diagnostic), 'r.jsonl')['findings'][0]['location'] == {'path': 'a.go', **location}


def test_related_locations_in_either_spelling() -> None:
    related = [{'message': 'first defined here', 'location': {'path': 'b.go', 'range': {'start': {'line': 3}}}},
               {'message': 'no place'}]
    for key in ('related_locations', 'relatedLocations'):
        diagnostic = {'message': 'redeclared', 'location': {'path': 'a.go'}, key: related}
        finding = read(json.dumps(diagnostic), 'r.jsonl')['findings'][0]
        assert finding['related'] == [{'path': 'b.go', 'start_line': 3}]
        assert finding['location'] == {'path': 'a.go'}


def test_a_many_line_message_gives_its_first_line_as_title() -> None:
    message = 'SQL built from user input\n\nThe query string joins `name` unescaped.'
    finding = read(json.dumps({'message': message}), 'r.jsonl')['findings'][0]
    assert finding['title'] == 'SQL built from user input'
    assert finding['message'] == message
    long = read(json.dumps({'message': 'x' * 300}), 'r.jsonl')['findings'][0]
    assert len(long['title']) == 120 and long['message'] == 'x' * 300


def test_no_message_takes_the_rule_as_title() -> None:
    assert read('{"code": {"value": "SC2086"}}', 'r.jsonl')['findings'][0]['title'] == 'SC2086'


def test_blank_lines_crlf_and_a_line_separator_inside_a_string() -> None:
    data = ('\r\n{"message": "a\u2028b", "severity": "ERROR"}\r\n\r\n\n'
            '{"message": "second"}\r\n   \n')
    findings = read(data, 'r.jsonl')['findings']
    assert [f['title'] for f in findings] == ['a', 'second']
    assert findings[0]['message'] == 'a\u2028b'


def test_a_line_longer_than_reviewdog_takes_is_read() -> None:
    long = json.dumps({'message': 'long', 'original_output': 'x' * 70000})
    document = read(f'{long}\n{{"message": "after it"}}\n', 'r.jsonl')
    assert [f['title'] for f in document['findings']] == ['long', 'after it']


def test_one_diagnostic_written_over_many_lines() -> None:
    data = json.dumps({'message': 'm', 'location': {'path': 'a.py', 'range': {'start': {'line': 2}}}}, indent=2)
    assert read(data, 'r.jsonl')['findings'] == [
        {'title': 'm', 'severity': 'medium', 'location': {'path': 'a.py', 'start_line': 2}}]


@pytest.mark.parametrize('data', [b'', b'\n\n', b'{"diagnostics": []}', b'{}',
                                  b'{"source": {"name": "clean"}, "diagnostics": []}', b'\xef\xbb\xbf{}'])
def test_nothing_found(data: bytes) -> None:
    document = read(data)
    assert document['findings'] == [] and document['verdict'] == 'no-findings'


@pytest.mark.parametrize(('data', 'problem'), [
    ('{"message": "a"}\n{"message": "b"\n{"message": "c"}',
     "r.jsonl:2:16: not valid JSON: Expecting ',' delimiter; write one reviewdog Diagnostic object a line"),
    ('{"message": "a"}\nnot json at all\n',
     'r.jsonl:2:1: not valid JSON: Expecting value; write one reviewdog Diagnostic object a line'),
    ('{"message": "a"}\n[1, 2]\n',
     'r.jsonl:2: $: an array, not a Diagnostic object; write each diagnostic as a JSON object'),
    ('{\n  "diagnostics": [\n    {"message": "a"}\n  ]\n',
     "r.jsonl:5:1: not valid JSON: Expecting ',' delimiter; fix the syntax"),
    ('[{"message": "a"}]',
     'r.jsonl: an array, not reviewdog diagnostics; write an rdjson DiagnosticResult object, '
     'or one rdjsonl Diagnostic object a line'),
    ('{"Issues": [{"FromLinter": "errcheck", "Text": "not checked"}]}',
     "r.jsonl: an object with none of reviewdog's fields (diagnostics, message, location); "
     'write an rdjson DiagnosticResult object, or one rdjsonl Diagnostic object a line'),
    ('{"message": "a", "location": {"range": {"start": {"line": "x"}}}}',
     "r.jsonl:1: $.location.range.start.line: 'x' is not a whole number; write lines and columns as numbers from 1"),
    ('{"message": "a"}\n{"message": "b", "location": {"range": {"start": {"line": 9}, "end": {"line": 4}}}}',
     'r.jsonl:2: $.location.range.end.line: 4 is before the start line 9; give the range its end after its start'),
    ('{"message": "a", "location": {"range": {"start": {"line": 2, "column": 9}, "end": {"line": 2, "column": 3}}}}',
     'r.jsonl:1: $.location.range.end.column: 3 is before the start column 9; give the range its end after its start'),
    ('{"message": "a", "location": {"path": 7}}',
     'r.jsonl:1: $.location.path: a number where text belongs; write it as a JSON string'),
    ('{"message": ["a"]}',
     'r.jsonl:1: $.message: an array where text belongs; write it as a JSON string'),
    ('{"message": "", "location": {"path": "a.go"}}',
     'r.jsonl:1: $.message: missing or empty; give each diagnostic a message'),
    ('{"message": "a", "location": {"range": {"start": {"line": -2}}}}',
     'r.jsonl:1: $.location.range.start.line: -2 is negative; lines and columns count from 1'),
    ('{"message": "a", "suggestions": {"text": "x"}}',
     'r.jsonl:1: $.suggestions: an object where an array belongs; write it as a JSON array'),
    ('{"message": "a", "source": "golint"}',
     "r.jsonl:1: $.source: a string where an object belongs; write it as a JSON object"),
])
def test_problems_name_the_line_and_field(data: str, problem: str) -> None:
    assert error(data, 'r.jsonl') == problem


def test_problems_in_rdjson_name_the_diagnostic() -> None:
    data = {'source': {'name': 'x'}, 'diagnostics': [
        {'message': 'fine'}, 'oops', {'message': 'a', 'code': {'value': 3}}, {'message': 'b', 'location': []}]}
    assert error(json.dumps(data)) == (
        'r.json::$.diagnostics[1]: a string, not a Diagnostic object; write each diagnostic as a JSON object '
        '(and 2 more problems in this report)')
    assert error('{"source": {"name": 5}}') == (
        'r.json::$.source.name: a number where text belongs; write it as a JSON string')
    assert error('{"diagnostics": {"message": "a"}}') == (
        'r.json::$.diagnostics: an object where an array belongs; write it as a JSON array')
    later_first = {'diagnostics': [{'message': 'a', 'location': []}, {'message': 'b', 'source': 3}]}
    assert error(json.dumps(later_first)) == (  # in document order, though sources are read first
        'r.json::$.diagnostics[0].location: an array where an object belongs; write it as a JSON object '
        '(and 1 more problem in this report)')


def test_not_utf8() -> None:
    assert error(b'{"message": "\xff"}') == 'r.json: not UTF-8 text (byte 13); save the report as UTF-8'


@pytest.mark.parametrize('name', ['rdjson', 'rdjsonl'])
def test_both_names_reach_the_reader(name: str) -> None:
    assert parse_format(README_RDJSON.encode(), 'r.json', name) == read(README_RDJSON)
    assert parse_format(GOLANGCI_RDJSONL.encode(), 'r.jsonl', name) == read(GOLANGCI_RDJSONL)


@pytest.mark.parametrize('data', [README_RDJSON, GOLANGCI_RDJSONL, ESLINT_RDJSON])
def test_collected_as_a_valid_report(data: str) -> None:
    report = sources.read(sources.Source('review.json', data.encode()))
    assert isinstance(report, Report), report
    assert report.reviewer.kind == 'tool' and report.findings
