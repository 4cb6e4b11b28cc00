"""The SARIF reader: every log of the shared corpus, real bandit output, and each mapping rule."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from findings_gate import schema
from findings_gate.errors import GateError
from findings_gate.model import Report
from findings_gate.read import detect, sarif, sources

CORPUS = Path(__file__).parents[2] / 'shared' / 'corpus' / 'sarif'
CONVERT = 'convert it to SARIF 2.1.0 (for example with the sarif-multitool transform verb)'

# every corpus log -> (findings, notes) read from it, or the text of the one-line error it gives
OUTCOMES: dict[str, tuple[int, int] | str] = {
    'bandit-neutron-8ebc635a-findings.sarif': (23, 0),
    'bandit-neutron-trunk.sarif': (0, 0),
    'codeql-action_INVALID_invalid-sarif.sarif': '$.runs[0].results: a number (42) where the list of results belongs',
    'codeql-action_empty-sarif.sarif': (0, 0),
    'codeql-action_valid-sarif.sarif': (3, 0),
    'codeql-action_with-invalid-uri.sarif': (1, 1),  # ruleIndex 0 with no rules: looked up by id
    'sarif-sdk_INVALID_JSON1001.SyntaxError.sarif': ':3:3: not valid JSON',
    # schema-invalid only in stacks[0], which the reader has no use for
    'sarif-sdk_INVALID_JSON1002.DeserializationError.sarif': (1, 0),
    # https URIs: the finding stays, without a location; both are in the notes
    'sarif-sdk_RULEVIOLATION_GH1005.LocationsMustBeRelativeUrisOrFilePaths_Invalid.sarif': (1, 2),
    'sarif-sdk_RULEVIOLATION_SARIF1004.ExpressUriBaseIdsCorrectly_Invalid.sarif': (1, 0),
    # endLine before startLine, endColumn before startColumn: dropped, each in the notes
    'sarif-sdk_RULEVIOLATION_SARIF1007.RegionPropertiesMustBeConsistent_Invalid.sarif': (2, 5),
    'sarif-sdk_RULEVIOLATION_SARIF2008.ProvideSchema_Invalid.sarif': (0, 0),
    'sarif-sdk_SARIF1007.RegionPropertiesMustBeConsistent_Valid.sarif': (2, 0),
    'sarif-sdk_androidstudio_issueLog7.sarif': (6, 0),
    'sarif-sdk_binskim_gcc.no_fortification_required.sarif': f'SARIF 2.0.0 is not supported; {CONVERT}',
    'sarif-sdk_clang-analyzer_RealLog.sarif': (4, 0),
    'sarif-sdk_cppcheck_issueLog1.sarif': (188, 0),
    'sarif-sdk_fortify_OneResultWithTwoTraces.sarif': (1, 0),
    'sarif-sdk_msbuild_NoErrors.sarif': (0, 0),
    'sarif-sdk_msbuild_SomeErrors.sarif': (7, 0),
    'sarif-sdk_pylint-01.sarif': (72, 0),
    'sarif-sdk_sdv_dispatchroutine_bug1.sarif': (0, 1),  # its one result is of kind pass
    'sarif-sdk_semmleql_results.sarif': (80, 0),
    'sarif-sdk_spec-v1_RecommendedWithSource.sarif': f'SARIF 1.0.0 is not supported; {CONVERT}',
    'sarif-sdk_spec_Comprehensive.sarif': f'SARIF 2.0.0 is not supported; {CONVERT}',
    'sarif-sdk_tslint-09.sarif': (25, 0),
    'semgrep_test-output-format-sarif.sarif': (1, 0),
}


def corpus(name: str) -> bytes:
    if not CORPUS.is_dir():
        pytest.skip(f'the SARIF corpus is not at {CORPUS}')
    return (CORPUS / name).read_bytes()


def valid(document: dict[str, Any]) -> dict[str, Any]:
    assert schema.problems('report', document) == []
    return document


def test_the_table_names_every_corpus_log() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f'the SARIF corpus is not at {CORPUS}')
    assert sorted(p.name for p in CORPUS.glob('*.sarif')) == sorted(OUTCOMES)


@pytest.mark.parametrize('name', sorted(OUTCOMES))
def test_each_corpus_log_reads_as_pinned(name: str) -> None:
    data = corpus(name)
    assert detect(data) == 'sarif'
    expected = OUTCOMES[name]
    if isinstance(expected, str):
        with pytest.raises(GateError) as error:
            sarif.parse(data, name)
        message = str(error.value)
        assert message.startswith(name) and expected in message and '\n' not in message
        return
    document = valid(sarif.parse(data, name))
    assert (len(document['findings']), len(document.get('notes', []))) == expected
    assert isinstance(sources.read(sources.Source(name, data)), Report)


def test_bandit_log_of_neutron() -> None:
    name = 'bandit-neutron-8ebc635a-findings.sarif'
    document = sarif.parse(corpus(name), name)
    assert document['reviewer'] == {'name': 'Bandit', 'kind': 'tool', 'version': '1.9.4'}
    findings = document['findings']
    severities = [f['severity'] for f in findings]
    assert (severities.count('high'), severities.count('medium'), severities.count('low')) == (1, 8, 14)
    assert all(f['category'] == 'security' for f in findings)
    assert {c for f in findings for c in f['cwe']} == {'CWE-330', 'CWE-605', 'CWE-78', 'CWE-327'}
    assert all(f['location']['path'].startswith('neutron/') for f in findings)
    assert findings[0] == {
        'title': 'Standard pseudo-random generators are not suitable for security/cryptographic purposes',
        'severity': 'low',
        'message': 'Standard pseudo-random generators are not suitable for security/cryptographic purposes.',
        'confidence': 'high',
        'category': 'security',
        'cwe': ['CWE-330'],
        'rule': 'B311',
        'location': {'path': 'neutron/agent/common/ovs_lib.py', 'start_line': 1293, 'end_line': 1293,
                     'start_column': 12, 'end_column': 43},
    }


def test_codeql_log_of_two_runs() -> None:
    name = 'codeql-action_valid-sarif.sarif'
    document = sarif.parse(corpus(name), name)
    assert document['reviewer'] == {'name': 'LGTM.com, CodeQL command-line toolchain', 'kind': 'tool'}
    last = document['findings'][2]
    assert last['title'] == "Inconsistent use of 'new'"
    assert last['message'].startswith('Function resolvingPromise is sometimes invoked as a constructor '
                                      '(for example here)')
    assert last['category'] == 'correctness'
    assert last['related'] == [
        {'path': 'src/ParseObject.js', 'start_line': 2281, 'start_column': 33, 'end_column': 54},
        {'path': 'src/LiveQueryClient.js', 'start_line': 166},
    ]
    assert last['fingerprints'] == {'primaryLocationLineHash': '5061c3315a741b7d:1',
                                    'primaryLocationStartColumnFingerprint': '7'}


def test_corpus_uris() -> None:
    fortify = sarif.parse(corpus('sarif-sdk_fortify_OneResultWithTwoTraces.sarif'), 'f')['findings'][0]
    # under SRCROOT, file:///C:/projects/myproject/src/ where the analyser ran: a path from the repository root
    assert fortify['location'] == {'path': 'Helpers/DBHelper.cs', 'start_line': 146}
    semmle = sarif.parse(corpus('sarif-sdk_semmleql_results.sarif'), 's')['findings'][1]
    assert semmle['related'] == [{'path': 'src/main/java/org/apache/commons/io/IOUtils.java', 'start_line': 170}]
    tslint = sarif.parse(corpus('sarif-sdk_tslint-09.sarif'), 't')['findings'][0]
    assert tslint['location']['path'] == ('C:/a2/_work/6/s/SecureApp/ts/test-data/NoCookies/'
                                          'NoCookiesFailingTestInput.ts')
    gh1005 = 'sarif-sdk_RULEVIOLATION_GH1005.LocationsMustBeRelativeUrisOrFilePaths_Invalid.sarif'
    document = sarif.parse(corpus(gh1005), gh1005)
    assert 'location' not in document['findings'][0]
    assert document['notes'][0] == ("$.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri: "
                                    "'https://www.example.com/code/file.cs' is not a file; the location has no file")


def test_corpus_regions_that_contradict_themselves() -> None:
    name = 'sarif-sdk_RULEVIOLATION_SARIF1007.RegionPropertiesMustBeConsistent_Invalid.sarif'
    document = sarif.parse(corpus(name), name)
    assert document['findings'][0]['location'] == {'path': 'c:/src/file.c', 'start_line': 2, 'start_column': 2}
    assert document['findings'][1]['location'] == {'path': 'c:/src/file.c', 'start_line': 2}
    assert document['notes'][2] == ('$.runs[0].results[1].locations[0].physicalLocation.region: '
                                    'endLine 1 is before startLine 2; ignored')


def test_bandit_run_here(tmp_path: Path) -> None:
    """Real bandit on a small project with four kinds of problem: its SARIF, read."""
    (tmp_path / 'app').mkdir()
    (tmp_path / 'app' / 'service.py').write_text(
        'import pickle\n'
        'import subprocess\n'
        '\n'
        'import yaml\n'
        '\n'
        "password = 'hunter2'\n"
        '\n'
        '\n'
        'def run(command):\n'
        '    return subprocess.call(command, shell=True)\n'
        '\n'
        '\n'
        'def settings(text):\n'
        '    return yaml.load(text)\n'
        '\n'
        '\n'
        'def restore(blob):\n'
        '    return pickle.loads(blob)\n',
    )
    bandit = Path(sys.executable).parent / 'bandit'
    done = subprocess.run((str(bandit), '-q', '-f', 'sarif', '-r', 'app'), cwd=tmp_path,
                          capture_output=True, check=False)
    assert done.returncode == 1, done.stderr  # 1: issues found
    assert detect(done.stdout) == 'sarif'
    document = valid(sarif.parse(done.stdout, 'bandit.sarif'))
    assert document['reviewer']['name'] == 'Bandit'
    got = {(f['rule'], f['severity'], tuple(f['cwe']), f['location']['path'], f['location']['start_line'])
           for f in document['findings']}
    assert got == {
        ('B403', 'low', ('CWE-502',), 'app/service.py', 1),  # import pickle
        ('B404', 'low', ('CWE-78',), 'app/service.py', 2),  # import subprocess
        ('B105', 'low', ('CWE-259',), 'app/service.py', 6),  # hard-coded password
        ('B602', 'high', ('CWE-78',), 'app/service.py', 10),  # shell=True
        ('B506', 'medium', ('CWE-20',), 'app/service.py', 14),  # yaml.load
        ('B301', 'medium', ('CWE-502',), 'app/service.py', 18),  # pickle.loads
    }
    assert all(f['category'] == 'security' for f in document['findings'])
    shell = next(f for f in document['findings'] if f['rule'] == 'B602')
    assert shell['title'] == 'subprocess call with shell=True identified, security issue'
    assert shell['confidence'] == 'high'
    assert shell['location']['start_column'] == 12  # `subprocess` after '    return '


# ---- logs written for these tests -----------------------------------------------------------------

def log(*results: dict[str, Any], rules: list[dict[str, Any]] | None = None, **run: Any) -> bytes:
    driver = {'name': 'tool', 'version': '1.0', 'rules': rules or []}
    return json.dumps({'version': '2.1.0', 'runs': [{'tool': {'driver': driver}, 'results': list(results),
                                                     **run}]}).encode()


def result(**fields: Any) -> dict[str, Any]:
    return {'ruleId': 'R1', 'message': {'text': 'Something is wrong. Details follow.'}, **fields}


def at(path: str = 'src/app.py', uri_base_id: str | None = None, **region: Any) -> list[dict[str, Any]]:
    artifact = {'uri': path, **({'uriBaseId': uri_base_id} if uri_base_id else {})}
    return [{'physicalLocation': {'artifactLocation': artifact, **({'region': region} if region else {})}}]


def read(*results: dict[str, Any], **options: Any) -> dict[str, Any]:
    return valid(sarif.parse(log(*results, **options), 'test.sarif'))


def one(*results: dict[str, Any], **options: Any) -> dict[str, Any]:
    findings = read(*results, **options)['findings']
    assert len(findings) == 1
    return findings[0]


def error(data: bytes | str) -> str:
    with pytest.raises(GateError) as raised:
        sarif.parse(data.encode() if isinstance(data, str) else data, 'test.sarif')
    message = str(raised.value)
    assert message.startswith('test.sarif') and '\n' not in message
    return message


@pytest.mark.parametrize(('level', 'severity'), [
    ('error', 'high'), ('warning', 'medium'), ('note', 'low'), ('none', 'info'), (None, 'medium'),
])
def test_levels(level: str | None, severity: str) -> None:
    assert one(result(**({'level': level} if level else {})))['severity'] == severity


def test_the_rule_default_level_when_the_result_has_none() -> None:
    rules = [{'id': 'R1', 'defaultConfiguration': {'level': 'error'}},
             {'id': 'R2', 'defaultConfiguration': {'level': 'note'}}]
    findings = read(result(), result(ruleId='R2'), result(ruleId='R2', level='warning'),
                    result(ruleId=None, ruleIndex=1), rules=rules)['findings']
    assert [f['severity'] for f in findings] == ['high', 'low', 'medium', 'low']
    assert findings[3]['rule'] == 'R2'


def test_rules_found_by_reference_and_in_extensions() -> None:
    extension = {'name': 'pack', 'rules': [{'id': 'X1', 'shortDescription': {'text': 'From the extension pack'},
                                            'defaultConfiguration': {'level': 'error'}}]}
    data = json.loads(log(
        result(ruleId=None, rule={'id': 'X1', 'index': 0, 'toolComponent': {'index': 0}}),
        result(ruleId=None, rule={'id': 'X1', 'toolComponent': {'name': 'pack'}}),
        result(ruleId='X1'),
        result(ruleId='R9/2', rule={'id': 'R9/2'}),
        rules=[{'id': 'R9', 'shortDescription': {'text': 'The parent rule of R9/2'}}],
    ))
    data['runs'][0]['tool']['extensions'] = [extension]
    findings = valid(sarif.parse(json.dumps(data).encode(), 'x'))['findings']
    assert [(f['title'], f['severity'], f['rule']) for f in findings] == [
        ('From the extension pack', 'high', 'X1'), ('From the extension pack', 'high', 'X1'),
        ('From the extension pack', 'high', 'X1'), ('The parent rule of R9/2', 'medium', 'R9/2'),
    ]


def test_results_that_are_not_failures() -> None:
    document = read(result(kind='pass'), result(kind='pass'), result(kind='notApplicable'),
                    result(kind='informational'), result(kind='review'), result(kind='open', level='error'),
                    result(baselineState='absent'), result(baselineState='new'))
    assert [f['severity'] for f in document['findings']] == ['info', 'high', 'medium']
    assert document['notes'] == [
        '2 results of kind pass were not read as findings',
        '1 result of kind notApplicable was not read as a finding',
        '1 result of kind informational was not read as a finding',
        '1 result with baselineState absent (gone since the baseline) was not read as a finding',
    ]


@pytest.mark.parametrize(('score', 'severity'), [
    ('10.0', 'critical'), ('9.0', 'critical'), ('8.9', 'high'), ('7.0', 'high'), ('6.9', 'medium'),
    ('4.0', 'medium'), ('3.9', 'low'), ('0.1', 'low'), ('0.0', 'info'), ('0', 'info'), (9.8, 'critical'),
])
def test_security_severity_bands(score: Any, severity: str) -> None:
    rules = [{'id': 'R1', 'defaultConfiguration': {'level': 'note'}, 'properties': {'security-severity': score}}]
    finding = one(result(level='note'), rules=rules)
    assert (finding['severity'], finding['category']) == (severity, 'security')


def test_security_severity_of_the_result_wins_and_a_bad_one_is_ignored() -> None:
    rules = [{'id': 'R1', 'properties': {'security-severity': '9.1'}}]
    document = read(result(properties={'security-severity': '5.0'}), result(), rules=rules)
    assert [f['severity'] for f in document['findings']] == ['medium', 'critical']
    document = read(result(level='error'), rules=[{'id': 'R1', 'properties': {'security-severity': 'high'}}])
    assert document['findings'][0]['severity'] == 'high'
    assert document['notes'] == ["$.runs[0].tool.driver.rules[0].properties.security-severity: 'high' is not a "
                                 'score from 0 to 10; ignored']


def test_cwe_from_tags_and_properties() -> None:
    rules = [
        {'id': 'A', 'properties': {'tags': ['security', 'external/cwe/cwe-079', 'external/cwe/cwe-116']}},
        {'id': 'B', 'properties': {'tags': ['cwe-89', 'CWE-89: Improper Neutralization of ...', 'owasp-a1']}},
        {'id': 'C', 'properties': {'cwe': ['CWE-22', 'cwe-23'], 'cwe_id': 78, 'cweId': '0094', 'tags': ['style']}},
        {'id': 'D', 'properties': {'tags': ['cwe', 'external/cwe/cwe-000', 'acwe-12']}},
    ]
    findings = read(result(ruleId='A'), result(ruleId='B'), result(ruleId='C'), result(ruleId='D'),
                    result(ruleId='D', properties={'cwe': 'CWE-502: Deserialization of Untrusted Data'}),
                    rules=rules)['findings']
    assert [f.get('cwe') for f in findings] == [
        ['CWE-79', 'CWE-116'], ['CWE-89'], ['CWE-22', 'CWE-23', 'CWE-78', 'CWE-94'], None, ['CWE-502'],
    ]
    assert [f.get('category') for f in findings] == ['security', 'security', 'security', None, 'security']


def test_cwe_from_taxonomies() -> None:
    taxonomies = [
        {'name': 'OWASP', 'guid': 'o', 'taxa': [{'id': 'A03'}]},
        {'name': 'CWE', 'guid': 'c', 'taxa': [{'id': '79', 'guid': 't79'}, {'id': 'CWE-352'}]},
    ]
    rules = [{'id': 'R1', 'relationships': [
        {'target': {'id': '22', 'toolComponent': {'name': 'CWE'}}, 'kinds': ['superset']},
        {'target': {'id': 'A03', 'toolComponent': {'name': 'OWASP'}}},
    ]}]
    findings = read(
        result(),
        result(ruleId='R2', taxa=[{'index': 1, 'toolComponent': {'index': 1}}]),
        result(ruleId='R2', taxa=[{'guid': 't79', 'toolComponent': {'guid': 'c'}},
                                  {'index': 0, 'toolComponent': {'index': 0}}]),
        rules=rules, taxonomies=taxonomies,
    )['findings']
    assert [f.get('cwe') for f in findings] == [['CWE-22'], ['CWE-352'], ['CWE-79']]


@pytest.mark.parametrize(('location', 'bases', 'path'), [
    (at('src/app.py'), None, 'src/app.py'),
    (at('src/app.py', '%SRCROOT%'), None, 'src/app.py'),  # an unknown base: the repository, as GitHub reads it
    (at('/src/app.py', '%SRCROOT%'), None, 'src/app.py'),  # under a base, whatever the slash says
    (at('/src/app.py'), None, '/src/app.py'),
    # a base given as a file URI is where the analyser saw the repository: paths below it are the repository's
    (at('app.py', 'SRC'), {'SRC': {'uri': 'src/', 'uriBaseId': 'ROOT'}, 'ROOT': {'uri': 'file:///work/repo/'}},
     'src/app.py'),
    (at('file:///work/repo/src/app.py'), {'ROOT': {'uri': 'file:///work/repo/'}}, 'src/app.py'),
    (at('file:///elsewhere/app.py'), {'ROOT': {'uri': 'file:///work/repo/'}}, '/elsewhere/app.py'),
    (at('app.py', 'SRC'), {'SRC': {'uri': 'src', 'uriBaseId': 'ROOT'}}, 'src/app.py'),
    (at('a%20b/%C3%A9t%C3%A9.py', 'S'), {'S': {'uri': 'file:///C:/My%20Work/'}}, 'a b/été.py'),
    (at('x.py', 'A'), {'A': {'uri': 'a/', 'uriBaseId': 'B'}, 'B': {'uri': 'b/', 'uriBaseId': 'A'}}, 'b/a/x.py'),
    (at('file:///home/me/repo/src/app.py', '%SRCROOT%'), None, '/home/me/repo/src/app.py'),
    (at('file:///c:/src/file.c'), None, 'c:/src/file.c'),
    (at('file://localhost/srv/app.py'), None, '/srv/app.py'),
    (at('file://build-host/share/app.py'), None, 'file://build-host/share/app.py'),  # the gate says it is elsewhere
    (at('my%20file.py'), None, 'my file.py'),
    (at('C:\\src\\app.c'), None, 'C:\\src\\app.c'),
])
def test_uris(location: list[dict[str, Any]], bases: dict[str, Any] | None, path: str) -> None:
    run = {'originalUriBaseIds': bases} if bases else {}
    assert one(result(locations=location), **run)['location'] == {'path': path}


def test_artifacts_by_index_and_uris_that_are_not_files() -> None:
    artifacts = [{'location': {'uri': 'lib/a.py', 'uriBaseId': 'ROOT'}}]
    bases = {'ROOT': {'uri': 'file:///repo/'}}
    document = read(
        result(locations=[{'physicalLocation': {'artifactLocation': {'index': 0}, 'region': {'startLine': 3}}}]),
        result(locations=at('https://example.com/a.py', startLine=3)),
        result(locations=[{'physicalLocation': {'artifactLocation': {'index': 7}}}]),
        artifacts=artifacts, originalUriBaseIds=bases,
    )
    findings = document['findings']
    assert findings[0]['location'] == {'path': 'lib/a.py', 'start_line': 3}
    assert 'location' not in findings[1] and 'location' not in findings[2]
    assert document['notes'] == [
        "$.runs[0].results[1].locations[0].physicalLocation.artifactLocation.uri: 'https://example.com/a.py' is "
        'not a file; the location has no file',
        '$.runs[0].results[2].locations[0].physicalLocation.artifactLocation.index: 7 names no artifact; '
        'the location has no file',
    ]


@pytest.mark.parametrize(('region', 'location'), [
    ({'startLine': 4}, {'start_line': 4}),
    ({'startLine': 4, 'endLine': 6}, {'start_line': 4, 'end_line': 6}),
    ({'startLine': 4, 'startColumn': 5, 'endColumn': 9}, {'start_line': 4, 'start_column': 5, 'end_column': 8}),
    ({'startLine': 4, 'startColumn': 5, 'endColumn': 5}, {'start_line': 4, 'start_column': 5, 'end_column': 5}),
    ({'startLine': 4, 'endColumn': 9}, {'start_line': 4, 'start_column': 1, 'end_column': 8}),
    ({'startLine': 4, 'startColumn': 5}, {'start_line': 4, 'start_column': 5}),
    ({'startLine': 4, 'endLine': 5, 'startColumn': 9, 'endColumn': 3},
     {'start_line': 4, 'end_line': 5, 'start_column': 9, 'end_column': 2}),
    ({'startLine': 4, 'endLine': 5, 'startColumn': 9, 'endColumn': 1},  # to the start of 5: ends with 4
     {'start_line': 4, 'end_line': 4, 'start_column': 9}),
    ({'charOffset': 10, 'charLength': 4}, {}),
])
def test_regions(region: dict[str, Any], location: dict[str, Any]) -> None:
    assert one(result(locations=at(**region)))['location'] == {'path': 'src/app.py', **location}


@pytest.mark.parametrize(('region', 'location', 'note'), [
    ({'startLine': 0}, {}, '.startLine: 0 is not a line number; ignored'),
    ({'startLine': '12'}, {}, ".startLine: '12' is not a line number; ignored"),
    ({'startLine': True}, {}, '.startLine: True is not a line number; ignored'),
    ({'startLine': 5, 'endLine': -1}, {'start_line': 5}, '.endLine: -1 is not a line number; ignored'),
    ({'startLine': 5, 'endLine': 2}, {'start_line': 5}, ': endLine 2 is before startLine 5; ignored'),
    ({'startLine': 5, 'startColumn': 0, 'endColumn': 3}, {'start_line': 5, 'start_column': 1, 'end_column': 2},
     '.startColumn: 0 is not a column number; ignored'),
    ({'startLine': 5, 'startColumn': 7, 'endColumn': 3}, {'start_line': 5, 'start_column': 7},
     ': endColumn 3 is before startColumn 7; ignored'),
])
def test_malformed_regions_are_dropped_and_noted(region: dict[str, Any], location: dict[str, Any],
                                                 note: str) -> None:
    document = read(result(), result(locations=at(**region)))
    assert document['findings'][1]['location'] == {'path': 'src/app.py', **location}
    assert document['notes'] == [f'$.runs[0].results[1].locations[0].physicalLocation.region{note}']


def test_malformed_fields_inside_results() -> None:
    document = read(result(level='critical', kind='bad', ruleIndex='0', message={'text': 7},
                           locations=['src/x.py', *at(7)], partialFingerprints={'a': 1, 'b': 'x'},
                           suppressions=[{'kind': 'magic'}]))
    finding = document['findings'][0]
    assert finding == {'title': 'R1', 'severity': 'medium', 'rule': 'R1', 'fingerprints': {'b': 'x'},
                       'suppression': {'kind': 'external'}}
    assert document['notes'] == [
        '1 finding is suppressed in the log (SARIF suppressions, status accepted)',
        "$.runs[0].results[0].kind: 'bad' is not a SARIF result kind; read as fail",
        "$.runs[0].results[0].ruleIndex: '0' is not an index; ignored",
        "$.runs[0].results[0].level: 'critical' is not a SARIF level; ignored",
        '$.runs[0].results[0].locations[0]: a string (\'src/x.py\') where a location object belongs; ignored',
        '$.runs[0].results[0].locations[1].physicalLocation.artifactLocation.uri: 7 is not a URI; '
        'the location has no file',
        '$.runs[0].results[0].partialFingerprints.a: 1 is not a string; ignored',
        "$.runs[0].results[0].suppressions[0].kind: 'magic' is not inSource or external; read as external",
    ]


def test_fields_of_the_wrong_shape_are_left_out() -> None:
    document = read(result(message='Plain string', properties=[1], locations={'physicalLocation': {}},
                           relatedLocations='src/x.py', fixes={}, taxa='CWE-79', suppressions={'kind': 'inSource'},
                           partialFingerprints=['a']))
    assert document['findings'][0] == {'title': 'R1', 'severity': 'medium', 'rule': 'R1'}
    where = '$.runs[0].results[0]'
    assert document['notes'] == [  # in the order of the log
        f"{where}.message: a string ('Plain string') where an object belongs; ignored",
        f'{where}.properties: a list where an object belongs; ignored',
        f'{where}.locations: an object where a list belongs; ignored',
        f"{where}.relatedLocations: a string ('src/x.py') where a list belongs; ignored",
        f'{where}.fixes: an object where a list belongs; ignored',
        f"{where}.taxa: a string ('CWE-79') where a list belongs; ignored",
        f'{where}.suppressions: an object where a list belongs; ignored',
        f'{where}.partialFingerprints: a list where an object belongs; ignored',
    ]


def test_the_analysis_target_locates_a_result_without_locations() -> None:
    finding = one(result(analysisTarget={'uri': 'lib/module.py'}))
    assert finding['location'] == {'path': 'lib/module.py'}
    finding = one(result(analysisTarget={'uri': 'lib/module.py'}, locations=at('src/app.py', startLine=2)))
    assert finding['location'] == {'path': 'src/app.py', 'start_line': 2}


def test_a_base_that_is_not_a_file_is_named_in_the_note() -> None:
    bases = {'WEB': {'uri': 'https://x.example/'}}
    document = read(result(locations=at('index.htm', 'WEB')), originalUriBaseIds=bases)
    assert 'location' not in document['findings'][0]
    assert document['notes'] == ["$.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri: "
                                 "'index.htm' (under WEB: 'https://x.example/index.htm') is not a file; "
                                 'the location has no file']


def test_many_malformed_fields_are_counted_past_twenty() -> None:
    document = read(*(result(locations=at(startLine=0)) for _ in range(25)))
    assert len(document['findings']) == 25
    assert len(document['notes']) == 21
    assert document['notes'][-1] == 'and 5 more malformed fields, left out the same way'


def test_suppressions() -> None:
    document = read(
        result(suppressions=[{'kind': 'inSource', 'justification': 'test fixture'}]),
        result(suppressions=[{'kind': 'external', 'status': 'accepted'}]),
        result(suppressions=[{'kind': 'external', 'status': 'underReview'}]),
        result(suppressions=[{'kind': 'inSource', 'status': 'rejected'}]),
        result(suppressions=[{'kind': 'inSource'}, {'kind': 'external', 'status': 'underReview'}]),
        result(suppressions=[]),
        result(),
    )
    assert [f.get('suppression') for f in document['findings']] == [
        {'kind': 'inSource', 'justification': 'test fixture'}, {'kind': 'external'}, None, None, None, None, None,
    ]
    assert document['notes'] == [
        '2 findings are suppressed in the log (SARIF suppressions, status accepted)',
        '2 findings with a suppression under review were read as not suppressed',
        '1 finding with a suppression rejected was read as not suppressed',
    ]


def test_suppressed_findings_reach_the_gate() -> None:
    data = log(result(suppressions=[{'kind': 'inSource', 'justification': 'test fixture'}],
                      partialFingerprints={'primaryLocationLineHash': 'abc:1'}))
    report = sources.read(sources.Source('x.sarif', data))
    assert isinstance(report, Report)
    assert report.findings[0].suppression == ('inSource', 'test fixture')
    assert report.findings[0].fingerprints == (('primaryLocationLineHash', 'abc:1'),)


def test_fingerprints_are_kept() -> None:
    finding = one(result(
        partialFingerprints={'primaryLocationLineHash': '39fa2ee980eb94b0:1', 'prohibitedWordHash/v3': 'abc'},
        fingerprints={'matchBasedId/v1': 'f00d', 'primaryLocationLineHash': 'other'},
    ))
    assert finding['fingerprints'] == {'primaryLocationLineHash': '39fa2ee980eb94b0:1',
                                       'prohibitedWordHash/v3': 'abc', 'matchBasedId/v1': 'f00d'}
    assert finding['fingerprint'] == 'f00d'


def test_several_runs_make_one_report() -> None:
    def run(name: str, version: str, rule: str) -> dict[str, Any]:
        return {'tool': {'driver': {'name': name, 'semanticVersion': version}}, 'results': [result(ruleId=rule)]}

    two = {'version': '2.1.0', 'runs': [run('bandit', '1.9.4', 'B101'), run('semgrep', '1.2.0', 'S1'),
                                        run('bandit', '1.9.4', 'B102')]}
    document = valid(sarif.parse(json.dumps(two).encode(), 'x'))
    assert document['reviewer'] == {'name': 'bandit, semgrep', 'kind': 'tool'}
    assert [f['rule'] for f in document['findings']] == ['B101', 'S1', 'B102']
    same = {'version': '2.1.0', 'runs': [run('bandit', '1.9.4', 'B101'), run('bandit', '1.9.4', 'B102')]}
    assert sarif.parse(json.dumps(same).encode(), 'x')['reviewer'] == {'name': 'bandit', 'kind': 'tool',
                                                                       'version': '1.9.4'}


def test_message_strings_arguments_and_links() -> None:
    rules = [{'id': 'R1', 'messageStrings': {
        'default': {'text': "Variable '{0}' is used before '{1}' is set {{always}}."},
        'short': {'text': 'Only {0} and {3}.'},
    }}]
    data = json.loads(log(
        result(message={'id': 'default', 'arguments': ['count', 'total']}),
        result(message={'id': 'short', 'arguments': ['one']}),
        result(message={'id': 'global', 'arguments': ['x']}),
        result(message={'text': 'Tainted by [this input](1) and [that one \\[2\\]](2) [not a link].'}),
        result(message={'markdown': 'Only **markdown**'}),
        rules=rules,
    ))
    data['runs'][0]['tool']['driver']['globalMessageStrings'] = {'global': {'text': 'From {0} everywhere'}}
    findings = valid(sarif.parse(json.dumps(data).encode(), 'x'))['findings']
    assert [f['message'] for f in findings] == [
        "Variable 'count' is used before 'total' is set {always}.",
        'Only one and {3}.',
        'From x everywhere',
        'Tainted by this input and that one [2] [not a link].',
        'Only **markdown**',
    ]


def test_titles_and_suggestions() -> None:
    rules = [
        {'id': 'R1', 'name': 'MissingCheck', 'shortDescription': {'text': 'Missing authorization check'},
         'help': {'text': 'Add an authorization check before the privileged action.'}},
        {'id': 'R2', 'name': 'MissingCheck', 'shortDescription': {'text': 'Semgrep Finding: R2'}},
        {'id': 'R3', 'name': 'Hard-coded credentials in source'},
        {'id': 'R4', 'fullDescription': {'text': 'Long.'},
         'help': {'text': '# Title\n\nLong story.\n\n## Recommendation\nUse the\nsafe API.\n\n## Example\n...'}},
        {'id': 'R5', 'fullDescription': {'text': 'Same text'}, 'help': {'text': 'Same text'}},
    ]
    findings = read(
        result(), result(ruleId='R2'), result(ruleId='R3'), result(ruleId='R4'),
        result(ruleId='R5', fixes=[{'description': {'text': 'Quote the argument.'}}]),
        result(ruleId='R6', message={'text': 'Line too long (120/100)'}),
        result(ruleId='R2', message={}),
        rules=rules,
    )['findings']
    assert [(f['title'], f.get('suggestion')) for f in findings] == [
        ('Missing authorization check', 'Add an authorization check before the privileged action.'),
        ('Something is wrong', None),
        ('Hard-coded credentials in source', None),
        ('Something is wrong', 'Use the safe API.'),
        ('Something is wrong', 'Quote the argument.'),
        ('Line too long (120/100)', None),
        ('MissingCheck', None),
    ]


def test_confidence_and_category() -> None:
    rules = [{'id': 'R1', 'properties': {'precision': 'very-high', 'tags': ['maintainability', 'reliability']}}]
    findings = read(result(), result(properties={'issue_confidence': 'LOW', 'tags': ['security']}),
                    rules=rules)['findings']
    assert [(f['confidence'], f['category']) for f in findings] == [('high', 'reliability'), ('low', 'security')]


def test_logical_locations_name_the_symbol() -> None:
    located = at(startLine=3)
    located[0]['logicalLocations'] = [{'fullyQualifiedName': 'app.views.delete_user', 'kind': 'function'}]
    indexed = [{'logicalLocations': [{'index': 0}]}]
    findings = read(result(locations=located), result(locations=indexed),
                    logicalLocations=[{'name': 'delete', 'fullyQualifiedName': 'Users::delete'}])['findings']
    assert findings[0]['location'] == {'path': 'src/app.py', 'start_line': 3, 'symbol': 'app.views.delete_user'}
    assert findings[1]['location'] == {'symbol': 'Users::delete'}


def test_other_locations_become_related() -> None:
    finding = one(result(locations=[*at('a.py', startLine=1), *at('b.py', startLine=2)],
                         relatedLocations=[*at('c.py', startLine=3), {'message': {'text': 'nowhere'}}]))
    assert finding['location'] == {'path': 'a.py', 'start_line': 1}
    assert finding['related'] == [{'path': 'b.py', 'start_line': 2}, {'path': 'c.py', 'start_line': 3}]


def test_runs_that_failed_or_report_nothing() -> None:
    failed = {'version': '2.1.0', 'runs': [{
        'tool': {'driver': {'name': 'scanner'}}, 'results': [],
        'invocations': [{'executionSuccessful': False, 'toolExecutionNotifications': [
            {'level': 'error', 'message': {'text': 'could not parse app.py'}}]}],
    }]}
    document = valid(sarif.parse(json.dumps(failed).encode(), 'x'))
    assert (document['verdict'], document['failures'], 'notes' in document) == ('findings', [
        '$.runs[0]: scanner did not run successfully (executionSuccessful: false): could not parse app.py'], False)
    rules_only = {'version': '2.1.0', 'runs': [{'tool': {'driver': {}}}]}
    document = valid(sarif.parse(json.dumps(rules_only).encode(), 'x'))
    assert (document['complete'], document['verdict'], document['reviewer']['name']) == (True, 'findings',
                                                                                         'unnamed tool')
    assert document['notes'] == ['$.runs[0].tool.driver.name: missing; the tool is unnamed',
                                 '$.runs[0].results: missing; the run reports no results']
    document = valid(sarif.parse(b'{"version": "2.1.0", "runs": []}', 'x'))
    assert (document['verdict'], document['failures']) == ('findings', ['$.runs: empty; no tool ran (a log with no runs)'])


@pytest.mark.parametrize(('log_text', 'version'), [
    ('{"version": "1.0.0", "runs": []}', '1.0.0'),
    ('{"version": "2.0.0", "runs": [{"tool": {"name": "x"}, "results": []}]}', '2.0.0'),
    ('{"$schema": "http://json.schemastore.org/sarif-2.0.0", "runs": []}', '2.0.0'),
    ('{"$schema": "https://schemastore.azurewebsites.net/schemas/json/sarif-1.0.0.json", "runs": []}', '1.0.0'),
    ('{"version": "2.0.0-csd.2.beta.2019-01-24", "runs": []}', '2.0.0-csd.2.beta.2019-01-24'),
])
def test_sarif_1_and_2_0_are_refused(log_text: str, version: str) -> None:
    assert error(log_text) == f'test.sarif: SARIF {version} is not supported; {CONVERT}'


@pytest.mark.parametrize(('log_text', 'message'), [
    ('[1, 2]', 'test.sarif::$: a list where a SARIF log (an object with "version" and "runs") belongs; '
               'pass the file the tool wrote with its SARIF output option'),
    ('{"version": "2.1.0"}', 'test.sarif::$.runs: missing, so this is not a SARIF log; pass the file the tool '
                             'wrote with its SARIF output option'),
    ('{"version": "2.1.0", "runs": {}}', 'test.sarif::$.runs: an object where the list of runs belongs; '
                                         'check the SARIF output of the tool'),
    ('{"version": "2.1.0", "runs": [3]}', 'test.sarif::$.runs[0]: a number (3) where a run object belongs; '
                                          'check the SARIF output of the tool'),
    ('{"version": "2.1.0", "runs": [{"results": [null]}]}',
     'test.sarif::$.runs[0].results[0]: null where a result object belongs; check the SARIF output of the tool'),
    ('{"version": 2.1, "runs": []}', 'test.sarif::$.version: 2.1 is not a SARIF version; '
                                     'a SARIF 2.1.0 log says "version": "2.1.0"'),
    ('{"version": "3.0.0", "runs": []}', 'test.sarif::$.version: SARIF 3.0.0 is not supported; '
                                         'findings-gate reads SARIF 2.1.0'),
    ('{"version": "2.1.0",\n "runs": [}', 'test.sarif:2:11: not valid JSON: Expecting value; fix the syntax'),
    pytest.param('{"version": "2.1.0", "runs": ' + '[' * 100_000 + ']' * 100_000 + '}',
                 'test.sarif: nested more than 100 levels deep; no report is, check what wrote it', id='too-deep'),
    (b'{"version": "2.1.0", "runs": [], "x": "\xff"}', 'test.sarif: not UTF-8 text (byte 39); '
                                                       'save the report as UTF-8'),
])
def test_what_is_not_a_sarif_log(log_text: str | bytes, message: str) -> None:
    assert error(log_text) == message


def test_lenient_json_and_a_missing_version() -> None:
    text = '\ufeff{"runs": [{"tool": {"driver": {"name": "t",}}, "results": [{"message": {"text": "a, ]"},},],},],}'
    document = valid(sarif.parse(text.encode(), 'x'))
    assert document['findings'][0]['message'] == 'a, ]'
    assert document['notes'] == ['the log is not strict JSON: trailing commas were ignored',
                                 '$.version: missing; read as SARIF 2.1.0']


def test_a_log_of_100000_results_reads_in_one_pass() -> None:
    results = [{'ruleIndex': i % 3, 'message': {'text': f'Problem {i}.'},
                'locations': at(f'src/m{i % 97}.py', '%SRCROOT%', startLine=i % 500 + 1, startColumn=0)}
               for i in range(100_000)]
    rules = [{'id': f'R{k}', 'properties': {'tags': [f'external/cwe/cwe-{k + 20}']}} for k in range(3)]
    document = sarif.parse(log(*results, rules=rules), 'big.sarif')
    assert len(document['findings']) == 100_000
    assert document['findings'][-1] == {
        'title': 'Problem 99999', 'severity': 'medium', 'message': 'Problem 99999.', 'category': 'security',
        'cwe': ['CWE-20'], 'rule': 'R0', 'location': {'path': 'src/m89.py', 'start_line': 500},
    }
    assert document['notes'][-1] == 'and 99980 more malformed fields, left out the same way'
