"""GitHub Actions workflow commands: escaping as @actions/core does, read back as the runner reads them."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from findings_gate.cli import main
from findings_gate.model import Decision
from findings_gate.render import github
from findings_gate.render.inert import inert
from findings_gate.render.plain_text import paragraph
from tests.conftest import Repo
from tests.decisions import NASTY, ODD_PATH, scenario

VECTORS = json.loads((Path(__file__).parent / 'vectors' / 'actions-core.json').read_text(encoding='utf-8'))
# the runner's commands (ActionCommandManager and its extensions), which a line could trigger
REGISTERED = {'stop-commands', 'error', 'warning', 'notice', 'debug', 'group', 'endgroup', 'set-env',
              'set-output', 'save-state', 'add-mask', 'add-path', 'echo', 'add-matcher', 'remove-matcher'}
# toolkit AnnotationProperties -> command keys (packages/core/src/utils.ts toCommandProperties)
KEYS = {'title': 'title', 'file': 'file', 'startLine': 'line', 'endLine': 'endLine',
        'startColumn': 'col', 'endColumn': 'endColumn'}


class Command(NamedTuple):
    name: str
    properties: dict[str, str]
    data: str


def _unescape(text: str, mappings: tuple[tuple[str, str], ...]) -> str:
    for escaped, plain in mappings:
        text = text.replace(escaped, plain)
    return text


_PROPERTY = (('%0D', '\r'), ('%0A', '\n'), ('%3A', ':'), ('%2C', ','), ('%25', '%'))
_DATA = (('%0D', '\r'), ('%0A', '\n'), ('%25', '%'))
_LEGACY = (('%3B', ';'), ('%0D', '\r'), ('%0A', '\n'), ('%5D', ']'), ('%25', '%'))


def _split2(text: str, sep: str) -> list[str]:
    """.NET `Split(sep, count: 2, RemoveEmptyEntries)`."""
    text = text.lstrip(sep)
    if not text:
        return []
    first, _, rest = text.partition(sep)
    rest = rest.lstrip(sep)
    return [first, rest] if rest else [first]


def parse_v2(line: str, registered: set[str]) -> Command | None:
    """The runner's `ActionCommand.TryParseV2`: `::name k=v,k=v::data`."""
    message = line.lstrip()
    if not message.startswith('::'):
        return None
    end = message.find('::', 2)
    if end < 0:
        return None
    info = message[2:end]
    space = info.find(' ')
    name = info if space < 0 else info[:space]
    if name.lower() not in registered:
        return None
    properties = {}
    if space > 0:
        for prop in info[space + 1:].strip().split(','):
            pair = _split2(prop, '=') if prop else []
            if len(pair) == 2:
                properties[pair[0]] = _unescape(pair[1], _PROPERTY)
    return Command(name, properties, _unescape(message[end + 2:], _DATA))


def parse_legacy(line: str, registered: set[str]) -> Command | None:
    """The runner's `ActionCommand.TryParse`: `##[name k=v;k=v]data`, anywhere in a line."""
    start = line.find('##[')
    end = line.find(']', start) if start >= 0 else -1
    if end < 0:
        return None
    info = line[start + 3:end]
    name = info.split(' ', 1)[0]
    if name.lower() not in registered:
        return None
    return Command(name, {}, _unescape(line[end + 1:], _LEGACY))


def runner(output: str) -> tuple[list[Command], list[str]]:
    """What the runner does with a step's output: the commands it runs, and the lines it ignores."""
    registered = set(REGISTERED)
    token: str | None = None
    ran, ignored = [], []
    for line in re.split(r'\r\n|\r|\n', output.rstrip('\n')):  # .NET ReadLine
        command = parse_v2(line, registered) or parse_legacy(line, registered)
        if command is None:
            ignored.append(line)
        elif token is not None:
            if command.name.lower() == token.lower():
                registered.discard(token.lower())
                token = None
            ignored.append(line)
        elif command.name == 'stop-commands':
            token = command.data
            registered.add(token.lower())
        else:
            ran.append(command)
    assert token is None, 'the output left commands stopped'
    return ran, ignored


# -- escaping, against what @actions/core 3.0.1 printed


def test_vectors_come_from_actions_core() -> None:
    assert VECTORS['package'] == '@actions/core@3.0.1'
    assert len(VECTORS['escapes']) > 40


@pytest.mark.parametrize('vector', VECTORS['escapes'], ids=lambda v: repr(v['input'])[:30])
def test_escaping_is_actions_cores(vector: dict) -> None:
    assert github.escape_data(vector['input']) == vector['data']
    if vector['property'] is None:  # core leaves out an empty property; so does `command`
        assert vector['input'] == ''
        assert github.command('notice', 'x', [('title', vector['input'])]) == '::notice::x'
    else:
        assert github.escape_property(vector['input']) == vector['property']
        assert github.command('notice', 'x', [('title', vector['input'])]) == (
            f'::notice title={vector["property"]}::x')


@pytest.mark.parametrize('vector', VECTORS['annotations'], ids=lambda v: v['line'][:30])
def test_annotation_lines_read_as_actions_cores(vector: dict) -> None:
    # core drops falsy values (`if (val)`): a line of 0 disappears
    props = [(KEYS[k], str(v)) for k, v in vector['properties'].items() if v not in (0, '', None)]
    ours = github.command(vector['kind'], vector['message'], props)
    assert parse_v2(ours, REGISTERED) == parse_v2(vector['line'], REGISTERED)
    assert ours.split('::', 2)[2] == vector['line'].split('::', 2)[2]


def test_each_line_of_text_is_one_line() -> None:
    for text in ('a\rb', 'a\nb', 'a\r\nb', '\n::error::x'):
        assert len(re.split(r'\r\n|\r|\n', github.command('error', text, [('title', text)]))) == 1


# -- the rendered log


def test_annotations_read_back_as_written(decision: Decision) -> None:
    output = github.render(decision)
    ran, _ = runner(output)
    annotations = github.annotate(decision)
    expected = [Command(a.command, {k: v for k, v in a.properties}, a.message) for a in annotations]
    assert [c for c in ran if c.name in ('error', 'warning')] == expected
    nasty = [c for c in ran if paragraph(NASTY) in c.data]  # its lines kept, each inert
    assert nasty and all(inert(NASTY) in c.properties['title'] for c in nasty)
    assert any(c.properties.get('file') == ODD_PATH for c in ran)
    assert [c.name for c in ran if c.name not in ('error', 'warning')] == ['group', 'endgroup']


def test_nothing_else_in_the_log_is_a_command(decision: Decision) -> None:
    output = github.render(decision)
    ran, ignored = runner(output)
    intended = len(github.annotate(decision)) + 2  # and group, endgroup
    assert len(ran) == intended
    lines = re.split(r'\r\n|\r|\n', output.rstrip('\n'))
    stops = [line for line in lines if line.startswith('::stop-commands::')]
    tokens = [line.split('::')[2] for line in stops]
    assert len(tokens) == 2 == len(set(tokens)) and all(re.fullmatch('[0-9a-f]{32}', t) for t in tokens)
    assert [f'::{t}::' for t in tokens] == [line for line in lines if line in {f'::{t}::' for t in tokens}]
    free = [line for line in ignored if line not in stops and line not in {f'::{t}::' for t in tokens}]
    assert free  # the full list and the summary line
    for line in free:
        assert not line.lstrip().startswith('::'), line
        assert '##[' not in line, line
        assert parse_v2(line, REGISTERED) is None and parse_legacy(line, REGISTERED) is None
    assert free[-1].startswith('findings-gate: BLOCKED: ')
    assert any('#\\x23[error]forged' in line for line in free)
    assert any('\\x3a:warning::fake' in line or '\\n::warning::fake' in line for line in free)


def test_free_text_is_fenced_with_a_fresh_token_each_time(decision: Decision) -> None:
    first, second = github.render(decision), github.render(decision)
    assert re.findall('stop-commands::([0-9a-f]+)', first) != re.findall('stop-commands::([0-9a-f]+)', second)


def test_what_is_annotated_and_where(decision: Decision) -> None:
    by_title = {dict(a.properties)['title'].split(': ', 1)[1]: a for a in github.annotate(decision)
                if ': ' in dict(a.properties)['title']}
    sql = by_title['SQL query built from user input']
    assert sql.command == 'error'
    assert sql.properties == (
        ('file', 'app/users.py'), ('line', '9'), ('endLine', '9'), ('col', '5'), ('endColumn', '20'),
        ('title', 'BLOCK block-severe-on-change: SQL query built from user input'))
    assert by_title['far away'].properties[:3] == (('file', 'app/users.py'), ('line', '30'), ('endLine', '32'))
    assert by_title['far away'].command == 'warning'
    assert not any(k in ('col', 'endColumn') for k, _ in by_title['far away'].properties)  # multi-line
    removed = by_title['removed lines']  # old side: the file, not the new side's lines
    assert [k for k, _ in removed.properties] == ['file', 'title']
    assert 'old side line 4' in removed.message
    nowhere = by_title['nowhere']
    assert [k for k, _ in nowhere.properties] == ['title']
    assert "'no/such/file.py' is not in the repository" in nowhere.message
    assert 'in the readme' not in by_title and 'suppressed one' not in by_title  # NOTE: not annotated
    conditions = [a for a in github.annotate(decision) if ': ' not in dict(a.properties)['title']]
    assert [(a.command, dict(a.properties)['title']) for a in conditions] == [
        ('error', 'BLOCK invalid_report'), ('warning', 'WARN incomplete_report')]
    assert "'findings' is a required property" in conditions[0].message


def test_every_annotation_passes_the_runners_checks(decision: Decision) -> None:
    """IssueCommandExtension.ValidateLinesAndColumns would change nothing."""
    for a in github.annotate(decision):
        props = dict(a.properties)
        assert all(v for v in props.values())
        line, end = int(props.get('line', 0)), int(props.get('endLine', 0))
        assert ('line' in props) == ('endLine' in props) and end >= line
        if 'col' in props:
            assert line and line == end
            assert int(props.get('endColumn', props['col'])) >= int(props['col'])
        assert 'endColumn' not in props or 'col' in props
        assert len(a.message) <= github.MESSAGE
        assert not props['title'].endswith((' ', '\t')) and not props['title'].startswith('=')


def _many(n_block: int, n_warn: int) -> list[dict]:
    found = []
    for i in range(n_block):
        found.append({'title': f'block {i:02d}', 'severity': 'critical' if i % 3 == 0 else 'high',
                      'location': {'path': 'app/users.py', 'start_line': 9}})
    for i in range(n_warn):
        found.append({'title': f'warn {i:02d}', 'severity': 'low' if i % 2 else 'medium',
                      'location': {'path': 'app/users.py', 'start_line': 30}})
    found.append({'title': 'ignored', 'severity': 'info', 'location': {'path': 'README.txt', 'start_line': 1}})
    return found


def test_ten_of_each_type_most_severe_first(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decided = scenario(repo, tmp_path / 'reports', _many(25, 13))
    ran, _ = runner(github.render(decided))
    errors = [c for c in ran if c.name == 'error']
    warnings = [c for c in ran if c.name == 'warning']
    notices = [c for c in ran if c.name == 'notice']
    assert len(errors) == len(warnings) == 10
    assert errors[0].properties['title'] == 'BLOCK invalid_report'
    assert [c.properties['title'].rsplit(': ', 1)[1] for c in errors[1:]] == [
        f'block {i:02d}' for i in range(0, 25, 3)]  # the 9 critical ones
    assert warnings[0].properties['title'] == 'WARN incomplete_report'
    assert [c.properties['title'].rsplit(': ', 1)[1] for c in warnings[1:]] == [
        *(f'warn {i:02d}' for i in range(0, 13, 2)), 'warn 01', 'warn 03']  # medium, then low
    [notice] = notices
    assert notice.properties == {}
    assert notice.data.startswith('findings-gate: 16 errors and 4 warnings more than GitHub shows (10 ')
    assert 'step summary' in notice.data
    assert not any('ignored' in c.properties.get('title', '') for c in ran)


def test_long_messages_are_cut_before_the_runner_cuts_them(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    decided = scenario(repo, tmp_path / 'reports', [
        {'title': 'long', 'severity': 'high', 'message': '%\n' * 5000,
         'location': {'path': 'app/users.py', 'start_line': 9}}])
    [annotation] = [a for a in github.annotate(decided) if 'long' in dict(a.properties)['title']]
    assert len(annotation.message) == github.MESSAGE
    assert annotation.message.endswith('(cut: the step summary has it all)')


def test_a_clean_pass_is_only_the_summary(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    repo.write('a.py', 'x = 1\n')
    repo.git('add', '-A')
    report = tmp_path / 'empty.json'
    report.write_text(json.dumps({'version': 1, 'reviewer': {'name': 'r', 'kind': 'human'},
                                  'verdict': 'no-findings', 'findings': []}))
    from findings_gate import gate

    output = github.render(gate.run(gate.Target(), reports=[str(report)]))
    ran, ignored = runner(output)
    assert ran == []
    assert len(ignored) == 2 and ignored[0].startswith('findings-gate: passed: ')  # and the resume line


def test_the_command_line_writes_annotations_and_the_step_summary(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    scenario(repo, tmp_path / 'reports')
    summary = tmp_path / 'summary.md'
    summary.write_text('earlier step\n')
    monkeypatch.setenv('GITHUB_STEP_SUMMARY', str(summary))
    reports = [a for p in sorted((tmp_path / 'reports').iterdir()) for a in ('--report', str(p))]
    assert main(['check', *reports, '--format', 'github']) == 1
    ran, _ = runner(capsys.readouterr().out)
    assert [c.name for c in ran].count('error') == 4  # the invalid report, three findings
    written = summary.read_text(encoding='utf-8')
    assert written.startswith('earlier step\n## findings-gate: BLOCKED\n')


@pytest.fixture
def decision(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Decision:
    monkeypatch.chdir(repo.root)
    return scenario(repo, tmp_path / 'reports')


@pytest.mark.parametrize('line', ['::error::x', '  ::set-env name=a::b', '\u3000::warning::x', '\u00a0::x::',
                                  '##[error]x', 'a ###[error]x', '##[##[x]', '::'])
def test_defused_lines_are_no_command(line: str) -> None:
    defused = github.defuse(line)
    assert not defused.lstrip().startswith('::') and '##[' not in defused
    assert parse_v2(defused, REGISTERED) is None and parse_legacy(defused, REGISTERED) is None


def test_a_report_named_like_a_command(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    scenario(repo, tmp_path / 'reports')
    evil = repo.root / '::error::x ##[set-env name=a;]b.json'  # untracked: not part of the change
    evil.write_text('{}')
    from findings_gate import gate

    decided = gate.run(gate.Target(), reports=[str(evil), str(tmp_path / 'reports' / 'cut.json')])
    output = github.render(decided)
    ran, _ = runner(output)
    assert [(c.name, c.properties.get('title')) for c in ran] == [
        ('error', 'BLOCK invalid_report'), ('warning', 'WARN incomplete_report'), ('group', None), ('endgroup', None)]
    assert ran[0].data.startswith('::error::x ##[set-env name=a;]b.json: not a valid report')
    assert '\\x3a:error::x #\\x23[set-env name=a;]b.json: BLOCK invalid_report' in output
