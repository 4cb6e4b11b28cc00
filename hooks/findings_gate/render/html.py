"""The decision as one self-contained HTML page: the change, file by file, with each
finding at its lines.

At the top, what a reviewer reads first: the verdict, the counts per placement and
action, the findings that block, and the report conditions. Then each changed
file's hunks with every finding placed on their lines (added, context, removed,
or a function the change touched) shown beneath the last of its lines there, and
the file's other findings after the hunks; then the findings of untouched files and
those with no usable location. Checkboxes filter by action, placement, reviewer
and severity (`#action=block&severity=high` in the URL preselects them).

The page loads nothing: no network, fonts or images. Its Content-Security-Policy
(`html_assets.py`) lets only its own style sheet and filter script run, by hash.
Every string from a report, a path or the change goes through `inert.html_text`
(or its `html_lines` and `html_code`), so it is text wherever it lands, in an
element or an attribute. Open the file in any browser.
"""
from __future__ import annotations

from findings_gate.model import PLACEMENTS, SEVERITIES, Condition, Decided, Decision, FileChange, InvalidReport
from findings_gate.render import hunks
from findings_gate.render.file_lines import old_side, split_lines
from findings_gate.render.html_assets import CSP, SCRIPT, STYLE
from findings_gate.render.inert import html_code as _code
from findings_gate.render.inert import html_lines as _paragraph
from findings_gate.render.inert import html_text as _text
from findings_gate.render.labels import HEADINGS, LABELS, configured
from findings_gate.render.plain_text import VERDICTS, guards, stated
from findings_gate.render.severity_order import order

INLINE = ('added', 'context', 'symbol', 'deleted')  # placed on lines a hunk may show
PROBLEMS = 10  # problems listed per invalid report
SNIPPET = 8  # lines of the file shown with a finding that is not in a hunk


def _lines(first: int, last: int) -> str:
    return f'{first}' if first == last else f'{first}-{last}'


def _where(d: Decided) -> str:
    """`at path:lines`, or the report an unlocated finding came from."""
    placed = d.placed
    if placed.path is None:
        return f'from <code>{_text(placed.report.origin)}</code>'
    where = _text(placed.path) + (f':{_lines(*placed.lines)}' if placed.lines else '')
    return f'at <code>{where}</code>' + (' (old side)' if placed.lines and old_side(placed) else '')


def _facts(d: Decided) -> str:
    placed, finding = d.placed, d.placed.finding
    reviewer = placed.report.reviewer
    facts = [f'decided by rule <code>{_text(d.rule)}</code>',
             f'reviewer {_text(reviewer.name)} ({_text(reviewer.kind)})',
             f'{placed.placement}: {_text(placed.reason or HEADINGS[placed.placement])}',
             _where(d)]
    if finding.rule:
        facts.append(f'finding rule <code>{_text(finding.rule)}</code>')
    facts += [_text(c) for c in finding.cwe]
    if finding.category:
        facts.append(_text(finding.category))
    reasons = [r for r in placed.grounding.reasons if r != placed.reason]
    if reasons:
        facts.append(f'{placed.grounding.status}: ' + '; '.join(_text(r) for r in reasons))
    if finding.suppression:
        kind, why = finding.suppression
        facts.append(f'suppressed ({_text(kind)})' + (f': {_text(why)}' if why else ''))
    facts += [_text(g) for g in guards(d)]
    return ' · '.join(facts)


def _finding(d: Decided, number: int, snippet: str = '') -> str:
    """A finding's inner HTML: action, severity, title, the facts, message, suggestion."""
    finding = d.placed.finding
    out = [f'<div class="head"><a href="#f-{number}" class="action">{LABELS[d.action]}</a> '
           f'<span class="severity">{finding.severity}</span> <strong class="title">{_text(finding.title)}</strong></div>',
           f'<div class="facts">{_facts(d)}</div>', snippet]
    if finding.message:
        out.append(f'<div class="message">{_paragraph(finding.message)}</div>')
    if finding.suggestion:
        out.append(f'<div class="suggestion">Suggestion: {_paragraph(finding.suggestion)}</div>')
    return ''.join(out)


def _data(d: Decided, number: int) -> str:
    """The attributes the filters read."""
    return (f'id="f-{number}" class="finding {d.action}" data-action="{d.action}" '
            f'data-placement="{d.placed.placement}" data-reviewer="{_text(d.placed.report.reviewer.name)}" '
            f'data-severity="{d.placed.finding.severity}"')


def _article(d: Decided, number: int, texts: dict[str, list[str]]) -> str:
    snippet = ''
    placed = d.placed
    lines = texts.get(placed.path or '')
    if lines and placed.lines and not old_side(placed):
        first, last = placed.lines
        shown = lines[first - 1:min(last, first + SNIPPET - 1)]
        if shown:
            snippet = '<pre class="lines">' + '\n'.join(
                f'{first + i:>5}  {_code(line)}' for i, line in enumerate(shown)) + '</pre>'
    return f'<article {_data(d, number)}>{_finding(d, number, snippet)}</article>'


def _file(change: FileChange, found: list[tuple[int, Decided]], texts: dict[str, list[str]]) -> str:
    title = _text(change.path)
    if change.old_path and change.old_path != change.path:
        title = f'{_text(change.old_path)} → {title}'
    rows, starts = hunks.rows(change, texts.get(change.path, []))
    at: dict[int, list[tuple[int, Decided]]] = {}
    elsewhere = []
    flagged: set[int] = set()
    for number, d in found:  # each finding on a line the hunks show goes beneath the last of them
        shown = hunks.showing(d.placed, rows) if d.placed.placement in INLINE else []
        if shown:
            at.setdefault(shown[-1], []).append((number, d))
            flagged.update(shown)
        else:
            elsewhere.append((number, d))
    out = [f'<section class="file"><h3>{title} <small>({change.status}'
           f'{", binary" if change.binary else ""}{", submodule" if change.submodule else ""})</small></h3>']
    if rows:
        out.append('<table class="diff">')
        for i, (kind, old, new, text) in enumerate(rows):
            if i in starts:
                h = starts[i]
                out.append(f'<tr class="hunk"><td class="num"></td><td class="num"></td><td class="code">'
                           f'@@ -{h.old_start},{h.old_count} +{h.new_start},{h.new_count} @@ {_text(h.heading)}</td></tr>')
            mark = {'add': '+', 'del': '-', 'ctx': ' ', 'note': ''}[kind]
            out.append(f'<tr class="{kind}{" flagged" if i in flagged else ""}"><td class="num">{old or ""}</td>'
                       f'<td class="num">{new or ""}</td><td class="code">{mark}{_code(text)}</td></tr>')
            for number, d in sorted(at.get(i, []), key=lambda f: order(f[1])):
                out.append(f'<tr {_data(d, number)}><td colspan="3"><div>{_finding(d, number)}</div></td></tr>')
        out.append('</table>')
    if elsewhere:
        out.append(f'<h4>Elsewhere in {title}</h4>')
        out += [_article(d, n, texts) for n, d in sorted(elsewhere, key=lambda f: order(f[1]))]
    out.append('</section>')
    return '\n'.join(out)


def _counts(decision: Decision) -> str:
    out = ['<table class="counts"><tr><th>placement</th>' + ''.join(f'<th>{v}</th>' for v in LABELS.values())
           + '<th>all</th></tr>']

    def row(name: str, actions: list[str]) -> str:
        return (f'<tr><td>{name}</td>' + ''.join(f'<td>{actions.count(a)}</td>' for a in LABELS)
                + f'<td>{len(actions)}</td></tr>')
    for placement in PLACEMENTS:
        actions = [d.action for d in decision.findings if d.placed.placement == placement]
        if actions:
            out.append(row(f'{placement}: {HEADINGS[placement]}', actions))
    if decision.conditions:
        out.append(row('report conditions', [c.action for c in decision.conditions]))
    out.append(row('<strong>all</strong>', [d.action for d in decision.findings] + [c.action for c in decision.conditions]))
    return '\n'.join(out) + '</table>'


def _summary(decision: Decision) -> str:
    found, reports = len(decision.findings), len(decision.reports)
    invalid = sum(isinstance(r, InvalidReport) for r in decision.reports)
    config = f'; {configured(decision.config_commit)}' if decision.config_commit else ''
    out = [f'<header id="summary" class="verdict-{decision.verdict}">',
           f'<h1>findings-gate: {VERDICTS[decision.verdict]}</h1>',
           f'<p>{found} finding{"s" * (found != 1)} from {reports} report{"s" * (reports != 1)}'
           f'{f" ({invalid} invalid)" if invalid else ""} on {_text(decision.change.description)}; '
           f'policy: {_text(decision.policy)}{config}.</p>', _counts(decision)]
    blocking = [(n, d) for n, d in enumerate(decision.findings) if d.action == 'block']
    if blocking:
        out.append('<p>What blocks:</p><ul class="blocking">')
        out += [f'<li><a href="#f-{n}">{_text(d.placed.finding.title)}</a> '
                f'<span class="facts">{d.placed.finding.severity}, {_where(d)}, rule {_text(d.rule)}</span></li>'
                for n, d in sorted(blocking, key=lambda f: order(f[1]))]
        out.append('</ul>')
    if decision.absent:
        out.append('<p>Baselined findings no report gives any more:</p><ul class="absent">')
        out += [f'<li>{a.number} × {_text(a.title)} <span class="facts">'
                f'{_text(a.path or "no path")}{f", rule {_text(a.rule)}" if a.rule else ""}</span></li>'
                for a in decision.absent]
        out.append('</ul>')
    out.append('</header>')
    return '\n'.join(out)


def _condition(c: Condition, problems: dict[str, tuple[str, ...]]) -> str:
    out = f'<li class="condition {c.action}"><span class="action">{LABELS[c.action]}</span> {c.kind}: '
    out += f'{_text(c.origin) if c.origin else "the change"}: {_text(stated(c))}'
    listed = problems.get(c.origin or '', ())
    if listed:
        out += '<ul class="problems">' + ''.join(f'<li>{_text(p)}</li>' for p in listed[:PROBLEMS])
        out += f'<li>and {len(listed) - PROBLEMS} more</li>' if len(listed) > PROBLEMS else ''
        out += '</ul>'
    return out + '</li>'


def _conditions(decision: Decision) -> str:
    if not decision.conditions:
        return ''
    problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
    return ('<section id="conditions"><h2>About the reports</h2><ul>\n'
            + '\n'.join(_condition(c, problems) for c in decision.conditions) + '\n</ul></section>')


def _filters(decision: Decision) -> str:
    values = {
        'action': [a for a in LABELS if any(d.action == a for d in decision.findings)],
        'placement': [p for p in PLACEMENTS if any(d.placed.placement == p for d in decision.findings)],
        'reviewer': sorted({d.placed.report.reviewer.name for d in decision.findings}),
        'severity': [s for s in SEVERITIES if any(d.placed.finding.severity == s for d in decision.findings)],
    }
    out = ['<form id="filters">']
    for name, shown in values.items():
        out.append(f'<fieldset><legend>{name}</legend>' + ''.join(
            f'<label><input type="checkbox" name="{name}" value="{_text(v)}" checked> '
            f'{LABELS[v] if name == "action" else _text(v)}</label>' for v in shown)
            + '</fieldset>')
    out.append(f'<output id="shown">{len(decision.findings)} findings</output></form>')
    return ''.join(out)


def _elsewhere(section: str, title: str, found: list[tuple[int, Decided]], texts: dict[str, list[str]]) -> str:
    if not found:
        return ''
    out = [f'<section id="{section}"><h2>{title} ({len(found)})</h2>']
    out += [_article(d, n, texts) for n, d in sorted(found, key=lambda f: order(f[1]))]
    return '\n'.join(out) + '</section>'


def render(decision: Decision) -> str:
    texts = {path: split_lines(text) for path, text in decision.texts.items()}
    changed = {f.path: f for f in decision.change.files}
    per_file: dict[str, list[tuple[int, Decided]]] = {path: [] for path in changed}
    untouched, unlocated = [], []
    for number, d in enumerate(decision.findings):
        path = d.placed.path
        if path is None or d.placed.placement == 'unlocated':
            unlocated.append((number, d))
        elif path in changed:
            per_file[path].append((number, d))
        else:
            untouched.append((number, d))
    files = [_file(changed[path], found, texts) for path, found in per_file.items()]
    return '\n'.join([
        '<!DOCTYPE html>',
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<title>findings-gate: {VERDICTS[decision.verdict]}</title>',
        f'<style>{STYLE}</style></head><body>',
        _summary(decision), _conditions(decision), _filters(decision),
        f'<section id="change"><h2>The change ({len(changed)} file{"s" * (len(changed) != 1)})</h2>',
        *files, '</section>',
        _elsewhere('untouched', HEADINGS['untouched'].capitalize(), untouched, texts),
        _elsewhere('unlocated', HEADINGS['unlocated'].capitalize(), unlocated, texts),
        f'<script>{SCRIPT}</script>',
        '</body></html>',
    ]) + '\n'
