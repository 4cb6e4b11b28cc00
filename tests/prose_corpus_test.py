"""The real-review corpus (tests/prose/real/) is whole, labelled and split; the bench reads it.

No test here asserts the reader's scores: bench/reading.py measures them.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / 'tests' / 'prose' / 'real'
BENCH = ROOT / 'bench' / 'reading.py'
KINDS = ('threads', 'bots', 'scanners', 'people', 'verdicts', 'truncated')
MINIMUM = 8


def _bench():
    spec = importlib.util.spec_from_file_location('reading_bench', BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules['reading_bench'] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _bench()
TEXTS = bench.texts()
SCHEMA = json.loads((CORPUS / 'label.schema.json').read_text(encoding='utf-8'))


def test_the_corpus_has_at_least_150_texts():
    assert len(TEXTS) >= 150, len(TEXTS)


def test_every_file_under_a_kind_is_a_text_or_its_label():
    for path in CORPUS.glob('*/*'):
        assert path.parent.name in KINDS, path
        if path.suffix in bench.TEXT_SUFFIXES:
            continue
        assert path.name.endswith('.label.json'), path
        assert any(path.with_name(path.name[:-len('.label.json')] + s).exists()
                   for s in bench.TEXT_SUFFIXES), f'label without a text: {path}'


def test_the_schema_is_a_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize('text', TEXTS, ids=[bench.corpus_name(t) for t in TEXTS])
def test_every_text_has_a_label_that_validates(text):
    label_path = text.with_name(text.stem + '.label.json')
    assert label_path.exists(), f'no sidecar for {text}'
    label = json.loads(label_path.read_text(encoding='utf-8'))
    jsonschema.Draft202012Validator(SCHEMA).validate(label)
    assert label['kind'] == text.parent.name
    assert label['source'].startswith('https://')
    for finding in label['findings']:
        if finding['start_line'] is not None:
            assert finding['end_line'] is not None and finding['end_line'] >= finding['start_line'], finding
        else:
            assert finding['end_line'] is None, finding
    assert text.read_bytes().strip(), f'empty text: {text}'


def test_every_kind_named_in_the_issue_has_at_least_eight_texts():
    counts = Counter(t.parent.name for t in TEXTS)
    short = {k: counts.get(k, 0) for k in KINDS if counts.get(k, 0) < MINIMUM}
    assert not short, short


# How many texts of each kind the corpus keeps at least (at most, for the truncated kind):
# the issue asks for eight of every kind; the corpus aims higher where real texts were found.
AT_LEAST = {'threads': 16, 'bots': 40, 'scanners': 30, 'people': 30, 'verdicts': 24}
AT_MOST = {'truncated': 25}
CONTRADICTORY = 8   # reviews that approve and state a finding in one text
VERDICT_ONLY = 16   # texts that only give a no-findings verdict (LGTM, ship it, zero findings)

# The review bots the issue names, by the name their sidecars record in `reviewer`, and the
# ones no real text was found for: each must be named in the corpus README's "Known gaps".
NAMED_BOTS = ('gemini-code-assist', 'coderabbit', 'codex', 'cursor-bugbot', 'copilot', 'qodo', 'sourcery',
              'greptile', 'ellipsis', 'sentinel')
NOT_FOUND = {
    'ellipsis': 'no Ellipsis review comment turned up in the sources searched (only its pull-request '
                'summaries, which state no finding); see tests/prose/real/README.md, Known gaps',
}
GITLAB_NOT_FOUND = ('no GitLab merge-request discussion with a public address turned up in the sources searched '
                    '(one pasted GitLab thread was found, but not where it came from); '
                    'see tests/prose/real/README.md, Known gaps')


def _labels():
    return [(t, bench.label_of(t)) for t in TEXTS]


@pytest.mark.parametrize('kind', sorted(AT_LEAST))
def test_the_kind_reaches_its_count(kind):
    count = sum(1 for t in TEXTS if t.parent.name == kind)
    assert count >= AT_LEAST[kind], (kind, count)


def test_the_truncated_kind_stays_small():
    """One export's cut comments once made half the corpus; the kind is kept to the most varied."""
    count = sum(1 for t in TEXTS if t.parent.name == 'truncated')
    assert count <= AT_MOST['truncated'], count
    sources = Counter(label['source'].split('/pull/')[0] for t, label in _labels() if t.parent.name == 'truncated')
    assert max(sources.values()) <= count // 2, sources


def test_contradictory_reviews_and_verdict_only_texts_are_there():
    verdicts = Counter(label['verdict'] for _, label in _labels())
    assert verdicts['contradictory'] >= CONTRADICTORY, verdicts
    verdict_only = [t for t, label in _labels() if t.parent.name == 'verdicts' and label['verdict'] == 'no-findings']
    assert len(verdict_only) >= VERDICT_ONLY, len(verdict_only)
    for t, label in _labels():
        if label['verdict'] == 'contradictory':
            assert label['findings'], f'a contradictory review keeps its findings: {t}'


def test_the_review_bots_are_there():
    """At least forty texts by review bots, from at least eight of the bots the issue names."""
    reviewers = Counter(bench.label_of(t).get('reviewer') for t in TEXTS if t.parent.name in ('bots', 'threads'))
    assert sum(reviewers[b] for b in NAMED_BOTS) >= 40, reviewers
    assert len([b for b in NAMED_BOTS if reviewers[b]]) >= 8, reviewers


@pytest.mark.parametrize('bot', NAMED_BOTS)
def test_every_named_bot_has_a_text(bot):
    reviewers = Counter(label.get('reviewer') for _, label in _labels())
    if bot in NOT_FOUND:
        assert not reviewers[bot], f'{bot} has texts now: drop it from NOT_FOUND and the README gap'
        readme = (CORPUS / 'README.md').read_text(encoding='utf-8')
        assert bot in readme.lower(), f'the README names no gap for {bot}'
        pytest.skip(f'{bot}: {NOT_FOUND[bot]}')
    assert reviewers[bot] >= 1, (bot, reviewers)


def test_gitlab_threads():
    gitlab = [t for t, label in _labels() if t.parent.name == 'threads' and 'gitlab' in label['source']]
    if not gitlab:
        pytest.skip(GITLAB_NOT_FOUND)
    assert len(gitlab) >= MINIMUM, len(gitlab)


def test_the_holdout_is_a_third_and_follows_its_rule():
    listed = [line.strip() for line in (CORPUS / 'holdout.txt').read_text(encoding='utf-8').splitlines()
              if line.strip() and not line.startswith('#')]
    names = {bench.corpus_name(t) for t in TEXTS}
    assert set(listed) <= names, set(listed) - names
    assert listed == bench.holdout_names(), 'holdout.txt is not what the rule gives: bench/reading.py --write-holdout'
    assert abs(len(listed) - len(TEXTS) / 3) <= 2, (len(listed), len(TEXTS))
    kinds = Counter(name.split('/')[0] for name in listed)
    assert set(kinds) == set(KINDS), kinds


def test_the_holdout_rule_is_stable():
    names = [bench.corpus_name(t) for t in TEXTS]
    assert bench.held_out_of(names) == bench.held_out_of(list(reversed(names)))
    for kind in KINDS:
        members = [n for n in names if n.startswith(kind + '/')]
        held = [n for n in bench.holdout_names() if n.startswith(kind + '/')]
        assert len(held) == round(len(members) / 3), (kind, len(held), len(members))


@pytest.mark.parametrize('extra', [[], ['--holdout'], ['--kind', 'verdicts', '--verbose']])
def test_the_bench_reads_the_whole_corpus_and_prints_its_table(extra):
    done = subprocess.run([sys.executable, str(BENCH), *extra], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert '| kind | texts | verdict | recall | CWE precision | location | invented |' in done.stdout
    assert '| overall |' in done.stdout
    if not extra:
        assert f'{len(TEXTS)} texts)' in done.stdout


def test_the_matching_rules():
    label = {'path': 'src/a.py', 'start_line': 10, 'end_line': 12, 'symbol': None, 'cwe': [], 'severity': None}
    near = bench.Read('./src/a.py', 15, 15, None, [], 'x', None)
    far = bench.Read('src/a.py', 16, 16, None, [], 'x', None)
    assert bench.strictly_found(label, near)
    assert not bench.strictly_found(label, far)
    assert bench.loosely_paired(label, far)
    assert bench.same_path('a\\b\\c.py', 'b/c.py')
    assert bench.same_symbol('ProgressSpinner.success', 'success')
    bare = {'path': None, 'start_line': None, 'end_line': None, 'symbol': None, 'cwe': ['CWE-78'], 'severity': None}
    assert bench.strictly_found(bare, bench.Read(None, None, None, None, ['CWE-78'], '', None))
    assert not bench.strictly_found(bare, bench.Read(None, None, None, None, ['CWE-89'], '', None))
    pairing = bench.pair([label, bare], [far, bench.Read(None, None, None, None, ['CWE-78'], '', None)])
    assert len(pairing.found) == 1 and len(pairing.loose) == 1 and not pairing.missed
