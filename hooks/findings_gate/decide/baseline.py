"""Baselines: the findings a repository already had, by a signature that survives moved lines.

A signature is the finding's rule (else its CWE ids, else its title), its path,
the symbol it names, and the text of the lines it flags with the whitespace
collapsed: moving code up or down keeps it; editing the flagged lines does not.
"""
from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from findings_gate import documents, schema

try:  # blake2b without importing OpenSSL, as cache.py does (hashlib's import is 4 ms of a run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover (an interpreter without it)
    from hashlib import blake2b
from findings_gate.errors import GateError
from findings_gate.model import Absent, Decided, Placed


def _kind(placed: Placed) -> str:
    finding = placed.finding
    if finding.rule:
        return f'rule:{finding.rule}'
    if finding.cwe:
        return 'cwe:' + ','.join(sorted(finding.cwe))
    return 'title:' + ' '.join(finding.title.lower().split())


def _flagged(placed: Placed, lines: Mapping[str, list[str]]) -> str:
    if placed.lines is None or placed.path is None or placed.path not in lines or placed.placement == 'deleted':
        return ''
    first, last = placed.lines
    return '\n'.join(' '.join(line.split()) for line in lines[placed.path][first - 1:last])


def sign(placed: Sequence[Placed], texts: Mapping[str, str]) -> list[Placed]:
    """Each finding with its signature."""
    lines = {path: text.splitlines() for path, text in texts.items()}
    signed = []
    for p in placed:
        location = p.finding.location
        parts = (_kind(p), p.path or '', (location and location.symbol) or '', _flagged(p, lines))
        digest = blake2b('\0'.join(parts).encode('utf-8', 'surrogatepass'), digest_size=8).hexdigest()
        signed.append(p._replace(signature=digest))
    return signed


def parse(text: str, origin: str) -> dict[str, dict[str, Any]]:
    """The baseline's entries by signature, or a GateError with one line per problem."""
    try:
        document = documents.loads(text, origin)
    except json.JSONDecodeError as e:
        raise GateError(f'{origin}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}; '
                        f'write it again with `findings-gate baseline write`') from None
    problems = [f'{origin}::{where}: {what}' for where, what in schema.problems('baseline', document)]
    for i, entry in enumerate(document['findings'] if not problems else ()):
        if 'first_seen' in entry and _date(entry['first_seen']) is None:
            problems.append(f'{origin}::$.findings[{i}].first_seen: {entry["first_seen"]!r} is not a date; '
                            f'write it as YYYY-MM-DD, or write the baseline again with `findings-gate baseline write`')
    if problems:
        raise GateError('\n'.join(problems))
    return {entry['signature']: entry for entry in document['findings']}


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def days_left(entry: Mapping[str, Any], severity: str, max_days: Mapping[str, int],
              today: datetime.date) -> int | None:
    """Days before the baselined finding counts as new (below 0: past its deadline); None: no deadline
    (none for its severity, or an entry with no first_seen date)."""
    if severity not in max_days or 'first_seen' not in entry:
        return None
    first_seen = _date(entry['first_seen'])
    assert first_seen is not None  # parse checked it
    return max_days[severity] - (today - first_seen).days


def compare(placed: Sequence[Placed], entries: Mapping[str, dict[str, Any]],
            reviewers: Collection[str] | None = None, max_days: Mapping[str, int] | None = None,
            today: datetime.date | None = None) -> tuple[list[Placed], list[Absent]]:
    """Each finding marked new or unchanged, and the baselined ones no longer found.

    Signatures are counted: two findings sharing the signature of one baselined
    finding are one unchanged and one new. A baselined finding is absent only from a
    run that has its reviewer's report (`reviewers`): a run without that tool's report
    did not look for it. An entry that names no reviewer (an older baseline) can be
    absent from any run. With `max_days` (baseline_max_days), a baselined finding older
    than its severity's limit is new again; each carries the days it has left.
    """
    left = Counter({signature: entry['count'] for signature, entry in entries.items()})
    marked = []
    for p in placed:
        if left[p.signature] > 0:
            left[p.signature] -= 1
            days = days_left(entries[p.signature], p.finding.severity, max_days or {}, today or datetime.date.today())
            state = 'new' if days is not None and days < 0 else 'unchanged'
            marked.append(p._replace(baseline=state, baseline_days_left=days))
        else:
            marked.append(p._replace(baseline='new'))
    absent = [Absent(signature, count, entries[signature]['title'], entries[signature].get('path'),
                     entries[signature].get('rule')) for signature, count in left.items()
              if count > 0 and (reviewers is None or entries[signature].get('reviewer', None) in (None, *reviewers))]
    return marked, absent


def document(decided: Sequence[Decided], first_seen: Mapping[str, str] | None = None,
             today: str | None = None) -> dict[str, Any]:
    """The baseline of a run: every finding it decided, counted by signature; each signature's
    first_seen date kept from `first_seen` (the baseline written before), else `today`."""
    counts = Counter(d.placed.signature for d in decided)
    first: dict[str, Placed] = {}
    for d in decided:
        first.setdefault(d.placed.signature, d.placed)
    findings = []
    for signature in sorted(counts):
        p = first[signature]
        entry: dict[str, Any] = {'signature': signature, 'count': counts[signature], 'title': p.finding.title,
                                 'reviewer': p.report.reviewer.name}
        seen = (first_seen or {}).get(signature, today)
        if seen is not None:
            entry['first_seen'] = seen
        if p.path:
            entry['path'] = p.path
        if p.finding.rule:
            entry['rule'] = p.finding.rule
        if p.finding.cwe:
            entry['cwe'] = list(p.finding.cwe)
        if p.finding.location and p.finding.location.symbol:
            entry['symbol'] = p.finding.location.symbol
        findings.append(entry)
    return {'version': 1, 'findings': findings}


def dump(decided: Sequence[Decided], first_seen: Mapping[str, str] | None = None, today: str | None = None) -> str:
    return json.dumps(document(decided, first_seen, today), indent=2, ensure_ascii=False, sort_keys=True) + '\n'
