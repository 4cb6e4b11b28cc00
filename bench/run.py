"""Benchmarks: synthetic repositories and reports, built seeded, each case run several times.

    python bench/run.py             # every case, as docs/performance.md's tables were made
    python bench/run.py --quick     # fewer runs and the large change at a tenth (a smoke run)
    python bench/run.py --only typical,startup --repeat 11
    python bench/run.py --only real       # django 4.2 -> 4.2.16 with ruff's findings (downloads once)
    python bench/run.py --only prose      # the prose reader on long reviews, in process
    python bench/run.py --only replay     # replay of 1,000 commits, each with a note

Every command is the real console script (`findings-gate`, `diff-quality`) of the
environment that runs this script, started as a subprocess in a repository built
under a temporary directory: wall time from start to exit, peak RSS of the process
and the git processes it waited for (os.wait4). The tables are Markdown; the ratios
compare commands measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

BIN = Path(sys.executable).parent
GNU_TIME = '/usr/bin/time'
RULES = ('E501', 'W605', 'F401', 'E711', 'B101', 'C901', 'E722', 'F841')
LEVELS = ('error', 'warning', 'note')
DIFF = ('-c', 'core.quotepath=false', '-c', 'diff.noprefix=false', '-c', 'diff.mnemonicprefix=false',
        '-c', 'diff.relative=false', 'diff', '--no-color', '--no-ext-diff', '--no-textconv',
        '--src-prefix=a/', '--dst-prefix=b/', '-M', '-C', '-U0', '--submodule=short')


class Runs(NamedTuple):
    """Wall times (seconds) and peak RSS (KiB) of one command's runs."""
    walls: list[float]
    rss: list[int]

    @property
    def p50(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak(self) -> int:
        return max(self.rss)


def environment(home: Path) -> dict[str, str]:
    """The user's git configuration, pre-commit's and Python's variables kept out."""
    env = {k: v for k, v in os.environ.items()  # PYTHON*: bytecode is cached, as for a user
           if not k.startswith(('GIT_', 'PRE_COMMIT_', 'GITHUB_', 'GITLAB_', 'ZUUL_', 'PYTHON'))}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL=str(home / '.gitconfig'),
               GIT_AUTHOR_NAME='bench', GIT_AUTHOR_EMAIL='bench@example.com',
               GIT_COMMITTER_NAME='bench', GIT_COMMITTER_EMAIL='bench@example.com',
               GIT_AUTHOR_DATE='2026-01-01T00:00:00+00:00', GIT_COMMITTER_DATE='2026-01-01T00:00:00+00:00',
               NO_COLOR='1', FINDINGS_GATE_CACHE=str(home / 'cache'))
    return env


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    return shutil.which(name) or sys.exit(f'{name}: not installed; pip install -e ".[bench]"')


def once(cmd: Sequence[str], cwd: Path, env: dict[str, str], ok: Sequence[int]) -> tuple[float, int]:
    """One run: wall seconds and peak RSS in KiB; exits if the command failed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read()  # small; a full pipe would stall the child
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in ok:
        sys.exit(f'{" ".join(cmd)} exited {proc.returncode}:\n{stderr.decode(errors="replace")}')
    return wall, usage.ru_maxrss


def peak_rss(cmd: Sequence[str], cwd: Path, env: dict[str, str], ok: Sequence[int]) -> int | None:
    """Peak RSS in KiB from GNU time, which starts the command from a small process.

    os.wait4 counts the RSS of the forked copy of this script too (Linux keeps the
    high-water mark across exec), so it only bounds small commands from above.
    """
    if not os.access(GNU_TIME, os.X_OK):
        return None
    with tempfile.NamedTemporaryFile('r') as out:
        once([GNU_TIME, '-f', '%M', '-o', out.name, *cmd], cwd, env, ok)
        return int(out.read().split()[-1])


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str], repeat: int,
            ok: Sequence[int] = (0,), cold: bool = False) -> Runs:
    """`repeat` timed runs after one that warms the caches and measures the peak RSS.

    `cold`: each run with an empty findings-gate cache (FINDINGS_GATE_CACHE).
    """
    def fresh() -> dict[str, str]:
        return {**env, 'FINDINGS_GATE_CACHE': tempfile.mkdtemp(dir=env['FINDINGS_GATE_CACHE'])} if cold else env

    rss = peak_rss(cmd, cwd, fresh(), ok)
    if rss is None:
        once(cmd, cwd, fresh(), ok)
    walls, peaks = [], []
    for _ in range(repeat):
        wall, peak = once(cmd, cwd, fresh(), ok)
        walls.append(wall)
        peaks.append(peak)
    return Runs(walls, [rss] if rss is not None else peaks)


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(('git', *args), cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout


# ---- synthetic sources ---------------------------------------------------------------------


def function(name: str, k: int) -> list[str]:
    """A 7-line top-level function (with its blank line)."""
    return [f'def {name}(value, other):', f'    """Step {k} of the pipeline."""',
            f'    total = value + {k}', '    for item in range(other):',
            f'        total += item * {k}', '    return total', '']


def module(rng: random.Random, functions: int) -> list[str]:
    lines = ['"""A generated module."""', 'import os', '']
    for i in range(functions):
        lines += function(f'step_{i}', rng.randrange(1000))
    return lines


def edit(rng: random.Random, lines: list[str], added: int) -> list[str]:
    """The module with `added` lines added or changed: two bodies rewritten, new functions."""
    out = list(lines)
    starts = [i for i, line in enumerate(out) if line.startswith('def ')]
    rewritten = 0
    for start in sorted(rng.sample(starts, 2), reverse=True):  # 5 changed lines each
        k = rng.randrange(1000)
        out[start + 2:start + 6] = [f'    total = value * {k}', '    for item in range(other + 1):',
                                    f'        total -= item + {k}', '    return abs(total)']
        rewritten += 4
    block: list[str] = []
    while added - rewritten - len(block) >= 7:
        k = rng.randrange(1000)  # no line like an old one: the diff counts each added line
        block += [f'def new_step_{len(block) // 7}(value, other):', f'    """Added step {k}."""',
                  f'    result = value - {k}', '    while other > 0:', f'        other -= {k}',
                  '    return result', '']
    block += [f'# note {rng.randrange(1000)}' for _ in range(added - rewritten - len(block))]
    half = len(block) // 14 * 7
    for at, piece in zip(sorted(rng.sample(starts, 2), reverse=True), (block[half:], block[:half])):
        out[at:at] = piece
    return out


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines) + '\n')


class Finding(NamedTuple):
    path: str
    line: int
    column: int
    rule: str
    level: str
    message: str


def sarif(findings: Sequence[Finding]) -> dict[str, object]:
    return {
        'version': '2.1.0',
        '$schema': 'https://json.schemastore.org/sarif-2.1.0.json',
        'runs': [{
            'tool': {'driver': {'name': 'synthetic-lint', 'rules': [{'id': r} for r in RULES]}},
            'results': [{
                'ruleId': f.rule, 'level': f.level, 'message': {'text': f.message},
                'locations': [{'physicalLocation': {
                    'artifactLocation': {'uri': f.path},
                    'region': {'startLine': f.line, 'startColumn': f.column},
                }}],
            } for f in findings],
        }],
    }


def flake8(findings: Sequence[Finding]) -> str:
    """The same findings as flake8 prints them, which diff-quality reads."""
    return ''.join(f'{f.path}:{f.line}:{f.column}: {f.rule} {f.message}\n' for f in findings)


# ---- repositories ---------------------------------------------------------------------------


class Case(NamedTuple):
    root: Path
    sarif: Path
    flake8: Path
    files: int
    findings: int
    stat: str  # git diff --shortstat


def build_change(root: Path, env: dict[str, str], seed: int, files: int, added: int,
                 per_file: int) -> Case:
    """`files` modules on main, each with `added` lines added or changed on HEAD; findings in SARIF."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    git(root, env, 'init', '-q', '-b', 'main')
    paths = [f'pkg{i % 50:02d}/mod_{i:05d}.py' for i in range(files)]
    bases = {p: module(rng, 12) for p in paths}
    for path, lines in bases.items():
        write_lines(root / path, lines)
    git(root, env, 'add', '-A')
    git(root, env, 'commit', '-q', '-m', 'base')
    git(root, env, 'checkout', '-q', '-b', 'change')
    findings = []
    for path, lines in bases.items():
        new = edit(rng, lines, added)
        write_lines(root / path, new)
        for _ in range(per_file):
            rule = rng.choice(RULES)
            findings.append(Finding(path, rng.randint(1, len(new)), rng.randint(1, 30), rule,
                                    rng.choice(LEVELS), f'synthetic finding {rule} number {len(findings)}'))
    git(root, env, 'commit', '-q', '-a', '-m', 'change')
    out = root.parent / f'{root.name}-reports'
    out.mkdir()
    (out / 'findings.sarif').write_text(json.dumps(sarif(findings)))
    (out / 'flake8.txt').write_text(flake8(findings))
    stat = git(root, env, 'diff', '--shortstat', 'main...HEAD').strip()
    return Case(root, out / 'findings.sarif', out / 'flake8.txt', files, len(findings), stat)


PROSE = '''\
## Review of the staged change

### Issue 1: Command built from user input
- **Location:** `{a}`, lines {a1}-{a2}, function `step_1`
- **Severity:** High
- **CWE:** CWE-78 (Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection'))
- **Description:** The value reaches a shell command without quoting.
- **Recommendation:** Pass the arguments as a list.

### Issue 2: Unbounded loop
- **Location:** `{b}`, line {b1}
- **Severity:** Medium
- **Description:** The loop runs as many times as the caller asks; nothing bounds it.

### Issue 3: Result not checked
- **Location:** `{c}`, L{c1}-L{c2}
- **Severity:** Low
- **Description:** The total can overflow the counter the caller keeps.

### Issue 4: Off-by-one in the range
- **Location:** `{d}`, line {d1}
- **Severity:** Medium
- **Description:** The range stops one item early, so the last item is never counted.

### Summary
Four issues found.
'''


def build_typical(root: Path, env: dict[str, str], seed: int) -> tuple[Path, dict[str, int]]:
    """300 modules, 5 of them changed and staged; the changed paths and their lengths."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    git(root, env, 'init', '-q', '-b', 'main')
    paths = [f'src/pkg{i % 10}/mod_{i:03d}.py' for i in range(300)]
    for path in paths:
        write_lines(root / path, module(rng, 12))
    git(root, env, 'add', '-A')
    git(root, env, 'commit', '-q', '-m', 'base')
    lengths = {}
    for path in rng.sample(paths, 5):
        new = edit(rng, (root / path).read_text().splitlines(), rng.randrange(10, 30))
        write_lines(root / path, new)
        lengths[path] = len(new)
    git(root, env, 'add', '-A')
    return root, lengths


def write_reviews(root: Path, seed: int, lengths: dict[str, int], *, prose: bool, cwe: bool) -> None:
    """.reviews/: 3 reports with 20 findings on the changed files, where the policy looks.

    An LLM's native JSON (8 findings) and a linter's SARIF (8); a person's 4 in a
    native YAML report, or with `prose` in a Markdown review that the gate reads
    from --report (a hook's `args`). With `cwe`, 3 JSON findings and 1 in the
    prose carry a CWE id.
    """
    rng = random.Random(seed)
    changed = sorted(lengths)

    def spot() -> tuple[str, int]:
        path = rng.choice(changed)
        return path, rng.randint(1, lengths[path] - 3)

    findings = []
    for n in range(8):
        path, line = spot()
        finding: dict[str, object] = {
            'title': f'finding {n} of the LLM review', 'severity': rng.choice(('high', 'medium', 'low')),
            'category': rng.choice(('security', 'correctness', 'maintainability')),
            'location': {'path': path, 'start_line': line, 'end_line': line + 2},
            'message': 'What goes wrong, and when.',
        }
        if n % 3 == 0 and cwe:
            finding['cwe'] = ['CWE-20']
        if n % 4 == 1:
            finding['location'] = {'path': path, 'symbol': 'step_2'}
        findings.append(finding)
    reviews = root / '.reviews'
    reviews.mkdir(exist_ok=True)
    (reviews / 'llm.json').write_text(json.dumps({
        'version': 1, 'reviewer': {'name': 'review-llm', 'kind': 'llm', 'model': 'example'},
        'findings': findings}, indent=2))
    lint = [Finding(*spot(), rng.randint(1, 20), rng.choice(RULES), rng.choice(LEVELS), f'lint {n}')
            for n in range(8)]
    (reviews / 'lint.sarif.json').write_text(json.dumps(sarif(lint), indent=2))
    spots = [spot() for _ in range(4)]
    for old in ('human.md', 'human.yaml'):
        (reviews / old).unlink(missing_ok=True)
    if prose:
        text = PROSE.format(
            a=spots[0][0], a1=spots[0][1], a2=spots[0][1] + 3, b=spots[1][0], b1=spots[1][1],
            c=spots[2][0], c1=spots[2][1], c2=spots[2][1] + 1, d=spots[3][0], d1=spots[3][1])
        if not cwe:
            text = '\n'.join(line for line in text.splitlines() if '**CWE:**' not in line) + '\n'
        (reviews / 'human.md').write_text(text)
    else:
        items = ''.join(f'  - title: finding {n} of the human review\n    severity: medium\n'
                        f'    location: {{path: {path}, start_line: {line}}}\n'
                        for n, (path, line) in enumerate(spots))
        (reviews / 'human.yaml').write_text(f'version: 1\nreviewer: {{name: alice, kind: human}}\n'
                                            f'findings:\n{items}')


# ---- tables ---------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f'{seconds * 1000:.0f} ms' if seconds < 10 else f'{seconds:.1f} s'


def mb(kib: int) -> str:
    return f'{kib / 1024:.0f} MB'


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    print(f'\n{title}\n')
    print('| ' + ' | '.join(header) + ' |')
    print('|' + '|'.join('---' for _ in header) + '|')
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')
    sys.stdout.flush()


def met(ok: bool) -> str:
    return 'met' if ok else '**not met**'


# ---- cases ----------------------------------------------------------------------------------


def startup(tmp: Path, env: dict[str, str], repeat: int) -> None:
    gate = tool('findings-gate')
    rows = []
    python = measure([sys.executable, '-c', 'pass'], tmp, env, repeat)
    rows.append(['`python -c pass`', ms(python.p50), ms(min(python.walls)), mb(python.peak), '', ''])
    for flag in ('--version', '--help'):
        runs = measure([gate, flag], tmp, env, repeat)
        rows.append([f'`findings-gate {flag}`', ms(runs.p50), ms(min(runs.walls)), mb(runs.peak),
                     f'{runs.p50 / python.p50:.1f}×', f'≤ 40 ms: {met(runs.p50 <= 0.040)}'])
    table(f'Startup ({repeat} runs each)',
          ['command', 'p50', 'min', 'peak RSS', 'vs python', 'target'], rows)


def typical(tmp: Path, env: dict[str, str], seed: int, repeat: int) -> None:
    root, lengths = build_typical(tmp / 'typical', env, seed)
    python = measure([sys.executable, '-c', 'pass'], root, env, repeat)
    diff = measure(['git', *DIFF, '--cached'], root, env, repeat)
    floor = python.p50 + diff.p50
    rows = [
        ['`python -c pass`', '', ms(python.p50), ms(min(python.walls)), mb(python.peak), ''],
        ['`git diff --cached` (the gate\'s flags)', '', ms(diff.p50), ms(min(diff.walls)), mb(diff.peak), ''],
        ['floor: the two above', '', ms(floor), '', '', '1.0×'],
    ]
    gate = tool('findings-gate')
    verdicts = []
    for reports, args, prose, cwe in (
            ('JSON, SARIF, YAML', ['check'], False, False),
            ('JSON, SARIF, prose', ['check', '--report', '.reviews/human.md'], True, False),
            ('the same, 4 findings with a CWE id', ['check', '--report', '.reviews/human.md'], True, True)):
        write_reviews(root, seed, lengths, prose=prose, cwe=cwe)
        for cold in (False, True):
            runs = measure([gate, *args], root, env, repeat, ok=(0, 1), cold=cold)
            label = 'none kept' if cold else 'kept'
            rows.append([f'`findings-gate {" ".join(args)}`: {reports}', label, ms(runs.p50),
                         ms(min(runs.walls)), mb(runs.peak), f'{runs.p50 / floor:.1f}×'])
            verdicts.append(f'{reports}, cache {label}: p50 ≤ 60 ms {met(runs.p50 <= 0.060)}, '
                            f'within 4× of the floor {met(runs.p50 <= 4 * floor)}')
    table(f'Typical commit: 5 staged files of 300; 3 reports, 20 findings; {repeat} runs each',
          ['command: the reports', 'cache', 'p50', 'min', 'peak RSS', 'vs floor'], rows)
    print()
    for verdict in verdicts:
        print(f'- {verdict}')


def large(tmp: Path, env: dict[str, str], seed: int, scale: float, repeat: int,
          quality_repeat: int) -> Case:
    files = max(1, round(5000 * scale))
    case = build_change(tmp / 'large', env, seed, files, 40, 20)
    gate = measure(gate_command(case), case.root, uncached(env), repeat, ok=(0, 1))
    quality = measure([tool('diff-quality'), '--violations=flake8', '--compare-branch=main', str(case.flake8)],
                      case.root, env, quality_repeat, ok=(0, 1))
    diff = measure(['git', *DIFF, 'main...HEAD'], case.root, env, repeat)
    ratio = quality.p50 / gate.p50
    rows = [
        ['`git diff main...HEAD` (the gate\'s flags)', ms(diff.p50), mb(diff.peak), '', ''],
        ['`findings-gate check --base main --report findings.sarif`', ms(gate.p50), mb(gate.peak), '1.0×',
         f'≤ 2 s: {met(gate.p50 <= 2)}; ≤ 300 MB: {met(gate.peak <= 300 * 1024)}'],
        ['`diff-quality --violations=flake8 --compare-branch=main flake8.txt`', ms(quality.p50),
         mb(quality.peak), f'{ratio:.1f}×', f'gate ≥ 5× faster: {met(ratio >= 5)}'],
    ]
    table(f'Large change: {files} files, {case.stat}, {case.findings} findings in one report '
          f'(SARIF for the gate, flake8 text for diff-quality); gate {repeat} runs, diff-quality '
          f'{quality_repeat}', ['command', 'p50', 'peak RSS', 'time / gate\'s', 'target'], rows)
    breakdown(case, uncached(env))
    return case


BREAKDOWN = """
import functools, sys, time
marks = [('start', time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
from findings_gate import gate
from findings_gate import git
from findings_gate.read import sources
from findings_gate.place import placement
from findings_gate.decide import policy
from findings_gate.place import symbols
from findings_gate.render import terminal
mark('imports')
repo = git.open_repo(); root = git.root(repo); rules = policy.load(None, root)
read = gate.read_change(repo, gate.Target(base='main'), {}, None)
mark('`git diff` and its reading (diff.py)')
files = functools.cache(lambda: git.tracked_files(repo, read.tree))
code = gate._code(repo, read.tree, files)
found = [sources.read(s) for s in sources.from_arguments([sys.argv[1]], None)]
mark('reading and checking the SARIF report (formats/, schema_check.py, sources.py)')
paths = sorted({f.location.path for r in found for f in r.findings})
code.prefetch(paths)
mark('reading the files the findings name (git cat-file --batch)')
placed = placement.place(found, read.change, root=str(root), code=code, context=rules.context_lines)
mark('placing and grounding (placement.py, ground.py, symbols.py)')
decision = policy.decide(placed, found, read.change, rules, {p: code.read(p) for p in paths})
mark('deciding (policy.py, rules.py)')
terminal.render(decision)
mark('the text output (render/terminal.py)')
for (_, before), (name, after) in zip(marks, marks[1:]):
    print(f'{name}\t{after - before}')
import gc
gc.disable()  # as placing does: the collector's passes over what is still alive are not the parser's
start = time.perf_counter()
for path in paths:
    symbols.definitions(code.read(path), path)
print(f'of the placing: the functions and classes of every file (ast.parse)\t{time.perf_counter() - start}')
"""


def breakdown(case: Case, env: dict[str, str]) -> None:
    """Where a run's time goes: its steps timed in one process (without the finding lines' output)."""
    done = subprocess.run([sys.executable, '-c', BREAKDOWN, str(case.sarif)], cwd=case.root, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:  # a version of the gate without these steps
        print(f'\n(no breakdown: {done.stderr.strip().splitlines()[-1:]})')
        return
    steps = [line.split('\t') for line in done.stdout.splitlines()]
    table('Where the large change\'s time goes (one run, its steps timed in-process)',
          ['step', 'time'], [[name, ms(float(seconds))] for name, seconds in steps])


def uncached(env: dict[str, str]) -> dict[str, str]:
    """Every run reads its report (the cache keeps reports up to 4 MiB; the large one is 25)."""
    return {**env, 'FINDINGS_GATE_CACHE': ''}


def gate_command(case: Case) -> list[str]:
    return [tool('findings-gate'), 'check', '--base', 'main', '--report', str(case.sarif), '--no-notes']


def scaling(tmp: Path, env: dict[str, str], seed: int, scale: float, repeat: int,
            largest: Case | None) -> None:
    base = max(1, round(50 * scale))
    rows = []
    times = []
    findings = base * 20
    for factor in (1, 10, 100):
        files = base * factor
        if largest is not None and files == largest.files:
            case = largest  # the large change is the 100× case
        else:
            case = build_change(tmp / f'scale-{factor}', env, seed, files, 40, 20)
        runs = measure(gate_command(case), case.root, uncached(env),
                       repeat if factor < 100 else max(1, repeat // 2), ok=(0, 1))
        times.append(runs.p50)
        rows.append([f'{factor}×', str(files), case.stat.split(', ')[1], str(case.findings), ms(runs.p50),
                     f'{runs.p50 / times[0]:.1f}×', mb(runs.peak)])
    table(f'Scaling: 1×, 10× and 100× of {base} files with 40 added lines and 20 findings each',
          ['size', 'files', 'changed', 'findings', 'p50', 'vs 1×', 'peak RSS'], rows)
    growth = (times[2] - times[1]) / (times[1] - times[0])
    first, second = (times[1] - times[0]) / (9 * findings), (times[2] - times[1]) / (90 * findings)
    print(f'\neach finding more (with its share of files and lines): {first * 1e6:.0f} µs from 1× to 10×, '
          f'{second * 1e6:.0f} µs from 10× to 100×; the second step grew {growth:.1f}× the first '
          f'(linear: 10; target 8 to 12: {met(8 <= growth <= 12)})')


def real(tmp: Path, env: dict[str, str], repeat: int, quality_repeat: int) -> None:
    """django 4.2 -> 4.2.16 and ruff's findings over the head (bench/real_repository.py)."""
    import real_repository

    case = real_repository.build(tmp / 'django' / 'repo', env, tool('ruff'))
    base = ['check', '--base', 'main', '--report', str(case.sarif), '--no-notes']
    gate = measure([tool('findings-gate'), *base], case.root, uncached(env), repeat, ok=(0, 1))
    json_runs = measure([tool('findings-gate'), *base, '--format', 'json'], case.root, uncached(env), repeat,
                        ok=(0, 1))
    quality = measure([tool('diff-quality'), '--violations=flake8', '--compare-branch=main', str(case.concise)],
                      case.root, env, quality_repeat, ok=(0, 1))
    diff = measure(['git', *DIFF, 'main...HEAD'], case.root, env, repeat)
    rows = [['`git diff main...HEAD` (the gate\'s flags)', ms(diff.p50), mb(diff.peak), '', '']]
    for label, runs in (('', gate), (' --format json', json_runs)):
        rows.append([f'`findings-gate check --base main --report ruff.sarif{label}`', ms(runs.p50), mb(runs.peak),
                     f'{runs.p50 / quality.p50:.2f}×',
                     f'≤ 1.5 s: {met(runs.p50 <= 1.5)}; no slower than diff-quality: {met(runs.p50 <= quality.p50)}'])
    rows.append(['`diff-quality --violations=flake8 --compare-branch=main ruff.txt`', ms(quality.p50),
                 mb(quality.peak), '1.00×', ''])
    table(f'Real repository: django {real_repository.BASE} → {real_repository.HEAD} ({case.files} files, '
          f'{case.changed_files} changed), `ruff check --select ALL` over the head: {case.findings} findings, '
          f'{case.untouched} of them in files the change does not touch; gate {repeat} runs, diff-quality '
          f'{quality_repeat}', ['command', 'p50', 'peak RSS', 'time / diff-quality\'s', 'target'], rows)


def prose_texts() -> dict[str, str]:
    """Long prose reviews of the shapes that were once quadratic, and a 1 MB mixed one."""
    paragraph = ' '.join(f'The query in db.py at line {i} builds SQL from input, an SQL Injection (CWE-89) '
                         f'through shell=True (CWE-78).' for i in range(800))
    numbered = '\n'.join(f'{i}. CWE-89: SQL injection in `db.py` line {i} concatenates input (high).'
                          for i in range(1, 5401))
    stylish = 'src/app.js\n' + '\n'.join(f'  {i}:9  error  \'a{i}\' is assigned a value but never used  '
                                          f'no-unused-vars' for i in range(1, 9001))
    mixed = '\n\n'.join([paragraph, numbered, stylish, paragraph * 3])
    return {'80 KB paragraph, CWE-89 many times': paragraph, '409 KB numbered list': numbered,
            'pasted ESLint output, 9000 lines': stylish, 'mixed, under 1 MB': mixed[:1_000_000]}


def prose_reading(repeat: int) -> None:
    """The prose reader in process on long reviews: the goal is under 1 s for any review under 1 MB."""
    try:
        from findings_gate.read import prose
    except ImportError:  # pragma: no cover - running from a bare checkout
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'hooks'))
        from findings_gate.read import prose
    rows = []
    for name, text in prose_texts().items():
        walls = []
        for _ in range(max(1, min(repeat, 5))):
            start = time.perf_counter()
            document = prose.read(text, 'review.md')
            walls.append(time.perf_counter() - start)
        wall = statistics.median(walls)
        rows.append([name, f'{len(text.encode()) / 1024:.0f} KB', str(len(document['findings'])), ms(wall),
                     met(wall < 1.0)])
    table('Prose reviews read in process (median)', ['review', 'size', 'findings', 'p50', 'under 1 s'], rows)


def build_history(root: Path, env: dict[str, str], seed: int, commits: int) -> None:
    """`commits` commits on main, each editing one of 20 modules and with a note holding a report
    of two findings on it; made by one `git fast-import`."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    git(root, env, 'init', '-q', '-b', 'main')
    modules = {f'src/m{k}.py': module(rng, 20) for k in range(20)}
    stream = []

    def data(text: str) -> None:
        raw = text.encode()
        stream.append(f'data {len(raw)}\n'.encode() + raw + b'\n')

    for i in range(1, commits + 1):
        path = f'src/m{i % 20}.py'
        lines = modules[path]
        line = rng.randrange(3, len(lines))
        lines[line] = f'    total = value + {i}  # edit {i}'
        stream.append(f'commit refs/heads/main\nmark :{i}\ncommitter bench <bench@example.com> '
                      f'{1767225600 + i * 60} +0000\n'.encode())
        data(f'change {i}')
        if i > 1:
            stream.append(f'from :{i - 1}\n'.encode())
        files = modules.items() if i == 1 else [(path, lines)]
        for name, text in files:
            stream.append(f'M 100644 inline {name}\n'.encode())
            data('\n'.join(text) + '\n')
    stream.append(b'commit refs/notes/reviews\ncommitter bench <bench@example.com> 1767225600 +0000\n')
    data('reviews')
    for i in range(1, commits + 1):
        path = f'src/m{i % 20}.py'
        report = {'version': 1, 'reviewer': {'name': 'bench-bot', 'kind': 'tool'}, 'findings': [
            {'title': f'finding {i}.{n}', 'severity': rng.choice(('high', 'medium', 'low')), 'rule': rng.choice(RULES),
             'location': {'path': path, 'start_line': rng.randrange(1, 140)}} for n in range(2)]}
        stream.append(f'N inline :{i}\n'.encode())
        data(json.dumps(report, separators=(',', ':')))
    subprocess.run(('git', 'fast-import', '--quiet'), cwd=root, env=env, input=b''.join(stream), check=True)
    git(root, env, 'checkout', '-q', 'main')


def replay(tmp: Path, env: dict[str, str], seed: int, repeat: int) -> None:
    commits = 1000
    root = tmp / 'history'
    build_history(root, env, seed, commits)
    stricter = tmp / 'stricter.yaml'
    stricter.write_text('version: 1\nrules:\n  - {name: block-medium, severity: medium, action: block}\n')
    gate = tool('findings-gate')
    rows, verdicts = [], []
    for args in (['replay', 'main'], ['replay', '--against', str(stricter), 'main'],
                 ['replay', '--format', 'json', 'main']):
        runs = measure([gate, *args], root, env, repeat)
        shown = ' '.join(a if a != str(stricter) else 'stricter.yaml' for a in args)
        rows.append([f'`findings-gate {shown}`', ms(runs.p50), ms(min(runs.walls)), mb(runs.peak),
                     f'{runs.p50 / commits * 1000:.2f} ms'])
        verdicts.append(f'{shown}: p50 ≤ 10 s {met(runs.p50 <= 10)}')
    table(f'Replay: {commits} commits, each with a note of 2 findings; {repeat} runs each',
          ['command', 'p50', 'min', 'peak RSS', 'per commit'], rows)
    print()
    for verdict in verdicts:
        print(f'- {verdict}')


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='3 runs, the large change at 1/10')
    p.add_argument('--repeat', type=int, help='runs of each fast command (default 21; --quick 3)')
    p.add_argument('--repeat-large', type=int, help='runs of the large and scaled changes (default 5; --quick 1)')
    p.add_argument('--only', default='startup,typical,real,large,scaling,prose,replay', help='cases, comma-separated')
    p.add_argument('--seed', type=int, default=6)
    p.add_argument('--keep', metavar='DIR', help='build the inputs in DIR and keep them')
    args = p.parse_args(argv)
    cases = set(args.only.split(','))
    repeat = args.repeat or (3 if args.quick else 21)
    slow = args.repeat_large or (1 if args.quick else 5)
    scale = 0.1 if args.quick else 1.0
    print(f'findings-gate benchmarks: python {sys.version.split()[0]}, '
          f'{git(Path.cwd(), dict(os.environ), "--version").strip()}, {os.cpu_count()} cores, seed {args.seed}')
    with tempfile.TemporaryDirectory(prefix='findings-gate-bench-') as scratch:
        tmp = Path(args.keep or scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        home = tmp / 'home'
        (home / 'cache').mkdir(parents=True, exist_ok=True)
        env = environment(home)
        if 'startup' in cases:
            startup(tmp, env, repeat)
        if 'typical' in cases:
            typical(tmp, env, args.seed, repeat)
        if 'real' in cases:
            real(tmp, env, slow, 1 if args.quick else 3)
        largest = None
        if 'large' in cases:
            largest = large(tmp, env, args.seed, scale, slow, 1 if args.quick else 3)
        if 'scaling' in cases:
            scaling(tmp, env, args.seed, scale, slow, largest)
        if 'prose' in cases:
            prose_reading(repeat)
        if 'replay' in cases:
            replay(tmp, env, args.seed, slow)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
