"""`findings-gate policy check`: validate policy files, waivers files and baselines.

With no file named, the repository's: its policy (or the default), and the
waivers file and baseline that policy names. A file named on the command line
is told by what it holds: a list of `waivers` is a waivers file, `findings` a
baseline, anything else a policy.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from findings_gate import documents, git
from findings_gate.commands.check import Write
from findings_gate.decide import baseline, policy, waivers
from findings_gate.decide.configuration import check_directories
from findings_gate.errors import BLOCKED, PASS, GateError, display
from findings_gate.render.inert import inert


def run(files: Sequence[str], *, out: Write) -> int:
    named = [(name, _kind(name)) for name in files] if files else _repository_files()
    if not named:
        out('no policy file (.findings-gate.yaml): the default policy applies\n')
        return PASS
    bad = 0
    for name, kind in named:
        try:
            out(_shown(_check(name, kind)))
        except GateError as e:
            bad += 1
            out(_shown(str(e)))
    return BLOCKED if bad else PASS


def _shown(text: str) -> str:
    """Lines naming files and quoting their text, with nothing a terminal acts on."""
    return ''.join(f'{inert(line)}\n' for line in text.splitlines())


def _repository_files() -> list[tuple[str, str]]:
    """The repository's configuration files, each with its kind."""
    root = git.root(git.open_repo())
    name = policy.find(lambda n: (root / n).is_file())
    found = [(display(root / name), 'policy')] if name else []
    try:
        rules = policy.load(str(root / name) if name else None, None)
    except GateError:  # shown when checked; its waivers and baseline are where the default says
        rules = policy.load(None, None)
    for path, key in ((rules.waivers, 'waivers'), (rules.baseline, 'baseline')):
        check_directories(path, key, lambda d: (root / d).is_file(), lambda d: display(root / d))
    found += [(display(root / path), kind) for path, kind in ((rules.waivers, 'waivers'), (rules.baseline, 'baseline'))
              if (root / path).is_file()]
    return found


def _kind(name: str) -> str:
    """What a named file holds; a file that cannot be read is checked as a policy, which says why."""
    try:
        document = documents.parse(Path(name).read_bytes(), display(name))
    except (OSError, GateError):
        return 'policy'
    if isinstance(document, dict) and isinstance(document.get('waivers'), list):
        return 'waivers'
    if isinstance(document, dict) and 'findings' in document:
        return 'baseline'
    return 'policy'


def _check(name: str, kind: str) -> str:
    if kind == 'waivers':
        return f'{name}: valid waivers ({len(waivers.parse(policy.read(name, "the waivers"), name))})\n'
    if kind == 'baseline':
        count = len(baseline.parse(policy.read(name, 'the baseline'), name))
        return f'{name}: valid baseline ({count} signature{"s" * (count != 1)})\n'
    loaded = policy.load(name, None)
    return ''.join([f'{name}: valid policy\n', *(f'warning: {w}\n' for w in policy.warnings(loaded))])
