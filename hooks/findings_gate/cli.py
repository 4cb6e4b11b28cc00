"""Command line: the only place that prints, and that maps errors to exit codes."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from findings_gate.errors import BLOCKED, INTERNAL, PASS, UNUSABLE, GateError

if TYPE_CHECKING:
    from findings_gate.model import Decision
    from findings_gate.decide.policy import Policy

VERSION = '0.1.0'
RENDERERS = ('text', 'json', 'sarif', 'github', 'markdown', 'zuul', 'gerrit', 'gitlab', 'junit', 'rdjson')
FORMAT_NAMES = ('native', 'text', 'sarif', 'rdjson', 'rdjsonl', 'codeclimate')  # read.FORMATS


def _use_color(choice: str, stream: TextIO) -> bool:
    env = os.environ.get('PRE_COMMIT_COLOR')
    if choice == 'auto' and env in ('always', 'never'):
        choice = env
    if choice != 'auto':
        return choice == 'always'
    return (stream.isatty() and 'NO_COLOR' not in os.environ
            and os.environ.get('TERM') != 'dumb')


def _decide(args: argparse.Namespace) -> tuple[Decision, Policy, list[tuple[str, str | None]]]:
    """Gate the change the arguments name: the decision, the policy that made it, the outputs asked for."""
    from findings_gate import gate

    sources = [name for name, given in (
        ('--base', args.base), ('--from-ref/--to-ref', args.from_ref or args.to_ref),
        ('--pre-push', args.pre_push), ('--diff-file', args.diff_file is not None),
    ) if given]
    if len(sources) > 1:
        raise GateError(f'{" and ".join(sources)} name different changes; pass one of them')
    if args.diff_file == '-' and '-' in args.report:
        raise GateError('--diff-file - and --report - both want standard input; save one to a file')
    if args.head and not args.base:
        raise GateError('--head needs --base; or use --from-ref/--to-ref')
    if bool(args.from_ref) != bool(args.to_ref):
        raise GateError('--from-ref and --to-ref go together; pass both')
    if args.context is not None and args.context < 0:
        raise GateError(f'--context {args.context}: give a number of lines, 0 or more')
    environ = dict(os.environ)
    target = gate.Target(args.diff_file, args.base, args.head, args.from_ref, args.to_ref, args.pre_push)
    if args.ci:
        from findings_gate import ci

        found = ci.detect(environ)
        if not sources:
            target = gate.Target(base=found.base, head=found.head, pre_push=found.base is None)
            environ['PRE_COMMIT_LOCAL_BRANCH'] = found.head  # a new history: all of it
        args.format = args.format or found.stdout
        args.output = args.output or [f'{fmt}={path}' for fmt, path in found.outputs]
    args.format = args.format or 'text'
    outputs = _outputs(args)
    decision, rules = gate.gate(
        target,
        reports=args.report, policy_file=args.policy, context=args.context,
        notes=not args.no_notes, notes_ref=args.notes_ref, report_format=args.report_format,
        environ=environ, stdin=sys.stdin.buffer,
        trusted_config=args.trusted_config or ('base' if args.ci else 'tree'),
    )
    return decision, rules, outputs


def _check(args: argparse.Namespace) -> int:
    from findings_gate import render
    from findings_gate.render import terminal

    decision, _, outputs = _decide(args)

    for fmt, path in outputs:
        if fmt == 'text' and path is None:
            output = terminal.render(decision, color=_use_color(args.color, sys.stdout))
        else:
            output = render.render(fmt, decision)
        if path is None:
            _emit(output)
        else:
            _write(path, output)
    summary = os.environ.get('GITHUB_STEP_SUMMARY')
    if summary and any(fmt == 'github' for fmt, _ in outputs):
        _write(summary, render.render('markdown', decision), append=True)
    return BLOCKED if decision.verdict == 'block' else PASS


def _outputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(format, path) for stdout's format and each --output F=PATH."""
    outputs: list[tuple[str, str | None]] = [(args.format, None)]
    for spec in args.output:
        fmt, sep, path = spec.partition('=')
        if not sep or not path or fmt not in RENDERERS:
            raise GateError(f'--output {spec!r}: write it as FORMAT=PATH, FORMAT one of {", ".join(RENDERERS)}')
        outputs.append((fmt, path))
    return outputs


def _write(path: str, output: str, *, append: bool = False) -> None:
    try:
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
        with open(path, 'a' if append else 'w', encoding='utf-8', errors='backslashreplace') as f:
            f.write(output)
    except OSError as e:
        raise GateError(f'{path}: cannot write the output: {e.strerror}') from None


def _emit(output: str) -> None:
    """Write the output; a reader that went away (`| head`) does not change the verdict."""
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _explain(args: argparse.Namespace) -> int:
    from findings_gate.decide import policy
    from findings_gate.render.inert import inert
    from findings_gate.render.labels import LABELS
    from findings_gate.render.terminal import line

    decision, rules, _ = _decide(args)
    for decided in decision.findings:
        print(line(decided, color=False))
        for name, action, why in policy.explain(decided, rules):
            if why:
                print(f'  - {inert(name)} ({action}): {inert(why)}')
            else:
                print(f'  = {inert(name)} ({action}): {"no rule matched" if name == "default" else "decides"}')
    for condition in decision.conditions:
        print(f'{inert(condition.origin or "change")}: {LABELS[condition.action]} {condition.kind}: '
              f'{inert(condition.message)} (the policy key {condition.kind})')
    return BLOCKED if decision.verdict == 'block' else PASS


def _validate(args: argparse.Namespace) -> int:
    from findings_gate.read import sources
    from findings_gate.model import InvalidReport

    invalid = 0
    for source in sources.from_arguments(args.files, sys.stdin.buffer):
        report = sources.read(source, args.format)
        if isinstance(report, InvalidReport):
            invalid += 1
            for problem in report.problems:
                print(problem)
        else:
            print(f'{source.origin}: valid, {len(report.findings)} finding(s)')
    return BLOCKED if invalid else PASS


def _import(args: argparse.Namespace) -> int:
    import json

    from findings_gate.read import sources
    from findings_gate import read
    from findings_gate.model import InvalidReport

    [source] = sources.from_arguments([args.file], sys.stdin.buffer)
    report = sources.read(source, args.format)
    if isinstance(report, InvalidReport):
        for problem in report.problems:
            print(problem)
        return BLOCKED
    document = read.parse(source.data, source.origin, args.format)
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return PASS


def _attach(args: argparse.Namespace) -> int:
    from findings_gate.read import sources
    from findings_gate import git
    from findings_gate import read
    from findings_gate.read import native
    from findings_gate.model import InvalidReport

    [source] = sources.from_arguments([args.file], sys.stdin.buffer)
    report = sources.read(source, args.format)
    if isinstance(report, InvalidReport):
        raise GateError('\n'.join([*report.problems, f'{source.origin}: not attached; fix it first']))
    line = sources.dump(read.parse(source.data, source.origin, args.format))
    repo = git.open_repo()
    commit = git.resolve(repo, args.commit)
    kept = [s.data.decode() for s in sources.from_notes([(commit, git.note(repo, commit, args.notes_ref))])]
    lines = [sources.dump(native.parse(k.encode(), 'note')) for k in kept if k.strip()]
    if line not in lines:
        lines.append(line)
    git.set_note(repo, commit, '\n'.join(lines) + '\n', args.notes_ref)
    print(f'{source.origin}: attached to {commit[:12]} in {args.notes_ref} '
          f'({len(lines)} report{"s" * (len(lines) != 1)} there); '
          f'share it with: git push origin {args.notes_ref}')
    return PASS


def _policy_check(args: argparse.Namespace) -> int:
    from findings_gate.decide import baseline
    from findings_gate.decide import policy
    from findings_gate.decide import waivers

    files = args.files
    if not files:
        from findings_gate import git

        root = git.root(git.open_repo())
        from findings_gate.read.sources import display

        files = [display(root / n) for n in policy.FILENAMES if (root / n).is_file()]
        try:
            rules = policy.load(files[0] if files else None, None)
        except GateError:  # shown below; its waivers and baseline are where the default says
            rules = policy.load(None, None)
        files += [display(root / p) for p in (rules.waivers, rules.baseline) if (root / p).is_file()]
        if not files:
            print('no policy file (.findings-gate.yaml): the default policy applies')
            return PASS
    bad = 0
    for name in files:
        # a waivers or baseline file is told by its name; anything else is a policy
        kind = ('waivers' if Path(name).stem == 'waivers' else
                'baseline' if Path(name).name == 'baseline.json' else 'policy')
        try:
            if kind == 'waivers':
                count = len(waivers.parse(policy.read(name, 'the waivers'), name))
                print(f'{name}: valid waivers ({count})')
            elif kind == 'baseline':
                count = len(baseline.parse(policy.read(name, 'the baseline'), name))
                print(f'{name}: valid baseline ({count} signature{"s" * (count != 1)})')
            else:
                loaded = policy.load(name, None)
                print(f'{name}: valid policy')
                for warning in policy.warnings(loaded):
                    print(f'warning: {warning}')
        except GateError as e:
            bad += 1
            print(e)
    return BLOCKED if bad else PASS


def _baseline_write(args: argparse.Namespace) -> int:
    from findings_gate.decide import baseline
    from findings_gate.read import sources
    from findings_gate import git

    decision, rules, _ = _decide(args)
    path = args.file or str(git.root(git.open_repo()) / rules.baseline)
    _write(path, baseline.dump(decision.findings))
    kinds = len({d.placed.signature for d in decision.findings})
    print(f'{sources.display(path)}: {len(decision.findings)} finding(s) with {kinds} signature(s) recorded; '
          f'commit it so that `check` tells new findings from these')
    return PASS


def _waivers(args: argparse.Namespace) -> int:
    from findings_gate.render.inert import inert

    decision, _, _ = _decide(args)
    states = {c.origin: c.kind for c in decision.conditions if 'waiver' in c.kind}
    unused = 0
    for waiver in decision.waivers:
        state = states.get(waiver.origin)
        unused += state == 'unused_waiver'
        if args.unused and state != 'unused_waiver':
            continue
        count = sum(d.waiver == waiver for d in decision.findings)
        shown = {'unused_waiver': 'unused', 'expired_waiver': 'expired',
                 'waiver_over_limit': 'over the lifetime limit', None: f'waives {count} finding(s)'}[state]
        print(f'{inert(waiver.origin)}: {shown}; owner {inert(waiver.owner)}, until {inert(waiver.expires)}: '
              f'{inert(waiver.reason)}')
    if not decision.waivers:
        print('no waivers')
    return BLOCKED if args.unused and unused else PASS


def _init(args: argparse.Namespace) -> int:
    from findings_gate import git
    from findings_gate.commands import init

    root = git.root(git.open_repo())
    written = init.write(root, force=args.force)
    for path in written:
        print(f'wrote {path}')
    print(f'\nAdd the hooks to .pre-commit-config.yaml:\n\n{init.PRE_COMMIT}')
    return PASS


def _demo(args: argparse.Namespace) -> int:
    from findings_gate.commands import demo

    return demo.run(sys.stdout.write)


def _gate_options(p: argparse.ArgumentParser) -> None:
    """The options that say which change to gate, with which reports and policy."""
    source = p.add_argument_group('the change (default: staged, or the pre-commit refs)')
    source.add_argument('--base', metavar='REF', help='diff from the merge base of REF and --head')
    source.add_argument('--head', metavar='REF', help='with --base (default HEAD)')
    source.add_argument('--from-ref', metavar='REF', help='pre-push style range start')
    source.add_argument('--to-ref', metavar='REF', help='pre-push style range end')
    source.add_argument('--pre-push', action='store_true',
                        help='the pushed range from PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF')
    source.add_argument('--diff-file', metavar='PATH|-', help='a saved unified diff')
    p.add_argument('--report', action='append', default=[], metavar='PATH|GLOB|-',
                   help='a report, a directory or glob of reports (repeatable)')
    p.add_argument('--report-format', choices=FORMAT_NAMES, metavar='FORMAT',
                   help=f'read every report as this format ({", ".join(FORMAT_NAMES)}); '
                        f'default: detected from each report')
    p.add_argument('--no-notes', action='store_true', help='do not read reports from git notes')
    p.add_argument('--notes-ref', default='refs/notes/reviews', metavar='REF')
    p.add_argument('--policy', metavar='FILE', help='default: .findings-gate.yaml')
    p.add_argument('--context', type=int, metavar='N',
                   help="lines around a change that count as 'context' (policy default 3)")
    p.add_argument('--trusted-config', choices=('base', 'tree'),
                   help='read the policy, waivers and baseline from the base commit, or from the '
                        'work tree (default: base with --ci, else tree)')


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog='findings-gate',
        description='Gate a change on the findings of the review reports attached to it.',
    )
    p.add_argument('--version', action='version', version=f'%(prog)s {VERSION}')
    verbs = p.add_subparsers(dest='verb', required=True, metavar='VERB')

    check = verbs.add_parser('check', help='gate a change (the staged one by default)')
    _gate_options(check)
    check.add_argument('--format', choices=RENDERERS, help='what to write to stdout (default text)')
    check.add_argument('--ci', action='store_true',
                       help='find the change and the default outputs from the CI (GitHub Actions, '
                            'GitLab CI, Zuul)')
    check.add_argument('--output', action='append', default=[], metavar='FORMAT=PATH',
                       help='also write FORMAT to PATH (repeatable)')
    check.add_argument('--color', choices=('auto', 'always', 'never'), default='auto')
    check.set_defaults(run=_check)

    explain = verbs.add_parser(
        'explain', help='show for each finding the rule that decided it, and why earlier rules did not match')
    _gate_options(explain)
    explain.set_defaults(run=_explain, ci=False, format='text', output=[], color='never')

    validate = verbs.add_parser('validate', help='validate report files')
    validate.add_argument('files', nargs='+', metavar='FILE')
    validate.add_argument('--format', choices=FORMAT_NAMES, help='default: detected')
    validate.set_defaults(run=_validate)

    imp = verbs.add_parser('import', help='print a report (prose, ...) as the native report it reads as')
    imp.add_argument('file', metavar='FILE|-')
    imp.add_argument('--format', choices=FORMAT_NAMES, help='default: detected')
    imp.set_defaults(run=_import)

    attach = verbs.add_parser('attach', help='store a report as a git note on a commit')
    attach.add_argument('file', metavar='FILE')
    attach.add_argument('--commit', default='HEAD', metavar='REV')
    attach.add_argument('--notes-ref', default='refs/notes/reviews', metavar='REF')
    attach.add_argument('--format', choices=FORMAT_NAMES, help='default: detected')
    attach.set_defaults(run=_attach)

    pol = verbs.add_parser('policy', help='work with the policy file')
    pol_verbs = pol.add_subparsers(dest='policy_verb', required=True, metavar='VERB')
    pol_check = pol_verbs.add_parser(
        'check', help="validate policy files, waivers files and baselines (default: the repository's)")
    pol_check.add_argument('files', nargs='*', metavar='FILE')
    pol_check.set_defaults(run=_policy_check)

    base = verbs.add_parser('baseline', help='record the findings a repository already has')
    base_verbs = base.add_subparsers(dest='baseline_verb', required=True, metavar='VERB')
    base_write = base_verbs.add_parser('write', help="record this run's findings by line-free signature")
    _gate_options(base_write)
    base_write.add_argument('--file', metavar='PATH', help="default: the policy's `baseline`")
    base_write.set_defaults(run=_baseline_write, ci=False, format='text', output=[])

    waivers = verbs.add_parser('waivers', help='list the waivers and what each waives in this run')
    _gate_options(waivers)
    waivers.add_argument('--unused', action='store_true',
                         help='only those that matched no finding; exit 1 when there are any')
    waivers.set_defaults(run=_waivers, ci=False, format='text', output=[])

    init = verbs.add_parser('init', help='write a commented starter policy and print the pre-commit hooks')
    init.add_argument('--force', action='store_true', help='overwrite an existing policy')
    init.set_defaults(run=_init)

    demo = verbs.add_parser('demo', help='gate a sample change in a throwaway repository')
    demo.set_defaults(run=_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # paths that are not UTF-8, or a terminal that is not: never a crash
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, 'reconfigure'):
            stream.reconfigure(errors='backslashreplace')
    args = parser().parse_args(argv)
    from findings_gate import gc_pause

    # one run is short and makes few cycles: the collector's passes over the records of
    # 100,000 findings took 0.5 s of a 6 s run (bench/run.py); reference counting frees the rest
    with gc_pause.building():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print('findings-gate: interrupted', file=sys.stderr)
        return 130
    except GateError as e:
        for line in str(e).splitlines():
            print(f'findings-gate: error: {line}', file=sys.stderr)
        return UNUSABLE
    except Exception:  # a bug: never let it pass as 0 or 1
        import traceback

        traceback.print_exc()
        print(f'findings-gate: internal error (exit {INTERNAL}); please report it with the '
              f'traceback above', file=sys.stderr)
        return INTERNAL


if __name__ == '__main__':
    raise SystemExit(main())
