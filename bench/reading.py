"""How well the prose reader reads real reviews: tests/prose/real/, scored against its labels.

    python bench/reading.py                # every text, per kind and overall
    python bench/reading.py --holdout      # only the held-out third (tests/prose/real/holdout.txt)
    python bench/reading.py --kind bots    # one kind
    python bench/reading.py --verbose      # and every miss, text by text
    python bench/reading.py --write-holdout   # (re)write holdout.txt from the rule below

Each text is read with `findings_gate.read.prose.parse(bytes, name)` and compared with
its sidecar `<name>.label.json` (schema: tests/prose/real/label.schema.json). A text the
reader refuses (an exception) reads as no findings and verdict "error". This is a
measurement: it always exits 0.

Matching, text by text (labelled findings are paired one-to-one with read findings;
labels with a place first, then labels with CWE ids or a title, then bare labels):

* paths agree when they are equal after normalising (backslashes to "/", a leading
  "./", "a/" or "b/" dropped) or when one ends with "/" + the other;
* lines agree when the read finding's lines [start, end] overlap the labelled lines
  widened by 3 on each side ([start - 3, end + 3]); a label with a path and no lines
  only asks for the path;
* symbols agree when equal, or when the last dotted/`::` component of one equals the
  other's (`ProgressSpinner.success` ~ `success`);
* strictly found: a labelled finding with a place (path or symbol) is found when a read
  finding has the same path and lines, or the same symbol; one with no place is found
  when a read finding shares a CWE id with it, or its title shares at least a third of
  the label title's words, or — when the label names neither CWE nor title — any read
  finding left over;
* loosely paired: a labelled finding with a place that was not strictly found is paired
  with a read finding left over that shares its path, symbol or a CWE id, or else with
  the next read finding left over (the reader saw something there, placed wrong).

Measures:

* verdict accuracy: read `verdict` equals the label's (findings | no-findings |
  contradictory);
* finding recall: strictly found / labelled findings;
* CWE precision: CWE ids read (each finding's ids) that the text's labels hold (any of
  its findings), over all CWE ids read; "-" when none were read;
* location accuracy: of labelled findings with a place that were strictly found or
  loosely paired, those whose read finding has the right path and lines (within 3), or
  the right symbol;
* invented: findings read from texts labelled no-findings (and how many such texts had
  any);
* complete: read `complete` equals the label's (a text cut mid-word or mid-fence is not
  complete); reported as a diagnostic column.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / 'tests' / 'prose' / 'real'
HOLDOUT = CORPUS / 'holdout.txt'
KINDS = ('threads', 'bots', 'scanners', 'people', 'verdicts', 'truncated')
TEXT_SUFFIXES = ('.md', '.txt')
# The held-out third, the same share of every kind: within each kind, the round(n / 3)
# texts whose salted hash of their corpus name (`kind/short-name`, no suffix) is smallest.
# The rule depends on nothing but the names, so it gives the same list on any machine and
# in any order; holdout.txt records it (--write-holdout) and the tests check the two agree.
# The salt was fixed once, before any score was looked at.
HOLDOUT_SALT = 'findings-gate prose holdout v1'
TOLERANCE = 3

try:  # the package as installed, or from the source tree
    from findings_gate.read import prose
except ImportError:  # pragma: no cover - running from a bare checkout
    sys.path.insert(0, str(ROOT / 'hooks'))
    from findings_gate.read import prose


def corpus_name(text: Path) -> str:
    """`kind/short-name` of a text: its path under the corpus, without the suffix."""
    return text.relative_to(CORPUS).with_suffix('').as_posix()


def _digest(name: str) -> str:
    return hashlib.sha256(f'{HOLDOUT_SALT}:{name}'.encode()).hexdigest()


def held_out_of(names: list[str]) -> list[str]:
    """The held-out third of these corpus names, sorted."""
    kinds: dict[str, list[str]] = defaultdict(list)
    for name in set(names):
        kinds[name.split('/', 1)[0]].append(name)
    chosen: list[str] = []
    for members in kinds.values():
        members.sort(key=lambda n: (_digest(n), n))
        chosen.extend(members[:round(len(members) / 3)])
    return sorted(chosen)


def texts(kind: str | None = None) -> list[Path]:
    found = [p for p in sorted(CORPUS.glob('*/*'))
             if p.suffix in TEXT_SUFFIXES and p.is_file()]
    return [p for p in found if kind is None or p.parent.name == kind]


def label_of(text: Path) -> dict[str, Any]:
    return json.loads(text.with_name(text.stem + '.label.json').read_text(encoding='utf-8'))


def holdout_names() -> list[str]:
    return held_out_of([corpus_name(p) for p in texts()])


# ---------------------------------------------------------------- matching

def _norm_path(path: str | None) -> str | None:
    if not path:
        return None
    path = path.replace('\\', '/').strip().strip('`')
    path = re.sub(r'^(?:\./|[ab]/)', '', path)
    return path.lstrip('/') or None


def same_path(a: str | None, b: str | None) -> bool:
    a, b = _norm_path(a), _norm_path(b)
    if not a or not b:
        return False
    return a == b or a.endswith('/' + b) or b.endswith('/' + a)


def same_lines(label: dict[str, Any], read: dict[str, Any]) -> bool:
    start = label.get('start_line')
    if start is None:
        return True
    end = label.get('end_line') or start
    r_start = read.get('start_line')
    if r_start is None:
        return False
    r_end = read.get('end_line') or r_start
    return r_start <= end + TOLERANCE and r_end >= start - TOLERANCE


def _last(symbol: str) -> str:
    return re.split(r'\.|::|#', symbol.strip('`() '))[-1]


def same_symbol(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a, b = a.strip('`() '), b.strip('`() ')
    return a == b or _last(a) == b or _last(b) == a or _last(a) == _last(b) != ''


_WORD = re.compile(r'[a-z0-9]{3,}')


def title_overlap(label_title: str | None, read_title: str | None) -> bool:
    if not label_title or not read_title:
        return False
    want = set(_WORD.findall(label_title.lower()))
    have = set(_WORD.findall(read_title.lower()))
    return bool(want) and len(want & have) * 3 >= len(want)


@dataclass
class Read:
    """One read finding, flattened."""
    path: str | None
    start_line: int | None
    end_line: int | None
    symbol: str | None
    cwe: list[str]
    title: str
    severity: str | None

    @classmethod
    def of(cls, finding: dict[str, Any]) -> Read:
        location = finding.get('location') or {}
        cwe = finding.get('cwe') or []
        if isinstance(cwe, str):
            cwe = [cwe]
        return cls(location.get('path'), location.get('start_line'), location.get('end_line'),
                   location.get('symbol'), [str(c).upper() for c in cwe],
                   str(finding.get('title') or ''), finding.get('severity'))

    def as_location(self) -> dict[str, Any]:
        return {'start_line': self.start_line, 'end_line': self.end_line}


def has_place(label: dict[str, Any]) -> bool:
    return bool(label.get('path') or label.get('symbol'))


def placed_right(label: dict[str, Any], read: Read) -> bool:
    if label.get('path') and same_path(label['path'], read.path) and same_lines(label, read.as_location()):
        return True
    return same_symbol(label.get('symbol'), read.symbol)


def strictly_found(label: dict[str, Any], read: Read) -> bool:
    if has_place(label):
        return placed_right(label, read)
    if label.get('cwe') or label.get('title'):
        return bool(set(label.get('cwe') or []) & set(read.cwe)) or title_overlap(label.get('title'), read.title)
    return True


def loosely_paired(label: dict[str, Any], read: Read) -> bool:
    return (same_path(label.get('path'), read.path) or same_symbol(label.get('symbol'), read.symbol)
            or bool(set(label.get('cwe') or []) & set(read.cwe)))


@dataclass
class Pairing:
    found: list[tuple[dict[str, Any], Read]] = field(default_factory=list)
    loose: list[tuple[dict[str, Any], Read]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)
    extra: list[Read] = field(default_factory=list)


def pair(labels: list[dict[str, Any]], reads: list[Read]) -> Pairing:
    result = Pairing()
    left = list(reads)
    order = sorted(labels, key=lambda f: 0 if has_place(f) else 1 if (f.get('cwe') or f.get('title')) else 2)
    unfound = []
    for label in order:
        match = next((r for r in left if strictly_found(label, r)), None)
        if match is None:
            unfound.append(label)
            continue
        left.remove(match)
        result.found.append((label, match))
    for label in unfound:
        if has_place(label):
            match = next((r for r in left if loosely_paired(label, r)), None) or (left[0] if left else None)
            if match is not None:
                left.remove(match)
                result.loose.append((label, match))
                continue
        result.missed.append(label)
    result.extra = left
    return result


# ---------------------------------------------------------------- scoring

@dataclass
class Score:
    texts: int = 0
    verdict_right: int = 0
    complete_right: int = 0
    labelled: int = 0
    found: int = 0
    cwe_read: int = 0
    cwe_held: int = 0
    placed: int = 0
    placed_right: int = 0
    no_findings_texts: int = 0
    invented: int = 0
    inventing_texts: int = 0

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def read_text(text: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return prose.parse(text.read_bytes(), text.name), None
    except Exception as error:  # noqa: BLE001 - a refusal is a result to score
        return None, f'{type(error).__name__}: {error}'


def score_text(text: Path, verbose: bool, out: list[str]) -> Score:
    label = label_of(text)
    document, error = read_text(text)
    reads = [Read.of(f) for f in (document or {}).get('findings', [])]
    verdict = (document or {}).get('verdict', 'error')
    complete = (document or {}).get('complete', True)
    score = Score(texts=1, verdict_right=int(verdict == label['verdict']),
                  complete_right=int(bool(complete) == bool(label['complete'])),
                  labelled=len(label['findings']))
    pairing = pair(label['findings'], reads)
    score.found = len(pairing.found)
    held = {c for f in label['findings'] for c in f.get('cwe', [])}
    for r in reads:
        score.cwe_read += len(set(r.cwe))
        score.cwe_held += len(set(r.cwe) & held)
    for lab, r in pairing.found + pairing.loose:
        if has_place(lab):
            score.placed += 1
            score.placed_right += int(placed_right(lab, r))
    if label['verdict'] == 'no-findings':
        score.no_findings_texts = 1
        score.invented = len(reads)
        score.inventing_texts = int(bool(reads))
    if verbose:
        name = corpus_name(text)
        problems = []
        if error:
            problems.append(f'refused: {error}')
        if verdict != label['verdict']:
            problems.append(f"verdict {verdict!r}, labelled {label['verdict']!r}")
        if bool(complete) != bool(label['complete']):
            problems.append(f"complete {complete}, labelled {label['complete']}")
        for lab in pairing.missed:
            problems.append(f'missed {_describe(lab)}')
        for lab, r in pairing.loose:
            problems.append(f'misplaced {_describe(lab)} -> read {_describe_read(r)}')
        for lab, r in pairing.found:
            if has_place(lab) and not placed_right(lab, r):
                problems.append(f'misplaced {_describe(lab)} -> read {_describe_read(r)}')
        wrong_cwe = sorted({c for r in reads for c in r.cwe} - held)
        if wrong_cwe:
            problems.append(f"CWE read but not labelled: {', '.join(wrong_cwe)}")
        if label['verdict'] == 'no-findings' and reads:
            problems.append(f'invented {len(reads)}: ' + '; '.join(_describe_read(r) for r in reads[:3]))
        if problems:
            out.append(f'{name}:')
            out.extend(f'    {p}' for p in problems)
    return score


def _describe(label: dict[str, Any]) -> str:
    where = label.get('path') or '-'
    if label.get('start_line'):
        end = label.get('end_line') or label['start_line']
        where += f":{label['start_line']}" + (f'-{end}' if end != label['start_line'] else '')
    if label.get('symbol'):
        where += f" ({label['symbol']})"
    extra = ' '.join(label.get('cwe') or [])
    return f"{where} {extra} {label.get('severity') or ''}".strip()


def _describe_read(r: Read) -> str:
    where = r.path or '-'
    if r.start_line:
        where += f':{r.start_line}' + (f'-{r.end_line}' if r.end_line and r.end_line != r.start_line else '')
    if r.symbol:
        where += f' ({r.symbol})'
    return f"{where} {' '.join(r.cwe)} {r.severity or ''} {r.title[:50]!r}".strip()


def _pct(part: int, whole: int) -> str:
    return f'{100 * part / whole:5.1f}%' if whole else '    -'


def table(rows: dict[str, Score]) -> list[str]:
    head = ('| kind | texts | verdict | recall | CWE precision | location | invented | complete |',
            '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    lines = list(head)
    for kind, s in rows.items():
        lines.append(
            f'| {kind} | {s.texts} | {_pct(s.verdict_right, s.texts)} | '
            f'{_pct(s.found, s.labelled)} ({s.found}/{s.labelled}) | '
            f'{_pct(s.cwe_held, s.cwe_read)} ({s.cwe_held}/{s.cwe_read}) | '
            f'{_pct(s.placed_right, s.placed)} ({s.placed_right}/{s.placed}) | '
            f'{s.invented} in {s.inventing_texts}/{s.no_findings_texts} | '
            f'{_pct(s.complete_right, s.texts)} |')
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--holdout', action='store_true', help='score only the held-out third')
    parser.add_argument('--kind', choices=KINDS, help='score only this kind')
    parser.add_argument('--verbose', action='store_true', help='list every miss')
    parser.add_argument('--write-holdout', action='store_true', help='rewrite holdout.txt from the rule')
    args = parser.parse_args(argv)
    if args.write_holdout:
        HOLDOUT.write_text(
            '# The held-out third of the corpus (bench/reading.py: held_out_of); nobody tunes on these.\n'
            + ''.join(f'{n}\n' for n in holdout_names()), encoding='utf-8')
        print(f'wrote {HOLDOUT.relative_to(ROOT)}: {len(holdout_names())} of {len(texts())} texts')
        return 0
    listed = {line.strip() for line in HOLDOUT.read_text(encoding='utf-8').splitlines()
              if line.strip() and not line.startswith('#')} if HOLDOUT.exists() else set()
    chosen = [t for t in texts(args.kind) if not args.holdout or corpus_name(t) in listed]
    rows: dict[str, Score] = defaultdict(Score)
    misses: list[str] = []
    for text in chosen:
        rows[text.parent.name].add(score_text(text, args.verbose, misses))
    ordered = {k: rows[k] for k in KINDS if k in rows}
    total = Score()
    for s in ordered.values():
        total.add(s)
    ordered['overall'] = total
    scope = 'held-out third' if args.holdout else 'all texts'
    print(f'Prose reader on the real-review corpus ({scope}, {total.texts} texts)\n')
    print('\n'.join(table(ordered)))
    if args.verbose and misses:
        print('\nMisses:\n' + '\n'.join(misses))
    return 0


if __name__ == '__main__':
    sys.exit(main())
