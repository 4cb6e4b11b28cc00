"""The HTML report, opened in a real browser: headless Chromium from the system's
packages, run as it is (`--dump-dom`, `--screenshot`), on a decision the real
pipeline made of a real change with findings in every placement.

Asserted on the DOM the browser built, after its scripts ran: how many findings
each section shows, that a filter preselected in the URL hides what it should,
that the page's own script ran (its hash is in the Content-Security-Policy) and
that nothing a finding says became an element or ran. When no Chromium can be
found the browser tests skip, saying so. `FINDINGS_GATE_SCREENSHOT_DIR` keeps a
screenshot of the page (CI keeps it as an artifact).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest

from findings_gate import render
from findings_gate.cli import main
from findings_gate.model import Decision
from tests.conftest import Repo
from tests.decisions import finding, gated

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
HOSTILE = ('<script>document.title="ran"</script><img src=x onerror="document.title=\'ran\'">'
           '" onmouseover="x" <b>bold</b> &amp; ##[error]x')

BASE = ''.join([
    'import os\n', '\n', '\n',
    'def load(name):\n',  # 4
    *[f'    step_{i} = {i}\n' for i in range(5, 20)],  # 5-19
    '    return open(os.path.join("data", name)).read()\n',  # 20
    '\n', '\n',
    *[f'value_{i} = {i}\n' for i in range(23, 41)],  # 23-40
])
CHANGED = (BASE.replace('    step_12 = 12\n', '    step_12 = name + "/.."\n')
           .replace('value_35 = 35\n', ''))

FINDINGS = [
    finding('path built from the caller', 'high', path='src/app.py', start_line=12),  # added
    finding(HOSTILE, 'critical', path='src/app.py', start_line=12) | {'message': HOSTILE, 'suggestion': HOSTILE},
    finding('near the change', 'medium', path='src/app.py', start_line=10),  # context
    finding('the function reads any file', 'medium', path='src/app.py', symbol='load'),  # symbol
    finding('a setting was removed', 'medium', path='src/app.py', start_line=35, side='old'),  # deleted
    finding('far from the change', 'low', path='src/app.py', start_line=27),  # file
    finding('in an untouched file', 'high', path='docs/notes.md', start_line=1),  # untouched
    finding('no location at all', 'critical'),  # unlocated
    finding('outside the repository', path='/etc/passwd', start_line=1),  # unlocated
]
OTHER = {'version': 1, 'reviewer': {'name': 'lint <i>bot</i>', 'kind': 'tool'},
         'findings': [finding('unused name', 'info', path='src/app.py', start_line=12)]}


@pytest.fixture
def decision(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Decision:
    return gated(repo, monkeypatch, FINDINGS, base={'src/app.py': BASE, 'docs/notes.md': 'notes\n'},
                 change={'src/app.py': CHANGED}, reports={'.reviews/lint.json': json.dumps(OTHER)})


def chromium() -> str:
    for name in (os.environ.get('FINDINGS_GATE_CHROMIUM', ''), *BROWSERS):
        found = shutil.which(name) if name else None
        if found:
            return found
    pytest.skip(f'no Chromium to open the HTML report in (looked for {", ".join(BROWSERS)} and '
                'FINDINGS_GATE_CHROMIUM): install it, e.g. apt-get install chromium')


def browse(page: Path, *args: str) -> str:
    """What headless Chromium makes of `page` (a URL may follow it), its scripts run."""
    command = [chromium(), '--headless', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
               f'--user-data-dir={page.parent / "profile"}', *args]
    if os.geteuid() == 0:
        command.append('--no-sandbox')  # Chromium's sandbox refuses to run as root
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Element(NamedTuple):
    tag: str
    attrs: dict[str, str]
    sections: tuple[str, ...]  # the ids of the sections around it, outermost first


class Dom(HTMLParser):
    """The elements of a serialised DOM, each with the sections it is in."""
    VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.stack: list[tuple[str, str | None]] = []
        self.title = ''
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or '' for k, v in attrs}
        sections = tuple(i for t, i in self.stack if t in ('section', 'header') and i)
        self.elements.append(Element(tag, values, sections))
        if tag not in self.VOID:
            self.stack.append((tag, values.get('id')))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == 'title':
            self.title += data

    def findings(self, *, shown: bool = True) -> list[Element]:
        return [e for e in self.elements if 'finding' in e.attrs.get('class', '').split()
                and ('hidden' not in e.attrs) == shown]

    def where(self, *, shown: bool = True) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.findings(shown=shown):
            section = e.sections[-1] if e.sections[-1] != 'change' else 'change'
            counts[section] = counts.get(section, 0) + 1
        return counts


def test_the_decision_reaches_every_placement(decision: Decision) -> None:
    placements = sorted(d.placed.placement for d in decision.findings)
    assert placements == sorted(['added', 'added', 'added', 'context', 'symbol', 'deleted', 'file',
                                 'untouched', 'unlocated', 'unlocated'])


def test_the_page_holds_every_finding_in_its_section(decision: Decision) -> None:
    page = render.render('html', decision)
    dom = Dom(page)
    inline = [e for e in dom.findings() if e.tag == 'tr']
    assert len(inline) == 6  # added x3, context, symbol and deleted, each under its lines
    assert [e.attrs['data-placement'] for e in dom.findings() if e.tag == 'article' and e.sections[-1] == 'change'] == ['file']
    assert dom.where() == {'change': 7, 'untouched': 1, 'unlocated': 2}
    assert [e.tag for e in dom.elements].count('script') == 1
    assert not [e for e in dom.elements if e.tag in ('img', 'b', 'i', 'link', 'iframe', 'object')]
    assert not [e for e in dom.elements for name in e.attrs if name.startswith('on')]
    assert '&lt;script&gt;document.title=&quot;ran&quot;&lt;/script&gt;' in page
    assert "default-src 'none'" in page and 'unsafe-inline' not in page


def test_a_browser_shows_it_filters_it_and_runs_nothing_from_a_finding(
        decision: Decision, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    page = tmp_path / 'report.html'
    page.write_text(render.render('html', decision), encoding='utf-8')
    url = page.as_uri()

    dom = Dom(browse(tmp_path, '--dump-dom', url))
    body = next(e for e in dom.elements if e.tag == 'body')
    assert body.attrs.get('data-filters') == 'on'  # the page's own script ran, allowed by its hash
    assert dom.title == 'findings-gate: BLOCKED'  # no script of a finding's changed it
    assert dom.where() == {'change': 7, 'untouched': 1, 'unlocated': 2}
    assert dom.where(shown=False) == {}
    assert [e.tag for e in dom.elements].count('script') == 1
    assert not [e for e in dom.elements if e.tag in ('img', 'b', 'i')]
    shown = next(e for e in dom.elements if e.attrs.get('id') == 'shown')
    assert shown.tag == 'output'

    blocked = Dom(browse(tmp_path, '--dump-dom', url + '#action=block'))
    wanted = {d.placed.placement for d in decision.findings if d.action == 'block'}
    assert wanted and {e.attrs['data-action'] for e in blocked.findings()} == {'block'}
    assert len(blocked.findings()) == sum(d.action == 'block' for d in decision.findings)
    assert len(blocked.findings(shown=False)) == len(decision.findings) - len(blocked.findings())

    bot = Dom(browse(tmp_path, '--dump-dom', url + '#reviewer=lint%20%3Ci%3Ebot%3C%2Fi%3E&placement=added'))
    assert [(e.attrs['data-reviewer'], e.attrs['data-placement']) for e in bot.findings()] == [
        ('lint <i>bot</i>', 'added')]
    assert bot.where() == {'change': 1}

    keep = os.environ.get('FINDINGS_GATE_SCREENSHOT_DIR')
    if keep:
        target = request.config.invocation_params.dir / keep  # where pytest started: the fixture moved
        target.mkdir(parents=True, exist_ok=True)
        browse(tmp_path, f'--screenshot={target / "html-report.png"}', '--window-size=1280,2400',
               '--hide-scrollbars', url)
        assert (target / 'html-report.png').stat().st_size > 10_000


def test_the_command_line_writes_it(decision: Decision, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / 'out.html'
    assert main(['check', '--format', 'html', '--output', f'html={out}']) == 1
    written = capsys.readouterr().out
    assert written.startswith('<!DOCTYPE html>') and written == out.read_text(encoding='utf-8')


def test_with_no_browser_the_browser_tests_skip_saying_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PATH', str(tmp_path))
    monkeypatch.delenv('FINDINGS_GATE_CHROMIUM', raising=False)
    with pytest.raises(pytest.skip.Exception, match='no Chromium to open the HTML report in'):
        chromium()


def test_every_file_finding_and_condition_of_a_varied_change_is_shown(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.decisions import scenario

    monkeypatch.chdir(repo.root)
    decision = scenario(repo, tmp_path / 'reports')  # a deleted file, removed lines, an odd path, bad reports
    dom = Dom(render.render('html', decision))
    assert len(dom.findings()) == len(decision.findings)
    assert len([e for e in dom.elements if 'condition' in e.attrs.get('class', '').split()]) == len(decision.conditions)
    assert len([e for e in dom.elements if e.attrs.get('class') == 'file']) == len(decision.change.files)
    deleted = [e for e in dom.findings() if e.attrs['data-placement'] == 'deleted']
    assert deleted and all(e.tag == 'tr' for e in deleted)  # on the removed lines the hunks show


def test_no_findings(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = gated(repo, monkeypatch, [], base={'a.py': 'a = 1\n'}, change={'a.py': 'a = 2\n'})
    dom = Dom(render.render('html', decision))
    assert dom.findings() == [] and dom.title == 'findings-gate: passed'
    assert [e.attrs['id'] for e in dom.elements if e.tag == 'section' and 'id' in e.attrs] == ['change']
