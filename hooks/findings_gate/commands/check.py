"""`findings-gate check`: gate a change and write the decision in the formats asked for.

`decide` is the part every gating verb shares (check, explain, baseline write,
waivers): the options that name the change, the reports and the policy, and
under `--ci` what the CI says the change is.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import BinaryIO, NamedTuple

from findings_gate import ci, gate, git, render
from findings_gate.decide.policy import Policy
from findings_gate.errors import BLOCKED, PASS, GateError
from findings_gate.model import Decision
from findings_gate.render import terminal

Write = Callable[[str], object]  # where a command's standard output goes


class GateOptions(NamedTuple):
    """Which change to gate, with which reports and which policy."""
    base: str | None = None
    head: str | None = None
    from_ref: str | None = None
    to_ref: str | None = None
    pre_push: bool = False
    diff_file: str | None = None
    reports: tuple[str, ...] = ()
    report_format: str | None = None
    notes: bool = True
    notes_ref: str = git.NOTES_REF
    policy: str | None = None
    context: int | None = None
    trusted_config: str | None = None  # base or tree; None: base under --ci, else tree
    source_roots: tuple[str, ...] = ()  # where analysers saw the repository, or the directory they ran in
    shadow_policy: str | None = None  # a candidate policy decided beside the policy
    fail_on: str | None = None  # --fail-on: the least severity that blocks on the change's lines
    placements: tuple[str, ...] | None = None  # --placements: the placements --fail-on counts
    base_reports: tuple[str, ...] = ()  # --base-report: the same tools' reports of the base commit


class Gated(NamedTuple):
    decision: Decision
    policy: Policy  # the policy that decided
    job: ci.Job | None  # what the CI said, under --ci


def decide(options: GateOptions, *, environ: Mapping[str, str], stdin: BinaryIO | None,
           in_ci: bool = False, signed: Callable[[ci.Job | None], bool] = lambda job: True) -> Gated:
    """Gate the change the options name (under `in_ci`, the one the CI names when they name none);
    `signed`: whether the outputs (chosen by the CI's job, if any) show the findings' signatures."""
    o = options
    named = [name for name, given in (
        ('--base', o.base), ('--from-ref/--to-ref', o.from_ref or o.to_ref),
        ('--pre-push', o.pre_push), ('--diff-file', o.diff_file is not None),
    ) if given]
    if len(named) > 1:
        raise GateError(f'{" and ".join(named)} name different changes; pass one of them')
    if o.diff_file == '-' and '-' in o.reports:
        raise GateError('--diff-file - and --report - both want standard input; save one to a file')
    if '-' in o.base_reports and ('-' in o.reports or o.diff_file == '-'):
        raise GateError('--base-report - and another input both want standard input; save one to a file')
    if o.head and not o.base:
        raise GateError('--head needs --base; or use --from-ref/--to-ref')
    if bool(o.from_ref) != bool(o.to_ref):
        raise GateError('--from-ref and --to-ref go together; pass both')
    if o.context is not None and o.context < 0:
        raise GateError(f'--context {o.context}: give a number of lines, 0 or more')
    for root in o.source_roots:
        if not root or '..' in root.replace('\\', '/').split('/'):
            raise GateError(f'--source-root {root!r}: give the directory the analysers saw as the repository '
                            f'root (/workspace), or the repository directory they ran in (services/api)')
    env = dict(environ)
    target = gate.Target(o.diff_file, o.base, o.head, o.from_ref, o.to_ref, o.pre_push)
    job = ci.detect(env) if in_ci else None
    if job is not None and not named:
        base, head = ci.commits(env)
        target = gate.Target(base=base, head=head, pre_push=base is None)
        env['PRE_COMMIT_LOCAL_BRANCH'] = head  # a new history: all of it
    decision, policy = gate.gate(
        target,
        reports=o.reports, policy_file=o.policy, context=o.context,
        notes=o.notes, notes_ref=o.notes_ref, report_format=o.report_format,
        environ=env, stdin=stdin,
        trusted_config=o.trusted_config or ('base' if in_ci else 'tree'), source_roots=o.source_roots,
        signatures=signed(job), shadow_file=o.shadow_policy, fail_on=o.fail_on, placements=o.placements,
        base_reports=o.base_reports,
    )
    return Gated(decision, policy, job)


def outputs(fmt: str | None, specs: Sequence[str], job: ci.Job | None) -> list[tuple[str, str | None]]:
    """(format, path) for standard output's format and each FORMAT=PATH; the CI's when none is given."""
    found: list[tuple[str, str | None]] = [(fmt or (job.stdout if job else 'text'), None)]
    for spec in specs:
        name, sep, path = spec.partition('=')
        if not sep or not path or name not in render.RENDERERS:
            raise GateError(f'--output {spec!r}: write it as FORMAT=PATH, FORMAT one of {", ".join(render.RENDERERS)}')
        found.append((name, path))
    if not specs and job is not None:
        found += job.outputs
    return found


def run(options: GateOptions, *, fmt: str | None, specs: Sequence[str], in_ci: bool, color: bool,
        out: Write, environ: Mapping[str, str], stdin: BinaryIO | None) -> int:
    outputs(fmt, specs, None)  # a mistyped --output is said before the gate runs
    gated = decide(options, environ=environ, stdin=stdin, in_ci=in_ci,
                   signed=lambda job: any(name in render.SIGNED for name, _ in outputs(fmt, specs, job)))
    written = outputs(fmt, specs, gated.job)
    for name, path in written:
        if name == 'text' and path is None:
            output: Iterable[str] = [terminal.render(gated.decision, color=color)]
        else:
            output = render.chunks(name, gated.decision)
        if path is None:
            for chunk in output:
                out(chunk)
        else:
            write_file(path, output)
    summary = environ.get('GITHUB_STEP_SUMMARY')
    if summary and any(name == 'github' for name, _ in written):
        write_file(summary, render.render('markdown', gated.decision), append=True)
    return BLOCKED if gated.decision.verdict == 'block' else PASS


def write_file(path: str, output: str | Iterable[str], *, append: bool = False) -> None:
    try:
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
        with open(path, 'a' if append else 'w', encoding='utf-8', errors='backslashreplace') as f:
            f.writelines([output] if isinstance(output, str) else output)
    except OSError as e:
        raise GateError(f'{path}: cannot write the output: {e.strerror}') from None
