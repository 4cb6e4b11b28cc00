"""Hostile text through every output format: nothing executes, nothing escapes its field.

tests/vectors/hostile.json holds the corpus: workflow commands (`::set-env`,
`::add-mask`, `::stop-commands`, `##[`), terminal escape sequences, C1 controls,
bidirectional overrides and line separators, Markdown and HTML, XML and JSON
specials, and paths (`../`, absolute, `file://`, UNC). A real change in a real
repository has a file named by each hostile path; a review per hostile text puts
that text in every untrusted field of a finding (title, message, suggestion,
rule, symbol, fingerprint, CWE name) and in its reviewer's name; findings name
the paths outside the repository; an invalid report has a hostile file name.

Then, for each of the eleven formats, as the CLI writes it:
- GitHub's runner, reading the output as a step's log (every format can end up
  there), runs only the commands the `github` format means to: none for the others;
- no control, bidirectional, line-separator, zero-width or tag character reaches
  the text, GitHub or Markdown output as itself, and in the text output each
  finding and condition is exactly one line;
- JSON outputs parse, keep those characters as `\\u` escapes, and the decision
  gives every text back as it was written;
- JUnit XML parses (no entity is expanded) and gives every text back in its field;
- Markdown has no HTML, link or image and the same number of cells in every row;
- the HTML report has only its own elements, attributes, links and one script, before
  and after a browser (headless Chromium) builds it, and that script alone runs;
- no path outside the repository becomes a file location anywhere.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from findings_gate import gate, render
from findings_gate.model import Decision
from findings_gate.render import github, junit
from findings_gate.render.inert import inert
from tests.conftest import Repo
from tests.github_test import REGISTERED, parse_legacy, parse_v2, runner

CORPUS = json.loads((Path(__file__).parent / 'vectors' / 'hostile.json').read_text(encoding='utf-8'))
TEXTS: list[str] = CORPUS['texts']
PATHS: list[str] = CORPUS['paths']
OUTSIDE: list[str] = CORPUS['outside']
JSON_FORMATS = ('json', 'sarif', 'zuul', 'gerrit', 'gitlab', 'rdjson')
# what must never reach a terminal or a raw document as itself
UNSAFE = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064'
                    '\u2066-\u2069\ufeff\ud800-\udfff\U000e0000-\U000e007f]')
LINE = re.compile(r'\r\n|\r|\n')  # how the runner splits a log (.NET ReadLine)


def _finding(text: str, path: str | None, line: int = 2) -> dict[str, Any]:
    finding: dict[str, Any] = {
        'title': text, 'severity': 'high', 'message': text, 'suggestion': text, 'rule': text,
        'fingerprint': text, 'cwe': ['CWE-79'], 'cwe_names': {'CWE-79': text},
    }
    if path is not None:
        finding['location'] = {'path': path, 'start_line': line, 'symbol': text}
    return finding


@pytest.fixture(scope='module')
def decision(tmp_path_factory: pytest.TempPathFactory) -> Decision:
    """The real gate on a staged change to a file of each hostile name, with the hostile reviews."""
    home = tmp_path_factory.mktemp('home')
    repo_dir = tmp_path_factory.mktemp('hostile') / 'repo'
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('GIT_CONFIG_NOSYSTEM', '1')
        patch.setenv('GIT_CONFIG_GLOBAL', str(home / '.gitconfig'))
        for role in ('AUTHOR', 'COMMITTER'):
            patch.setenv(f'GIT_{role}_NAME', 'Test Author')
            patch.setenv(f'GIT_{role}_EMAIL', 'author@example.com')
        repo = Repo(repo_dir)
        patch.chdir(repo.root)
        for path in PATHS:
            repo.write(path, 'one\ntwo\nthree\n')
        repo.commit('base')
        for path in PATHS:
            repo.write(path, 'one\n2\nthree\n')
        repo.git('add', '-A')
        for i, text in enumerate(TEXTS):
            findings = [_finding(text, PATHS[i % len(PATHS)]), _finding(text, PATHS[i % len(PATHS)], 3),
                        _finding(text, OUTSIDE[i % len(OUTSIDE)]), _finding(text, None)]
            review = {'version': 1, 'reviewer': {'name': text, 'kind': 'llm', 'model': text}, 'findings': findings}
            (repo.root / '.reviews').mkdir(exist_ok=True)
            (repo.root / '.reviews' / f'review-{i:02}.json').write_text(json.dumps(review))
        for i, path in enumerate(PATHS[:4]):  # invalid reports named by hostile text
            (repo.root / '.reviews' / f'{path.replace("/", "_")}.{i}.json').write_text(f'{{"version": 1, "reviewer": {{}}, "n": {i}}}')
        return gate.run(gate.Target())


@pytest.fixture(scope='module')
def outputs(decision: Decision) -> dict[str, str]:
    return {name: render.render(name, decision) for name in render.RENDERERS}


def test_the_corpus_reached_every_field(decision: Decision) -> None:
    placements = {d.placed.placement for d in decision.findings}
    assert {'added', 'context', 'unlocated'} <= placements
    assert len(decision.findings) == 4 * len(TEXTS)
    assert {d.placed.path for d in decision.findings} - {None} == set(PATHS)
    assert sum(c.kind == 'invalid_report' for c in decision.conditions) == 4
    assert decision.verdict == 'block'


@pytest.mark.parametrize('name', sorted(render.RENDERERS))
def test_githubs_runner_runs_only_what_the_gate_means(name: str, outputs: dict[str, str],
                                                      decision: Decision) -> None:
    output = outputs[name]
    ran, ignored = runner(output)
    if name == 'github':
        meant: list[str] = []
        for annotation in github.annotate(decision):  # at most PER_TYPE of each, then a notice
            if meant.count(annotation.command) < github.PER_TYPE:
                meant.append(annotation.command)
        assert [c.name for c in ran] == [*meant, 'notice', 'group', 'endgroup']
        assert all(parse_v2(line, REGISTERED) is None and parse_legacy(line, REGISTERED) is None
                   for line in ignored if not line.startswith('::'))
    else:
        assert ran == [], ran[:3]
    for line in LINE.split(output):
        if name == 'github' and line.startswith('::'):
            continue  # the gate's own commands (checked above): `##[` in their text is text
        assert '##[' not in line, line
        assert not line.lstrip().startswith('::'), line


def test_text_has_no_control_characters_and_one_line_a_finding(outputs: dict[str, str],
                                                                decision: Decision) -> None:
    text = outputs['text']
    assert not UNSAFE.search(text.replace('\n', '')), UNSAFE.search(text.replace('\n', ''))
    lines = text.splitlines()
    assert len(lines) == text.count('\n')  # no other character a terminal or Python breaks a line at
    headings = re.compile(r'-- \d+ (?:[a-z ]+ \([a-z]+\)|about the reports and the configuration)')
    items = [line for line in lines
             if not (headings.fullmatch(line) or line.startswith(('  ', 'findings-gate: ')))]
    assert len(items) == len(decision.findings) + len(decision.conditions)
    assert lines[-1].startswith('findings-gate: BLOCKED: ')


@pytest.mark.parametrize('name', ['github', 'markdown'])
def test_logs_show_no_control_or_invisible_character_as_itself(name: str, outputs: dict[str, str]) -> None:
    raw = outputs[name].replace('@\u200d', '@')  # Markdown's own joiner, which keeps `@x` from mentioning
    assert not UNSAFE.search(raw.replace('\n', '')), UNSAFE.search(raw.replace('\n', ''))
    if name == 'github':  # what the runner shows of each annotation, once it reads the command
        ran, _ = runner(raw)
        shown = [c.data for c in ran] + [v for c in ran for v in c.properties.values()]
        assert not [text for text in shown if UNSAFE.search(text.replace('\n', ''))]
        assert any('\\x1b]52;c;' in text for text in shown)  # visible as an escape


@pytest.mark.parametrize('name', JSON_FORMATS)
def test_json_outputs_parse_and_escape_what_a_terminal_would_act_on(name: str, outputs: dict[str, str]) -> None:
    raw = outputs[name]
    assert not UNSAFE.search(raw.replace('\n', '')), UNSAFE.search(raw.replace('\n', ''))
    json.loads(raw)


def test_the_decision_gives_every_text_back_as_written(outputs: dict[str, str]) -> None:
    document = json.loads(outputs['json'])
    for finding in document['findings']:
        written = finding['finding']
        text = written['title']
        assert text in TEXTS
        assert (written['message'], written['suggestion'], written['rule'], written['fingerprint'],
                written['cwe_names']['CWE-79']) == (text,) * 5
    reports = [r for r in document['reports'] if 'reviewer' in r]
    assert sorted(r['reviewer']['name'] for r in reports) == sorted(TEXTS)


def _file_fields(value: Any, keys: tuple[str, ...]) -> list[str]:
    """Every string under one of `keys`, anywhere in a JSON document."""
    found = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key in keys and isinstance(child, str):
                found.append(child)
            found += _file_fields(child, keys)
    elif isinstance(value, list):
        for child in value:
            found += _file_fields(child, keys)
    return found


@pytest.mark.parametrize(('name', 'keys'), [
    ('json', ('path',)), ('gitlab', ('path',)), ('rdjson', ('path',)),
])
def test_no_path_outside_the_repository_becomes_a_location(name: str, keys: tuple[str, ...],
                                                           outputs: dict[str, str], decision: Decision) -> None:
    paths = set(_file_fields(json.loads(outputs[name]), keys))
    if name == 'json':  # the decision keeps the findings as written, and the placed path apart
        paths = {p['path'] for p in json.loads(outputs[name])['findings'] if p.get('path')}
    origins = {r.origin for r in decision.reports}  # what an unlocated finding or a condition is shown at
    assert paths and paths <= set(PATHS) | origins
    assert not paths & set(OUTSIDE)


def test_gerrit_zuul_and_sarif_name_only_files_of_the_change(outputs: dict[str, str]) -> None:
    assert set(json.loads(outputs['gerrit'])['comments']) <= set(PATHS)
    assert set(json.loads(outputs['zuul'])['zuul']['file_comments']) <= set(PATHS)
    from findings_gate.render.sarif import uri
    uris = set(_file_fields(json.loads(outputs['sarif']), ('uri',)))
    assert uris and uris <= {uri(p) for p in PATHS}


def test_junit_parses_and_keeps_each_text_in_its_field(outputs: dict[str, str], decision: Decision) -> None:
    raw = outputs['junit']
    assert not UNSAFE.search(raw.replace('\n', '')), UNSAFE.search(raw.replace('\n', ''))
    assert '<!DOCTYPE' not in raw and '<!ENTITY' not in raw and '<![CDATA[' not in raw
    root = ET.fromstring(raw.encode())
    cases = root.findall('.//testcase')
    assert len(cases) == len(decision.findings) + len(decision.conditions)
    assert {c.get('file') for c in cases} - {None} == {junit.xml_text(p) for p in PATHS}  # ESC is not XML
    names = [c.get('name') for c in cases]
    assert any(name and 'alert(1)</script>' in name for name in names)  # shown as text, not as markup
    junitparser = pytest.importorskip('junitparser')
    suites = junitparser.JUnitXml.fromstring(raw)
    assert sum(len(list(suite)) for suite in suites) == len(cases)


def test_markdown_has_no_html_link_or_image(outputs: dict[str, str]) -> None:
    raw = outputs['markdown']
    assert not re.search(r'<(?!/?code>)', raw)
    markdown_it = pytest.importorskip('markdown_it')
    tokens = markdown_it.MarkdownIt('commonmark').enable(['table', 'strikethrough']).parse(raw)
    inline = [child for token in tokens for child in (token.children or [])]
    assert not [t for t in [*tokens, *inline] if t.type in ('html_inline', 'html_block', 'link_open', 'image')
                and t.content not in ('<code>', '</code>')]  # the gate's own
    rows = [line for line in raw.splitlines() if line.startswith('| ') and ' --- ' not in line]
    header = next(line for line in rows if line.startswith('| action | location |'))
    table = rows[rows.index(header):]
    widths = {len(re.findall(r'(?<!\\)\|', row)) for row in table if row.count('|') >= 7}
    assert widths == {7}  # 6 cells: no text made a cell of its own



# the elements the HTML report is made of: a finding's text must add none
HTML_TAGS = {'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'table',
             'tr', 'th', 'td', 'strong', 'small', 'code', 'pre', 'br', 'ul', 'li', 'a', 'span', 'div', 'section',
             'article', 'form', 'fieldset', 'legend', 'label', 'input', 'output', 'script'}


def test_html_has_only_its_own_elements_and_attributes(outputs: dict[str, str], decision: Decision) -> None:
    from tests.html_test import Dom

    raw = outputs['html']
    assert not UNSAFE.search(raw.replace('\n', '')), UNSAFE.search(raw.replace('\n', ''))
    dom = Dom(raw)
    assert {e.tag for e in dom.elements} <= HTML_TAGS
    assert [e.tag for e in dom.elements].count('script') == 1
    assert [e.tag for e in dom.elements].count('style') == 1
    assert not [(e.tag, name) for e in dom.elements for name in e.attrs if name.startswith(('on', 'src', 'style', 'form'))]
    assert {e.attrs['href'] for e in dom.elements if 'href' in e.attrs} <= {f'#f-{n}' for n in range(len(decision.findings))}
    assert len(dom.findings()) == len(decision.findings)
    assert {e.attrs['data-reviewer'] for e in dom.findings()} <= {inert(t) for t in TEXTS}
    assert '&lt;/script&gt;' in raw and 'alert(1)</script>' not in raw


def test_html_in_a_browser_runs_only_its_own_script(outputs: dict[str, str], decision: Decision,
                                                    tmp_path: Path) -> None:
    from tests.html_test import Dom, browse

    page = tmp_path / 'hostile.html'
    page.write_text(outputs['html'], encoding='utf-8')
    dom = Dom(browse(tmp_path, '--dump-dom', page.as_uri()))
    assert next(e for e in dom.elements if e.tag == 'body').attrs.get('data-filters') == 'on'
    assert dom.title == 'findings-gate: BLOCKED'
    assert {e.tag for e in dom.elements} <= HTML_TAGS | {'tbody'}  # the parser adds tbody, nothing else
    assert [e.tag for e in dom.elements].count('script') == 1
    assert len(dom.findings()) == len(decision.findings)


def test_json_in_pieces_is_the_whole_document_one_finding_a_line(decision: Decision) -> None:
    from findings_gate.render import json as json_output

    written = ''.join(render.chunks('json', decision))
    assert written == render.render('json', decision)
    assert json.loads(written) == json.loads(json.dumps(json_output.document(decision)))
    lines = written.splitlines()
    start = lines.index('  "findings": [')
    assert [json.loads(line.rstrip(',')) for line in lines[start + 1:start + 1 + len(decision.findings)]] == \
        json.loads(written)['findings']
