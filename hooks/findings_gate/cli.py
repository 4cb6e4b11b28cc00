"""Command line: the parser, and the handler that maps every outcome to an exit code.

Each verb's work is a module of `commands/`, called with explicit arguments and
a writer for standard output; this module turns the parsed arguments into that
call, and a GateError into one prefixed line on stderr and exit 2.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from findings_gate import VERSION, gc_pause
from findings_gate.errors import INTERNAL, UNUSABLE, GateError
from findings_gate.read import FORMATS
from findings_gate.render import RENDERERS

if TYPE_CHECKING:
    from findings_gate.commands.check import GateOptions


def _use_color(choice: str, stream: TextIO) -> bool:
    env = os.environ.get('PRE_COMMIT_COLOR')
    if choice == 'auto' and env in ('always', 'never'):
        choice = env
    if choice != 'auto':
        return choice == 'always'
    return (stream.isatty() and 'NO_COLOR' not in os.environ
            and os.environ.get('TERM') != 'dumb')


def _out(output: str) -> None:
    """Write to standard output; a reader that went away (`| head`) does not change the verdict."""
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _warn(text: str) -> None:
    for line in text.splitlines():
        print(f'findings-gate: warning: {line}', file=sys.stderr)


def _progress(done: int, total: int) -> None:
    """A progress line on a terminal, rewritten in place; the last one ends the line."""
    print(f'\rfindings-gate replay: {done}/{total} changes', end='\n' if done == total else '',
          file=sys.stderr, flush=True)


def _gate_options(args: argparse.Namespace) -> GateOptions:
    from findings_gate.commands.check import GateOptions

    return GateOptions(
        base=args.base, head=args.head, from_ref=args.from_ref, to_ref=args.to_ref,
        pre_push=args.pre_push, diff_file=args.diff_file, reports=tuple(args.report),
        report_format=args.report_format, notes=not args.no_notes, notes_ref=args.notes_ref,
        policy=args.policy, context=args.context, trusted_config=args.trusted_config,
        source_roots=tuple(args.source_root), shadow_policy=getattr(args, 'shadow_policy', None),
        fail_on=args.fail_on, base_reports=tuple(args.base_report),
        placements=None if args.placements is None else _placements(args.placements),
    )


def _dispatch(args: argparse.Namespace) -> int:
    """Run the verb the arguments name (its module imported here: --help and --version need none)."""
    environ, stdin = os.environ, sys.stdin.buffer
    verb = args.verb if args.verb not in ('policy', 'baseline') else f'{args.verb} {args.sub}'
    if verb == 'check' and args.pre_push:
        from findings_gate.commands import pre_push

        return pre_push.run(_gate_options(args), args.remote, fmt=args.format, specs=args.output,
                            color=_use_color(args.color, sys.stdout), out=_out, warn=_warn, environ=environ,
                            stdin=stdin)
    if verb == 'check':
        from findings_gate.commands import check

        if args.remote:
            raise GateError(f'{args.remote[0]!r}: check takes no such argument; a remote and its URL go '
                            f'after --pre-push, as git runs its pre-push hook')
        return check.run(_gate_options(args), fmt=args.format, specs=args.output, in_ci=args.ci,
                         color=_use_color(args.color, sys.stdout), out=_out, environ=environ, stdin=stdin)
    if verb == 'explain':
        from findings_gate.commands import explain

        return explain.run(_gate_options(args), out=_out, environ=environ, stdin=stdin)
    if verb == 'validate':
        from findings_gate.commands import validate

        return validate.run(args.files, args.format, out=_out, stdin=stdin)
    if verb == 'import':
        from findings_gate.commands import import_report

        return import_report.run(args.file, args.format, out=_out, stdin=stdin)
    if verb == 'attach':
        from findings_gate.commands import attach

        return attach.run(args.file, args.format, commit=args.commit, base=args.base, key=args.sign,
                          notes_ref=args.notes_ref, out=_out, stdin=stdin)
    if verb == 'review':
        from findings_gate.commands import review

        return review.run(review.Options(
            args.command, commit=args.commit, base=args.base, fmt=args.format, name=args.name, kind=args.kind, prompt=args.prompt,
            timeout=args.timeout, max_bytes=args.max_bytes, output=args.output, attach=args.attach, key=args.sign,
            notes_ref=args.notes_ref), out=_out)
    if verb == 'schema':
        from findings_gate.commands import schema_print

        return schema_print.run(args.name, for_llm=args.for_llm, prompt=args.prompt, out=_out)
    if verb == 'policy check':
        from findings_gate.commands import policy_check

        return policy_check.run(args.files, out=_out)
    if verb == 'baseline write':
        from findings_gate.commands import baseline_write

        return baseline_write.run(_gate_options(args), args.file, out=_out, environ=environ, stdin=stdin)
    if verb == 'waivers':
        from findings_gate.commands import waivers

        return waivers.run(_gate_options(args), unused_only=args.unused, out=_out, environ=environ, stdin=stdin)
    if verb == 'replay':
        from findings_gate.commands import replay

        return replay.run(args.range, since=args.since, policy_file=args.policy, against=args.against,
                          reports=args.report, notes_ref=args.notes_ref, fmt=args.format, out=_out,
                          progress=_progress if sys.stderr.isatty() else None)
    if verb == 'init':
        from findings_gate.commands import init

        return init.run(force=args.force, out=_out)
    from findings_gate.commands import demo

    return demo.run(_out, color=_use_color('auto', sys.stdout))


def _placements(text: str) -> tuple[str, ...]:
    from findings_gate.decide.thresholds import placements  # the policy's modules: only for the flag

    return placements(text)


def _add_gate_options(p: argparse.ArgumentParser) -> None:
    """The options that say which change to gate, with which reports and policy."""
    source = p.add_argument_group('the change (default: staged, or the pre-commit refs)')
    source.add_argument('--base', metavar='REF|auto',
                        help='diff from the merge base of REF and --head; auto: the upstream of the current '
                             'branch, else origin/HEAD, else the default branch')
    source.add_argument('--head', metavar='REF', help='with --base (default HEAD)')
    source.add_argument('--from-ref', metavar='REF', help='pre-push style range start')
    source.add_argument('--to-ref', metavar='REF', help='pre-push style range end')
    source.add_argument('--pre-push', action='store_true',
                        help='the pushed range from PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF (pre-commit); '
                             'with REMOTE URL, every ref git names on standard input')
    source.add_argument('--diff-file', metavar='PATH|-', help='a saved unified diff')
    p.add_argument('--report', action='append', default=[], metavar='PATH|GLOB|-',
                   help='a report, a directory or glob of reports (repeatable)')
    p.add_argument('--report-format', choices=FORMATS, metavar='FORMAT',
                   help=f'read every report as this format ({", ".join(FORMATS)}); '
                        f'default: detected from each report')
    p.add_argument('--base-report', action='append', default=[], metavar='PATH|GLOB|-',
                   help="the same tool's report of the base commit: each finding new or unchanged by the "
                        "baseline's signature, the base's findings the change lost listed as fixed (repeatable)")
    p.add_argument('--no-notes', action='store_true', help='do not read reports from git notes')
    p.add_argument('--notes-ref', default='refs/notes/reviews', metavar='REF',
                   help='the notes ref whose notes on the change\'s commits are reports (default refs/notes/reviews)')
    p.add_argument('--policy', metavar='FILE', help='default: .findings-gate.yaml')
    p.add_argument('--source-root', action='append', default=[], metavar='DIR',
                   help="where the analysers saw the repository (/workspace), or the repository directory "
                        "they ran in (services/api); repeatable")
    p.add_argument('--context', type=int, metavar='N',
                   help="lines around a change that count as 'context' (policy default 3)")
    quick = p.add_argument_group('one-flag thresholds (a policy file must already say the same)')
    quick.add_argument('--fail-on', metavar='SEVERITY',
                       help="block findings at least this severe on the change's lines (the rule fail-on)")
    quick.add_argument('--placements', metavar='LIST',
                       help='the placements --fail-on counts, comma-separated (default added,context,symbol,deleted)')
    p.add_argument('--trusted-config', choices=('base', 'tree'),
                   help='read the policy, waivers and baseline from the base commit, or from the '
                        'work tree (default: base with --ci, else tree)')


_EXITS = {
    'gate': ('0 nothing blocks (warnings allowed)', '1 the policy blocks the change'),
    'files': ('0 every file is valid', '1 a file is invalid (each problem on its own line)'),
    'done': ('0 done',),
}
_COMMON = """common verbs:
  check            gate the staged change (in CI: check --ci, or check --base origin/main)
  explain          the rule that decided each finding, and why the rules before it did not
  validate FILE    check report files against the report schema
  attach FILE      keep a report as a git note on the commit it reviewed
  review           run a reviewer (an LLM CLI, a script) on the change and keep its report
  schema NAME      print a packaged schema (schema report --for-llm: its form for models)
  policy check     check the policy, the waivers and the baseline
  replay RANGE     gate every change of a history again: what a policy would have done
  init             write the default policy, and print the pre-commit hooks to add
  demo             gate a sample change in a throwaway repository
run findings-gate VERB --help for a verb's options, examples and exit codes"""


def _verb(verbs: Any, name: str, summary: str, examples: Sequence[str], exits: str,
          more: Sequence[str] = ()) -> argparse.ArgumentParser:
    """A verb's parser whose --help has a description, examples and the exit codes."""
    codes = [*_EXITS[exits], *more, '2 it could not run as asked (one line says why)', '3 a bug (with a traceback)']
    epilog = 'examples:\n' + ''.join(f'  {e}\n' for e in examples) + 'exit codes:\n' + ''.join(f'  {c}\n' for c in codes)
    return verbs.add_parser(name, help=summary, description=summary[:1].upper() + summary[1:] + '.', epilog=epilog,
                            formatter_class=argparse.RawDescriptionHelpFormatter)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog='findings-gate',
        description='Gate a change on the findings of the review reports attached to it.',
        epilog=_COMMON, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument('--version', action='version', version=f'%(prog)s {VERSION}')
    verbs = p.add_subparsers(dest='verb', required=True, metavar='VERB')

    check = _verb(verbs, 'check', 'gate a change (the staged one by default)', (
        'findings-gate check', 'findings-gate check --base origin/main --report bandit.sarif',
        'findings-gate check --ci', 'findings-gate check --format json --output sarif=findings.sarif'), 'gate')
    _add_gate_options(check)
    check.add_argument('--format', choices=RENDERERS, help='what to write to stdout (default text)')
    check.add_argument('--ci', action='store_true',
                       help='find the change and the default outputs from the CI (GitHub Actions, '
                            'GitLab CI, Zuul)')
    check.add_argument('--output', action='append', default=[], metavar='FORMAT=PATH',
                       help='also write FORMAT to PATH (repeatable)')
    check.add_argument('--shadow-policy', metavar='FILE',
                       help="a candidate policy: every finding is decided by it too, and the outputs show "
                            "where it would decide otherwise; the exit code follows the policy (policy key shadow)")
    check.add_argument('--color', choices=('auto', 'always', 'never'), default='auto',
                       help='colour the text output: auto (a terminal, unless NO_COLOR or TERM=dumb; '
                            'PRE_COMMIT_COLOR when pre-commit sets it), always, never')
    check.add_argument('remote', nargs='*', metavar='REMOTE URL',
                       help="with --pre-push, as git's own pre-push hook: the remote and its URL "
                            '(the pushed refs on standard input); every pushed ref is gated')

    explain = _verb(verbs, 'explain', 'show for each finding the rule that decided it, and why earlier rules did not '
                    'match', ('findings-gate explain', 'findings-gate explain --base origin/main'), 'gate')
    _add_gate_options(explain)

    validate = _verb(verbs, 'validate', 'validate report files as the gate reads them', (
        'findings-gate validate .reviews/security.json', 'findings-gate validate --format sarif bandit.sarif'), 'files')
    validate.add_argument('files', nargs='+', metavar='FILE')
    validate.add_argument('--format', choices=FORMATS, help='default: detected')

    imp = _verb(verbs, 'import', 'print a report (prose, SARIF, ...) as the native report it reads as', (
        'findings-gate import review.md', 'gh api repos/O/R/pulls/7/comments | findings-gate import -'), 'files')
    imp.add_argument('file', metavar='FILE|-')
    imp.add_argument('--format', choices=FORMATS, help='default: detected')

    attach = _verb(verbs, 'attach', 'store a report as a git note on the commit it reviewed', (
        'findings-gate attach review.json', 'findings-gate attach --base origin/main --sign ~/.ssh/bot review.json',
        'git push origin refs/notes/reviews'), 'done')
    attach.add_argument('file', metavar='FILE')
    attach.add_argument('--commit', default='HEAD', metavar='REV', help='the commit reviewed (default HEAD)')
    attach.add_argument('--base', metavar='REF',
                        help="the review covered the change from REF's merge base (default: the commit's own diff)")
    attach.add_argument('--sign', metavar='KEY',
                        help='sign the report with this SSH key (ssh-keygen -Y sign; a public key: through ssh-agent)')
    attach.add_argument('--notes-ref', default='refs/notes/reviews', metavar='REF',
                        help='the notes ref that holds reports (default refs/notes/reviews)')
    attach.add_argument('--format', choices=FORMATS, help='default: detected')

    rev = _verb(verbs, 'review', "run a reviewer on a commit's change (or all since --base) and keep its report", (
        'findings-gate review --command "llm -m gpt-4o-mini" --base origin/main --attach',
        'findings-gate review --command "ollama run llama3.1" --name llama --output review.json',
        'findings-gate review --command "./scripts/review.sh" --kind tool --format native'), 'done')
    rev.add_argument('--command', required=True, metavar='CMD',
                     help='the reviewer: a program and its arguments, split as a shell splits words (no shell '
                          'runs); it reads the request on stdin and writes its review on stdout')
    rev.add_argument('--commit', default='HEAD', metavar='REV', help='the commit to review (default HEAD)')
    rev.add_argument('--base', metavar='REF',
                     help="review everything since REF's merge base (default: the commit's own diff)")
    rev.add_argument('--format', choices=('auto', *FORMATS), default='auto', metavar='FORMAT',
                     help='read the answer as this format (native, text, sarif, ...; default auto: a native '
                          'report when it is one, else detected, prose most often)')
    rev.add_argument('--name', metavar='NAME', help="the reviewer's name (default: the report's, else the program's)")
    rev.add_argument('--kind', choices=('llm', 'human', 'tool'),
                     help="the reviewer's kind (default: the report's, else llm)")
    rev.add_argument('--prompt', metavar='FILE',
                     help='the prompt to send instead of the built-in one (findings-gate schema report --prompt); '
                          '{report_schema} in it is replaced by the schema')
    rev.add_argument('--timeout', type=float, default=600.0, metavar='S',
                     help='seconds a call of the reviewer may take (default 600)')
    rev.add_argument('--max-bytes', type=int, default=200_000, metavar='N',
                     help='the largest request; a larger change goes to the reviewer file by file in several '
                          'calls, and the reports are merged (default 200000)')
    rev.add_argument('--output', metavar='PATH', help='write the report to PATH (default: print it)')
    rev.add_argument('--attach', action='store_true', help='keep the report as a git note on the commit reviewed')
    rev.add_argument('--sign', metavar='KEY', help='with --attach: sign the report with this SSH key')
    rev.add_argument('--notes-ref', default='refs/notes/reviews', metavar='REF',
                     help='the notes ref that holds reports (default refs/notes/reviews)')

    sch = _verb(verbs, 'schema', 'print a packaged JSON Schema; for the report, also its form for a model', (
        'findings-gate schema report', 'findings-gate schema report --for-llm',
        'findings-gate schema report --prompt', 'findings-gate schema policy'), 'done')
    sch.add_argument('name', choices=('report', 'policy', 'waivers', 'baseline', 'decision'), metavar='NAME',
                     help='report, policy, waivers, baseline or decision')
    sch.add_argument('--for-llm', action='store_true',
                     help="the report schema in the subset models' structured-output modes take")
    sch.add_argument('--prompt', action='store_true',
                     help='the prompt review sends, which asks for a report in that schema')

    pol = verbs.add_parser('policy', help='work with the policy file', description='Work with the policy file.')
    pol_verbs = pol.add_subparsers(dest='sub', required=True, metavar='VERB')
    pol_check = _verb(pol_verbs, 'check', "validate policy files, waivers files and baselines (default: the "
                      "repository's)", ('findings-gate policy check', 'findings-gate policy check ops/strict.yaml'),
                      'files')
    pol_check.add_argument('files', nargs='*', metavar='FILE')

    base = verbs.add_parser('baseline', help='record the findings a repository already has',
                            description='Record the findings a repository already has.')
    base_verbs = base.add_subparsers(dest='sub', required=True, metavar='VERB')
    base_write = _verb(base_verbs, 'write', "record this run's findings by line-free signature", (
        'findings-gate baseline write --base origin/main --report bandit.sarif',), 'done')
    _add_gate_options(base_write)
    base_write.add_argument('--file', metavar='PATH', help="default: the file the policy's baseline key names")

    waivers = _verb(verbs, 'waivers', 'list the waivers and what each waives in this run', (
        'findings-gate waivers', 'findings-gate waivers --unused --base origin/main'), 'done',
        ('1 with --unused: a waiver waives nothing',))
    _add_gate_options(waivers)
    waivers.add_argument('--unused', action='store_true',
                         help='only those that matched no finding; exit 1 when there are any')

    replay = _verb(verbs, 'replay', 'gate every change of a history again, with the reports it had then', (
        'findings-gate replay main~200..main', 'findings-gate replay --since 90.days',
        'findings-gate replay --against candidate.yaml --format json main~50..main'), 'done')
    replay.add_argument('range', nargs='*', metavar='RANGE',
                        help='the commits to replay, as git log takes them (main~200..main); default HEAD '
                             'with --since; each first-parent commit is one change')
    replay.add_argument('--since', metavar='DATE', help="only changes committed since DATE (90.days, 2026-01-01)")
    replay.add_argument('--policy', metavar='FILE', help='decide with this policy (default: the one at each commit)')
    replay.add_argument('--against', metavar='FILE',
                        help='also decide with this policy, and list the changes whose verdict differs')
    replay.add_argument('--report', action='append', default=[], metavar='COMMIT=PATH',
                        help='a report of the change COMMIT makes (repeatable), beside its notes')
    replay.add_argument('--notes-ref', default='refs/notes/reviews', metavar='REF',
                        help='the notes ref that holds reports (default refs/notes/reviews)')
    replay.add_argument('--format', choices=('text', 'json', 'markdown'), default='text',
                        help='what to write to stdout (default text)')

    init = _verb(verbs, 'init', 'write the default policy, commented, and print the pre-commit hooks', (
        'findings-gate init',), 'done')
    init.add_argument('--force', action='store_true', help='overwrite an existing policy')

    _verb(verbs, 'demo', 'gate a sample change in a throwaway repository', ('findings-gate demo',), 'done')
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # paths that are not UTF-8, or a terminal that is not: never a crash
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, 'reconfigure'):
            stream.reconfigure(errors='backslashreplace')
    given = sys.argv[1:] if argv is None else list(argv)
    if not given:  # a short usage with the common verbs, not argparse's 'VERB is required'
        print(f'usage: findings-gate VERB [options]\n\n{_COMMON}', file=sys.stderr)
        return UNUSABLE
    args = parser().parse_args(given)
    # one run is short and makes few cycles: the collector's passes over the records of
    # 100,000 findings took 0.5 s of a 6 s run (bench/run.py); reference counting frees the rest
    with gc_pause.building():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print('findings-gate: interrupted', file=sys.stderr)
        return 130
    except GateError as e:
        from findings_gate.render.inert import inert

        for line in str(e).splitlines():  # names and texts from files: nothing a terminal acts on
            print(f'findings-gate: error: {inert(line)}', file=sys.stderr)
        return UNUSABLE
    except Exception:  # a bug: never let it pass as 0 or 1
        import traceback

        traceback.print_exc()
        print(f'findings-gate: internal error (exit {INTERNAL}); please report it with the '
              f'traceback above', file=sys.stderr)
        return INTERNAL


if __name__ == '__main__':
    raise SystemExit(main())
