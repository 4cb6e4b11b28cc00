"""The Markdown summary: every untrusted string shown as written, never acted on; under GitHub's 1 MiB."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from findings_gate.cli import main
from findings_gate.model import Decision
from findings_gate.render import markdown
from findings_gate.render.inert import inert
from tests.conftest import Repo
from tests.decisions import NASTY, ODD_PATH, scenario

HOSTILE = [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<!-- comment -->', '<details open>',
    '[link](https://evil.example)', '[ref]: https://evil.example', '![image](https://evil.example/x.png)',
    '<https://evil.example>', 'https://evil.example and www.evil.example', 'a | b || c', '\\|',
    '`code` ``two``', '*em* _em_ **strong** __strong__', '~~strike~~ ~one~', '@everyone @octocat/team',
    'mail me@example.com', '# heading', '- item', '1. item', '> quote', '---', '===', '```fence',
    '&amp; &lt;b&gt; &#x3C;', '\\*not em\\*', '\\', 'trailing \\', '$x^2$ $$y$$', 'line\nbreak\r\nand\rmore',
    '\u2028sep\u0085nel', 'tab\there', '\x1b[31mred\x00', '\u202eevil', 'ü 日本語 😀', '{curly}', '+plus',
    'a.b!c', '<', '>', '&', '', ' ', NASTY,
]


def shown(text: str) -> str:
    """What a reader should see for `text`: one line, control characters spelt out, no mentions."""
    text = re.sub(r'\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]', ' ', text)
    return inert(text).replace('@', '@\u200d')


def cells(line: str) -> list[str]:
    """A table row's cells, split as GFM does (a pipe after an odd number of backslashes is text)."""
    parts, cell, i = [], '', 1
    while i < len(line) - 1:
        if line[i] == '\\' and i + 1 < len(line) - 1:
            cell += line[i:i + 2]
            i += 2
            continue
        if line[i] == '|':
            parts.append(cell.strip())
            cell = ''
        else:
            cell += line[i]
        i += 1
    return [*parts, cell.strip()]


@pytest.mark.parametrize('text', HOSTILE, ids=lambda t: repr(t)[:24])
def test_escaped_text_is_inert_markup(text: str) -> None:
    escaped = markdown.escape(text)
    assert '\n' not in escaped and '\r' not in escaped
    assert not re.search(r'<(?!code>|/code>)', escaped)  # no tag can start
    assert not re.search(r'(?<!\\)(?:\\\\)*[`*_\[\]()!|~#<>$]', escaped.replace('&lt;', '').replace('&gt;', ''))
    assert '@' not in escaped.replace('@\u200d', '')


def _renderer() -> Any:
    """markdown-it-py with GFM tables and strikethrough, when it is installed (not a dependency)."""
    markdown_it = pytest.importorskip('markdown_it')
    return markdown_it.MarkdownIt('commonmark').enable(['table', 'strikethrough'])


@pytest.mark.parametrize('text', HOSTILE, ids=lambda t: repr(t)[:24])
def test_a_markdown_renderer_shows_the_text_as_written(text: str) -> None:
    md = _renderer()
    paragraph = md.parse(f'x {markdown.escape(text)} y\n')
    table = md.parse(f'| a | b |\n| --- | --- |\n| {markdown.cell(text)} | z |\n')
    assert len([t for t in table if t.type == 'td_open']) == 2
    [inline] = [t for t in paragraph if t.type == 'inline']
    cell = [t for t in table if t.type == 'inline'][2]
    for token, expected in ((inline, f'x {shown(text)} y'), (cell, shown(text).strip())):
        assert [c.type for c in token.children or []] in (['text'], [])  # nothing but text
        assert ''.join(c.content for c in token.children or []) == expected


@pytest.fixture
def decision(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Decision:
    monkeypatch.chdir(repo.root)
    return scenario(repo, tmp_path / 'reports')


def _tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    previous = ''
    for line in text.splitlines():
        if line.startswith('|'):
            if not previous.startswith('|'):
                tables.append([])
            tables[-1].append(cells(line))
        previous = line
    return tables


def test_the_summary_has_the_verdict_the_counts_and_every_finding(decision: Decision) -> None:
    text = markdown.render(decision)
    assert text.startswith('## findings-gate: BLOCKED\n\n10 findings from 3 reports (1 invalid) on staged changes')
    counts, findings, conditions = _tables(text)
    assert counts[0] == ['placement', 'BLOCK', 'WARN', 'NOTE', 'all']
    assert counts[2] == ['added: on added or changed lines', '1', '1', '1', '3']
    assert ['report conditions', '1', '1', '0', '2'] in counts
    assert counts[-1] == ['**all**', '**4**', '**6**', '**2**', '**12**']
    assert findings[0] == ['action', 'location', 'rule', 'title', 'reviewer', 'grounding']
    rows = findings[2:]
    assert len(rows) == len(decision.findings) and all(len(r) == 6 for r in rows)
    assert [r[0] for r in rows] == [
        '**BLOCK** critical', '**BLOCK** high', '**BLOCK** high', 'WARN high', 'WARN medium', 'WARN medium',
        'WARN medium', 'WARN low', 'NOTE high', 'NOTE low']
    sql = next(r for r in rows if r[3].startswith('SQL query'))
    assert sql == ['**BLOCK** high', '<code>app/users\\.py:9</code> added', 'block\\-severe\\-on\\-change',
                   'SQL query built from user input (CWE\\-89)', 'bot @\u200deveryone ::warning::fake', 'grounded']
    assert '<code>app/trimmed\\.py:4</code> deleted (old side)' in [r[1] for r in rows]
    # a report outside the working directory is named by its whole path
    assert any(r[1].startswith('/') and '/reports/good\\.json (' in r[1] and r[1].endswith(', unlocated') for r in rows)
    assert conditions[2][:3] == ['**BLOCK**', 'invalid_report', markdown.cell(decision.conditions[0].origin or '', 200)]
    assert '\'findings\' is a required property' in text


def test_a_markdown_renderer_sees_only_our_structure(decision: Decision) -> None:
    md = _renderer()
    text = markdown.render(decision)
    tokens = md.parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == 'heading_open']
    assert headings == ['findings-gate: BLOCKED', 'Findings', 'About the reports']
    children = [c for t in tokens if t.type == 'inline' for c in (t.children or [])]
    kinds = {c.type for c in children}
    assert kinds <= {'text', 'strong_open', 'strong_close', 'html_inline'}, kinds
    assert {c.content for c in children if c.type == 'html_inline'} == {'<code>', '</code>'}
    strong = [children[i + 1].content for i, c in enumerate(children) if c.type == 'strong_open']
    assert set(strong) <= {'BLOCK', 'all', *map(str, range(20))}
    assert len([t for t in tokens if t.type == 'table_open']) == 3
    rows = [t for t in tokens if t.type == 'tr_open']
    assert len(rows) == 9 + 1 + len(decision.findings) + 1 + len(decision.conditions)
    html = md.render(text)
    assert not re.search(r'<(script|img|a |details|!--)', html)
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in html
    assert '@everyone' not in html and '@\u200deveryone' in html
    assert f'<code>{ODD_PATH}:2</code> added' in html  # shown as it is


def test_it_stays_under_githubs_limit(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    found = [{'title': f'{i:04d} ' + '<&>' * 200, 'severity': 'medium', 'message': 'x' * 2000,
              'location': {'path': 'app/users.py', 'start_line': 1 + i % 40}} for i in range(1200)]
    decided = scenario(repo, tmp_path / 'reports', found)
    text = markdown.render(decided)
    assert len(text.encode()) < markdown.LIMIT
    [table] = [t for t in _tables(text) if t[0][0] == 'action' and len(t[0]) == 6]
    shown_rows = len(table) - 2
    left = int(re.search(r'^\*(\d+) more findings not shown: GitHub keeps 1 MiB', text, re.M)[1])
    assert shown_rows + left == 1200 and left > 0
    assert '### About the reports' in text  # the conditions are still there
    small = markdown.render(decided, limit=20_000)
    assert len(small.encode()) < 20_000 and 'more findings not shown' in small


def test_cells_are_cut() -> None:
    assert markdown.cell('a' * 1000) == 'a' * 299 + '…'
    assert markdown.cell('') == ' '


def test_no_findings_says_so(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root)
    text = markdown.render(scenario(repo, tmp_path / 'reports', []))
    assert '### Findings\n\nNo findings.\n' in text


def test_the_command_line_writes_it(decision: Decision, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = [a for p in sorted((tmp_path / 'reports').iterdir()) for a in ('--report', str(p))]
    out = tmp_path / 'summary.md'
    assert main(['check', *reports, '--format', 'markdown', '--output', f'markdown={out}']) == 1
    printed = capsys.readouterr().out
    assert printed == out.read_text(encoding='utf-8')
    assert printed.startswith('## findings-gate: BLOCKED\n')
