"""The SARIF writer: code scanning's subset, the official schema, the multitool, and the line hash."""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from findings_gate.cli import VERSION, main
from findings_gate.model import Decided, Decision, Finding, Location
from findings_gate.render import linehash, sarif
from tests.conftest import Repo
from tests.decisions import NASTY, findings, lines, scenario

SCHEMA = Path(__file__).parent / 'schemas' / 'sarif-schema-2.1.0.json'


@pytest.fixture
def decision(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Decision:
    monkeypatch.chdir(repo.root)
    return scenario(repo, tmp_path / 'reports')


# -- primaryLocationLineHash


def reference_hashes(text: str) -> list[str]:
    """An independent reading of codeql-action's hash: each line's 100-unit window, summed directly.

    Normalise (CR LF and CR to LF, drop spaces and tabs), append 65535 and 100
    zeros, and for every line start p take sum(s[p+i] * 37**(99-i)) mod 2**64.
    """
    text = text.replace('\r\n', '\n').replace('\r', '\n').replace(' ', '').replace('\t', '')
    units = list(text.encode('utf-16-le', 'surrogatepass'))
    codes = [units[i] | units[i + 1] << 8 for i in range(0, len(units), 2)] + [65535] + [0] * 100
    starts = [0] + [i + 1 for i, c in enumerate(codes[:-100]) if c == 10]
    seen: dict[str, int] = {}
    out = []
    for p in starts:
        value = sum(codes[p + i] * 37 ** (99 - i) for i in range(100)) % 2 ** 64
        key = format(value, 'x')
        seen[key] = seen.get(key, 0) + 1
        out.append(f'{key}:{seen[key]}')
    return out


# from github/codeql-action src/fingerprints.test.ts, test 'hash'
CODEQL_VECTORS = [
    ('', ['c129715d7a2bc9a3:1']),
    (' a\nb\n  \t\tc\n d',
     ['271789c17abda88f:1', '54703d4cd895b18:1', '180aee12dab6264:1', 'a23a3dc5e078b07b:1']),
    (' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End',
     ['8b7cf3e952e7aeb2:1', 'b1ae1287ec4718d9:1', 'bff680108adb0fcc:1', 'c6805c5e1288b612:1',
      'b86d3392aea1be30:1', 'e6ceba753e1a442:1']),
    *((text, ['e9496ae3ebfced30:1', 'fb7c023a8b9ccb3f:1', 'ce8ba1a563dcdaca:1', 'e20e36e16fcb0cc8:1',
              'b3edc88f2938467e:1', 'c8e28b0b4002a3a0:1', 'c129715d7a2bc9a3:1']) for text in (
        ' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n',
        ' hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r',
        ' hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n',
        ' hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n',
    )),
    ('Lorem ipsum dolor sit amet.\n' * 10,
     [*(f'a7f2ff13bc495cf2:{n}' for n in range(1, 7)), 'a7f2ff1481e87703:1', 'a9cf91f7bbf1862b:1',
      '55ec222b86bcae53:1', 'cc97dc7b1d7d8f7b:1', 'c129715d7a2bc9a3:1']),
]


@pytest.mark.parametrize(('text', 'expected'), CODEQL_VECTORS)
def test_line_hashes_are_codeql_actions(text: str, expected: list[str]) -> None:
    assert list(linehash.line_hashes(text)) == list(enumerate(expected, 1))
    assert reference_hashes(text) == expected


def _generated(rng: random.Random) -> str:
    pieces = ['a', 'Z', '0', ' ', '  ', '\t', '\n', '\r\n', '\r', '\r \n', 'é', '😀', '\u2028',
              '{', 'x' * 120, 'Lorem ipsum\n', '\ufeff', '\x00']
    return ''.join(rng.choice(pieces) for _ in range(rng.randrange(0, 400)))


def test_line_hashes_agree_with_an_independent_implementation() -> None:
    rng = random.Random(20260101)
    for _ in range(150):
        text = _generated(rng)
        assert [h for _, h in linehash.line_hashes(text)] == reference_hashes(text), repr(text)


def test_hashes_stop_at_the_line_asked_for_and_look_like_githubs() -> None:
    text = lines(300)
    every = reference_hashes(text)
    assert sarif.hashes(text, 7) == dict(enumerate(every[:7], 1))
    assert sarif.hashes('one\ntwo', 50) == dict(enumerate(reference_hashes('one\ntwo'), 1))
    assert all(re.fullmatch(r'[0-9a-f]{1,16}:[1-9][0-9]*', h) for h in every)
    assert re.fullmatch(r'[0-9a-f]{1,16}:[1-9][0-9]*', '39fa2ee980eb94b0:1')  # GitHub's example


# -- the document


def schema_problems(document: dict) -> list[str]:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    assert schema['$schema'] == 'https://json-schema.org/draft/2020-12/schema'
    validator = jsonschema.Draft202012Validator(schema)
    problems = [f'{e.json_path}: {e.message}' for e in validator.iter_errors(document)]
    for run in document['runs']:  # the OASIS schema's region rule, which this copy leaves out
        for result in run['results']:
            region = result.get('locations', [{}])[0].get('physicalLocation', {}).get('region')
            if region is not None and not {'startLine', 'charOffset', 'byteOffset'} & set(region):
                problems.append(f'a region without a start: {region}')
    return problems


def test_the_log_is_valid_and_has_codescannings_fields(decision: Decision) -> None:
    document = sarif.document(decision)
    assert schema_problems(document) == []
    assert document['$schema'] == 'https://json.schemastore.org/sarif-2.1.0.json'
    assert document['version'] == '2.1.0'
    [run] = document['runs']
    assert run['tool']['driver']['name'] == 'findings-gate'
    assert run['tool']['driver']['semanticVersion'] == VERSION
    assert run['automationDetails'] == {'id': 'findings-gate/'}
    assert run['columnKind'] == 'unicodeCodePoints'
    rules = run['tool']['driver']['rules']
    assert len({r['id'] for r in rules}) == len(rules)
    for rule in rules:
        assert rule['shortDescription']['text'] and len(rule['shortDescription']['text']) <= 1024
        assert rule['fullDescription']['text'] and len(rule['fullDescription']['text']) <= 1024
        assert rule['help']['text'] and rule['help']['markdown']
        assert rule['defaultConfiguration']['level'] in ('note', 'warning', 'error')
        assert rule['properties'].get('security-severity') != '9.0'
    for result in run['results']:
        assert rules[result['ruleIndex']]['id'] == result['ruleId']
        assert result['message']['text']
        artifact = result['locations'][0]['physicalLocation']['artifactLocation']
        assert artifact['uriBaseId'] == '%SRCROOT%' and not artifact['uri'].startswith('/')
        assert result['level'] == {'block': 'error', 'warn': 'warning', 'ignore': 'note'}[
            result['properties']['action']]


def _by_title(run: dict, title: str) -> dict:
    [result] = [r for r in run['results'] if r['message']['text'].split('\n')[0] == title]
    return result


def _decided(decision: Decision, title: str) -> Decided:
    [found] = [d for d in decision.findings if d.placed.finding.title == title]
    return found


def test_results_are_placed_where_the_gate_placed_them(decision: Decision, repo: Repo) -> None:
    [run] = sarif.document(decision)['runs']
    sql = _by_title(run, 'SQL query built from user input')
    assert sql['level'] == 'error'
    assert sql['locations'][0]['physicalLocation'] == {
        'artifactLocation': {'uri': 'app/users.py', 'uriBaseId': '%SRCROOT%'},
        'region': {'startLine': 9, 'endLine': 9, 'startColumn': 5, 'endColumn': 21},
    }
    staged = repo.git('show', ':app/users.py')
    assert sql['partialFingerprints'] == {
        'primaryLocationLineHash': reference_hashes(staged)[8],
        'findingsGateSignature/v1': _decided(decision, 'SQL query built from user input').placed.signature,
    }
    assert sql['properties']['placement'] == 'added'
    assert sql['properties']['policyRule'] == 'block-severe-on-change'
    far = _by_title(run, 'far away')
    assert far['level'] == 'warning'
    assert far['locations'][0]['physicalLocation']['region'] == {'startLine': 30, 'endLine': 32}
    readme = _by_title(run, 'in the readme')
    assert readme['level'] == 'note'
    assert readme['properties']['grounding'] == 'partly'
    assert ("Grounding: partly: CWE-1059 is 'Insufficient Technical Documentation', not 'SQL Injection'"
            in readme['message']['text'])
    assert readme['partialFingerprints']['primaryLocationLineHash'] == reference_hashes('read me\r\n\tindented\r\n')[0]
    past = _by_title(run, 'past the end')  # grounding dropped the line: the file, no region
    assert past['locations'][0]['physicalLocation'] == {
        'artifactLocation': {'uri': 'README.txt', 'uriBaseId': '%SRCROOT%'}}
    assert 'primaryLocationLineHash' not in past['partialFingerprints']
    assert 'Grounding: ungrounded: line 50 is past the end of README.txt (2 lines)' in past['message']['text']
    removed = _by_title(run, 'removed lines')  # old-side lines: the file, no region
    assert removed['locations'][0]['physicalLocation'] == {
        'artifactLocation': {'uri': 'app/trimmed.py', 'uriBaseId': '%SRCROOT%'}}
    assert 'old side line 4' in removed['message']['text']
    assert 'primaryLocationLineHash' not in removed['partialFingerprints']
    odd = [r for r in run['results'] if r['properties']['placement'] == 'added' and r['ruleId'] != sql['ruleId']
           and 'suppressed' not in r['message']['text']]
    assert [r['locations'][0]['physicalLocation'] for r in odd] == [{
        'artifactLocation': {'uri': 'odd%20dir/%C3%BC%2C%20a%3Ab%20%5B1%5D%20%2541%20%23x.py',
                             'uriBaseId': '%SRCROOT%'},
        'region': {'startLine': 2, 'endLine': 2, 'startColumn': 3, 'endColumn': 5},
    }]


def test_findings_with_no_place_in_the_revision_are_notifications(decision: Decision) -> None:
    [run] = sarif.document(decision)['runs']
    titles = {r['message']['text'].split('\n')[0] for r in run['results']}
    assert not titles & {'nowhere', 'in a deleted file'}
    [invocation] = run['invocations']
    assert invocation['executionSuccessful'] is True
    notes = {n['message']['text'].split('\n')[0]: n for n in invocation['toolExecutionNotifications']}
    rules = run['tool']['driver']['rules']
    nowhere = notes['nowhere']
    assert nowhere['level'] == 'warning'
    assert rules[nowhere['associatedRule']['index']]['id'] == nowhere['associatedRule']['id']
    assert "'no/such/file.py' is not in the repository" in nowhere['message']['text']
    assert notes['in a deleted file']['properties']['placement'] == 'deleted'
    conditions = [n for n in invocation['toolExecutionNotifications'] if 'condition' in n['properties']]
    assert [(n['level'], n['properties']['condition']) for n in conditions] == [
        ('error', 'invalid_report'), ('warning', 'incomplete_report')]
    assert len(run['results']) + len(notes) == len(decision.findings) + len(conditions)


def test_suppressed_findings_carry_suppressions(decision: Decision) -> None:
    [run] = sarif.document(decision)['runs']
    suppressed = _by_title(run, 'suppressed one')
    assert suppressed['level'] == 'note'
    assert suppressed['suppressions'] == [
        {'kind': 'external', 'status': 'accepted', 'justification': 'checked [by hand]'}]
    others = [r for r in run['results'] if r is not suppressed]
    assert others and all(r['suppressions'] == [] for r in others)  # all or none in a run


def test_without_a_suppressed_finding_there_are_no_suppressions(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decided = scenario(repo, tmp_path / 'reports', findings()[:4])
    [run] = sarif.document(decided)['runs']
    assert run['results'] and not any('suppressions' in r for r in run['results'])


def test_rules_describe_security_findings_for_code_scanning(decision: Decision) -> None:
    [run] = sarif.document(decision)['runs']
    rules = {r['id']: r for r in run['tool']['driver']['rules']}
    cwe = rules['FG-CWE-89']
    assert cwe['shortDescription']['text'].startswith('CWE-89: Improper Neutralization')
    assert cwe['properties'] == {'tags': ['security', 'external/cwe/cwe-089'], 'precision': 'high',
                                 'security-severity': '8.0'}
    assert cwe['defaultConfiguration'] == {'level': 'error'}
    assert '[CWE-89](https://cwe.mitre.org/data/definitions/89.html)' in cwe['help']['markdown']
    nasty = rules['NASTY-1']  # the reviewer's own rule id wins
    assert nasty['properties']['tags'] == ['security', 'external/cwe/cwe-020', 'external/cwe/cwe-079']
    assert nasty['properties']['security-severity'] == '9.5'
    assert nasty['help']['text'] == NASTY  # the suggestion
    far = rules[sarif.rule_id(Finding('far away', 'medium'))]
    assert far['properties'] == {'precision': 'low', 'problem.severity': 'warning'}
    assert far['help']['text'] == 'Each result says what was found and where; see its message.'


@pytest.mark.parametrize(('severity', 'band'), [
    ('critical', (9.01, 10.0)), ('high', (7.0, 8.9)), ('medium', (4.0, 6.9)), ('low', (0.1, 3.9)),
])
def test_security_severity_falls_in_githubs_band(severity: str, band: tuple[float, float]) -> None:
    value = sarif.SECURITY_SEVERITY[severity]
    assert isinstance(value, str) and band[0] <= float(value) <= band[1]


def test_rule_ids_are_stable() -> None:
    assert sarif.rule_id(Finding('t', 'low', rule='B608', cwe=('CWE-89',))) == 'B608'
    assert sarif.rule_id(Finding('a', 'low', cwe=('CWE-89', 'CWE-79'))) == 'FG-CWE-79-CWE-89'
    assert sarif.rule_id(Finding('b', 'high', cwe=('CWE-79', 'CWE-89'))) == 'FG-CWE-79-CWE-89'
    one = sarif.rule_id(Finding('No limit  on rows', 'low'))
    assert one == sarif.rule_id(Finding('no limit on\nrows', 'high'))
    assert re.fullmatch(r'FG-[0-9a-f]{12}', one)
    assert one != sarif.rule_id(Finding('no limit on columns', 'low'))


def test_hostile_text_stays_text(decision: Decision) -> None:
    text = sarif.render(decision)
    document = json.loads(text)
    assert schema_problems(document) == []
    [run] = document['runs']
    nasty = [r for r in run['results'] if r['ruleId'] == 'NASTY-1']
    [message] = [r['message']['text'] for r in nasty]
    assert not re.search(r'(?<!\\)[\[\]]', message)  # no bracket can start an embedded link
    unescaped = message.replace('\\[', '[').replace('\\]', ']')
    assert unescaped.startswith(f'{NASTY}\n\n{NASTY} more\n\nSuggestion: {NASTY}\n\n')
    assert '\x1b' in json.loads(text)['runs'][0]['results'][0]['message']['text']  # data, kept as is


def test_uris_are_relative_references() -> None:
    assert sarif.uri('src/a b/ü.py') == 'src/a%20b/%C3%BC.py'
    assert sarif.uri('c:/x#y?z%') == 'c%3A/x%23y%3Fz%25'
    assert sarif.uri('bad\udcffname') == 'bad%FFname'


def test_columns_follow_the_finding_only_on_its_own_lines() -> None:
    from findings_gate.model import Decided, Placed, Report, Reviewer

    report = Report('r.json', Reviewer('bot', 'llm'), ())

    def region(loc: Location, lines: tuple[int, int]) -> dict | None:
        placed = Placed(Finding('t', 'low', location=loc), report, 'a.py', 'added', lines=lines)
        return sarif._region(Decided(placed, 'warn', 'default'))

    assert region(Location('a.py', 3, 3, 4, 4), (3, 3)) == {
        'startLine': 3, 'endLine': 3, 'startColumn': 4, 'endColumn': 5}
    assert region(Location('a.py', 3, 3, 9, 4), (3, 3)) == {'startLine': 3, 'endLine': 3, 'startColumn': 9}
    assert region(Location('a.py', 3, 5, 9, 4), (3, 5)) == {
        'startLine': 3, 'endLine': 5, 'startColumn': 9, 'endColumn': 5}
    assert region(Location('a.py', 3, None, 4, None, symbol='f'), (2, 8)) == {'startLine': 2, 'endLine': 8}


def test_no_hash_for_a_line_the_text_does_not_have() -> None:
    from findings_gate.model import Change, Decided, Placed, Report, Reviewer

    report = Report('r.json', Reviewer('bot', 'llm'), ())
    decided = tuple(
        Decided(Placed(Finding(f'at {n}', 'low', location=Location('a.py', n)), report, 'a.py', 'untouched',
                       lines=(n, n)), 'warn', 'default')
        for n in (1, 2, 3)
    )
    decision = Decision('warn', decided, (), (report,), Change((), 'x'), 'p', {'a.py': 'only\n'})
    [run] = sarif.document(decision)['runs']
    hashes = [r.get('partialFingerprints', {}).get('primaryLocationLineHash') for r in run['results']]
    assert hashes == [*reference_hashes('only\n'), None]  # line 2 is the one after the last newline


def test_the_command_line_writes_it(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    scenario(repo, tmp_path / 'reports')
    reports = sorted(str(p) for p in (tmp_path / 'reports').iterdir())
    out = tmp_path / 'out' / 'findings.sarif'
    assert main(['check', *(a for r in reports for a in ('--report', r)), '--format', 'sarif',
                 '--output', f'sarif={out}']) == 1
    printed = capsys.readouterr().out
    assert json.loads(printed) == json.loads(out.read_text(encoding='utf-8'))
    assert schema_problems(json.loads(printed)) == []


# -- @microsoft/sarif-multitool, when npm can install it

MULTITOOL = '@microsoft/sarif-multitool-linux@5.7.0'


@pytest.fixture(scope='session')
def multitool() -> Path:
    """The multitool's platform binary, installed once into a cache outside the repository."""
    if os.uname().sysname != 'Linux' or os.uname().machine not in ('x86_64', 'amd64'):
        pytest.skip('the multitool package used here is the linux-x64 build')
    npm = shutil.which('npm')
    if npm is None:
        pytest.skip('npm is not installed: no SARIF multitool')
    cache = Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'findings-gate-tests' / 'sarif-multitool'
    binary = cache / 'node_modules' / '@microsoft' / 'sarif-multitool-linux' / 'Sarif.Multitool'
    if not binary.exists():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run([npm, 'install', '--no-save', '--prefix', str(cache), MULTITOOL],
                                  capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            pytest.skip(f'npm install {MULTITOOL} took over 5 minutes')
        if done.returncode != 0 or not binary.exists():
            pytest.skip(f'npm install {MULTITOOL} failed: {done.stderr.strip()[-300:]}')
    binary.chmod(binary.stat().st_mode | 0o100)  # its postinstall, which npm may not run
    return binary


def test_the_multitool_finds_no_error(multitool: Path, decision: Decision, tmp_path: Path) -> None:
    log = tmp_path / 'findings.sarif'
    log.write_text(sarif.render(decision), encoding='utf-8')
    out = tmp_path / 'validation.sarif'
    done = subprocess.run(
        [str(multitool), 'validate', str(log), '-o', str(out), '--log', 'ForceOverwrite',
         '--rule-kind', 'Ghas;Sarif'],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'error' not in re.findall(r': (error|warning|note) ', done.stdout)
    validation = json.loads(out.read_text(encoding='utf-8-sig'))
    [run] = validation['runs']
    assert run['invocations'][0]['executionSuccessful'] is True
    errors = [r for r in run.get('results', []) if r.get('level', 'warning') == 'error']
    assert errors == []
    # it reads the file: a broken copy gets an error (it exits 0 either way)
    broken = json.loads(log.read_text())
    broken['runs'][0]['results'][0]['locations'][0]['physicalLocation']['region']['startLine'] = 0
    log.write_text(json.dumps(broken))
    subprocess.run([str(multitool), 'validate', str(log), '-o', str(out), '--log', 'ForceOverwrite',
                    '--rule-kind', 'Ghas;Sarif'], capture_output=True, timeout=300, check=True)
    run = json.loads(out.read_text(encoding='utf-8-sig'))['runs'][0]
    assert [r for r in run.get('results', []) if r.get('level', 'warning') == 'error']
