"""The repository's policy: load and check it, then decide every finding and report."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from findings_gate import documents, schema
from findings_gate.decide import rules
from findings_gate.decide.codeowners import Owners
from findings_gate.decide.requirements import Requirement, compile_requirement, unmet
from findings_gate.errors import GateError, display
from findings_gate.model import (
    Absent,
    Change,
    Condition,
    Decided,
    Decision,
    InvalidReport,
    Placed,
    Report,
    Shadow,
    Waiver,
)

FILENAMES = ('.findings-gate.yaml', '.findings-gate.yml')
T = TypeVar('T')


# applies when the repository has no policy file; `findings-gate init` writes it as the
# repository's, comments and all
DEFAULT = (Path(__file__).parent / 'default_policy.yaml').read_text(encoding='utf-8')


class Policy(NamedTuple):
    origin: str
    rules: tuple[rules.Rule, ...]
    default: str
    invalid_report: str
    incomplete_report: str
    tool_failed: str
    contradictory_verdict: str
    no_reports: str
    suppressed: str  # the action for findings a tool reports as suppressed
    reports: tuple[str, ...]
    context_lines: int
    path_map: tuple[tuple[str, str], ...]  # (a directory as reports name it, the repository directory it is)
    stale: str  # the action for findings whose lines changed after the review
    requirements: tuple[Requirement, ...]
    in_tree_reports: str  # trusted, or advisory: they satisfy no requirement
    signers: str | None  # the allowed-signers file, repository-relative; None: no signature is checked
    config_changed: str
    waivers: str  # the waivers file, repository-relative
    waiver_max_days: Mapping[str, int]
    expired_waiver: str
    waiver_over_limit: str
    unused_waiver: str
    baseline: str  # the baseline file, repository-relative
    baseline_max_days: Mapping[str, int]  # how long a finding may stay baselined, by severity
    shadow: str | None = None  # a candidate policy decided beside this one, repository-relative
    inline_suppressions: str | tuple[str, ...] = 'report'  # honour, report, ignore, or the patterns honoured


def problems(document: object, origin: str) -> list[str]:
    """Every problem of a policy document, one line each."""
    found = [f'{origin}::{where}: {what}' for where, what in schema.problems('policy', document)]
    if found:
        return found
    assert isinstance(document, dict)
    for given, directory in document.get('path_map', {}).items():
        parts = directory.replace('\\', '/').split('/')
        if directory.startswith(('/', '\\')) or directory[1:2] == ':' or '..' in parts:
            found.append(f'{origin}::$.path_map[{given!r}]: {directory!r} is not a directory of the repository; '
                         f'write it from the repository root, . for the root')
    for key, what in (('rules', 'rule'), ('require', 'requirement')):
        seen: dict[str, int] = {}
        for i, entry in enumerate(document.get(key, ())):
            if entry['name'] in seen:
                found.append(f'{origin}::$.{key}[{i}].name: {entry["name"]!r} is already the name of '
                             f'{key}[{seen[entry["name"]]}]; give each {what} its own name')
            seen.setdefault(entry['name'], i)
    honoured = document.get('inline_suppressions')
    if isinstance(honoured, dict):
        try:
            rules.path_spec(honoured['honour'], 'honour')
        except GateError as e:
            found.append(f'{origin}::$.inline_suppressions.{e}')
    if 'signers' not in document.get('trust', {}):
        found.extend(f'{origin}::$.require[{i}].signed: no signature can be checked without trust.signers; '
                     f'name the allowed-signers file there' for i, entry in enumerate(document.get('require', ()))
                     if entry.get('signed'))
    return found


@functools.cache
def parse_default_document() -> dict[str, Any]:

    document = documents.parse_yaml(DEFAULT, 'the default policy')
    assert isinstance(document, dict)
    return document


def parse(text: str, origin: str) -> Policy:

    document = documents.parse_yaml(text, origin)
    found = problems(document, origin)
    if found:
        raise GateError('\n'.join(found))
    assert isinstance(document, dict)
    defaults = parse_default_document()

    def get(key: str) -> Any:
        return document.get(key, defaults[key])

    return Policy(
        origin=origin,
        rules=_compile(get('rules'), origin, 'rules', rules.compile_rule),
        default=get('default'),
        invalid_report=get('invalid_report'),
        incomplete_report=get('incomplete_report'),
        tool_failed=get('tool_failed'),
        contradictory_verdict=get('contradictory_verdict'),
        no_reports=get('no_reports'),
        suppressed=get('suppressed'),
        reports=tuple(get('reports')),
        context_lines=get('context_lines'),
        path_map=tuple(get('path_map').items()),
        stale=get('stale'),
        requirements=_compile(get('require'), origin, 'require', compile_requirement),
        in_tree_reports={**defaults['trust'], **get('trust')}['in_tree_reports'],
        signers=get('trust').get('signers'),
        config_changed=get('config_changed'),
        waivers=get('waivers'),
        waiver_max_days=get('waiver_max_days'),
        expired_waiver=get('expired_waiver'),
        waiver_over_limit=get('waiver_over_limit'),
        unused_waiver=get('unused_waiver'),
        baseline=get('baseline'),
        baseline_max_days=get('baseline_max_days'),
        shadow=get('shadow'),
        inline_suppressions=(tuple(inline['honour']) if isinstance(inline := get('inline_suppressions'), dict)
                             else inline),
    )


def read(path: str, what: str) -> str:
    """A configuration file's text (the policy, the waivers, the baseline), or a GateError saying why not."""
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else 'not UTF-8 text'
        raise GateError(f'{display(path)}: cannot read {what}: {reason}') from None


def _compile(raw: Sequence[dict[str, Any]], origin: str, key: str,
             compile_one: Callable[[dict[str, Any]], T]) -> tuple[T, ...]:
    compiled = []
    for i, entry in enumerate(raw):
        try:
            compiled.append(compile_one(entry))
        except GateError as e:  # a value the schema allows and the matcher does not
            raise GateError(f'{origin}::$.{key}[{i}].{e}') from None
    return tuple(compiled)


def find(exists: Callable[[str], bool]) -> str | None:
    """The repository-relative name of the repository's policy file, None when it has none."""
    return next((name for name in FILENAMES if exists(name)), None)


def load(path: str | None, root: Path | None) -> Policy:
    """The policy named by --policy, else the repository's, else the default."""
    if path is None and root is not None:
        name = find(lambda n: (root / n).is_file())
        path = str(root / name) if name else None
    if path is None:
        return parse(DEFAULT, 'the default policy')
    return parse(read(path, 'the policy'), display(path))


def _before_rules(placed: Placed, waiver: Waiver | None, policy: Policy) -> tuple[str, str] | None:
    """(action, why) when the finding is decided before any rule is tried."""
    if placed.inline is not None:  # the policy's inline_suppressions decides (decide/inline.py)
        if placed.inline.state == 'applied':
            return policy.suppressed, 'suppressed'
    elif placed.finding.suppression is not None:
        return policy.suppressed, 'suppressed'
    if waiver is not None:
        return 'ignore', 'waived'
    if placed.finding.stale is not None:
        return policy.stale, 'stale'
    return None


def decide_finding(placed: Placed, policy: Policy, waiver: Waiver | None = None) -> Decided:
    early = _before_rules(placed, waiver, policy)
    if early is not None:
        return Decided(placed, *early, waiver=waiver)
    for rule in policy.rules:
        if rules.matches(rule, placed):
            return Decided(placed, rule.action, rule.name)
    return Decided(placed, policy.default, 'default')


def _decide_all(placed: Sequence[Placed], waivers: Sequence[Waiver | None], policy: Policy) -> tuple[Decided, ...]:
    """Every finding decided as `decide_finding` does, the rules tried once per set of facts."""
    keys = sorted({test.key for rule in policy.rules for test in rule.tests})
    by_facts: dict[tuple[Any, ...], Decided] = {}
    decided = []
    for p, waiver in zip(placed, waivers):
        if waiver is not None or _before_rules(p, None, policy) is not None:
            decided.append(decide_finding(p, policy, waiver))
            continue
        facts = rules.facts(p, keys)
        if facts not in by_facts:
            by_facts[facts] = decide_finding(p, policy)
        decided.append(by_facts[facts]._replace(placed=p))
    return tuple(decided)


def explain(decided: Decided, policy: Policy) -> list[tuple[str, str, str | None]]:
    """(rule, action, why it did not match) for each rule tried, up to the one that decided."""
    early = _before_rules(decided.placed, decided.waiver, policy)
    if early is not None:
        return [(early[1], early[0], None)]
    tried = []
    for rule in policy.rules:
        why = rules.why_not(rule, decided.placed)
        tried.append((rule.name, rule.action, why))
        if why is None:
            return tried
    return [*tried, ('default', policy.default, None)]


def warnings(policy: Policy) -> list[str]:
    """What a policy says that cannot be what its author meant: no rules at all, rules that
    can never decide because an earlier rule takes every finding they would, and a
    `default` that never applies because a rule takes every finding."""
    if not policy.rules:
        return [f'{policy.origin}::$.rules: no rules: every finding is decided by default '
                f'({policy.default!r}); leave `rules` out for the default policy\'s rules']
    found = []
    for i, later in enumerate(policy.rules):
        for j, earlier in enumerate(policy.rules[:i]):
            if rules.shadows(earlier, later):
                found.append(f'{policy.origin}::$.rules[{i}]: {later.name!r} never decides: '
                             f'{earlier.name!r} (rules[{j}]) takes every finding it would; '
                             f'move it up or narrow {earlier.name!r}')
                break
    catch_all = next((i for i, rule in enumerate(policy.rules) if not rule.tests), None)
    if catch_all is not None:
        name = policy.rules[catch_all].name
        found.append(f'{policy.origin}::$.default: {policy.default!r} never applies: {name!r} '
                     f'(rules[{catch_all}]) takes every finding; narrow {name!r} to let `default` decide the rest')
    return found


def _whose(report: Report) -> str:
    """The review as a person knows it: its reviewer, and for a git note the commit it is on."""
    whose = f"{report.reviewer.name}'s review"
    if report.origin.startswith('note:'):
        return f'{whose}, the note on commit {report.origin[5:].split("#")[0]},'
    return whose


def conditions(reports: Sequence[Report | InvalidReport], policy: Policy) -> list[Condition]:
    found = []
    for report in reports:
        if isinstance(report, InvalidReport):
            count = len(report.problems)
            found.append(Condition('invalid_report', report.origin, policy.invalid_report,
                                   f'not a valid report ({count} problem{"s" * (count != 1)})'))
            continue
        if not report.complete:
            found.append(Condition('incomplete_report', report.origin, policy.incomplete_report,
                                   f'{_whose(report)} was cut off (complete: false)'))
        if report.failures:
            found.append(Condition('tool_failed', report.origin, policy.tool_failed, '; '.join(report.failures)))
        if report.verdict == 'contradictory':
            count = len(report.findings)
            found.append(Condition(
                'contradictory_verdict', report.origin, policy.contradictory_verdict,
                f'{_whose(report)} states {count} finding{"s" * (count != 1)} and also that there are none; '
                f'each is decided as a finding'))
    if not reports:
        found.append(Condition('no_reports', None, policy.no_reports,
                               'no review report is attached to this change'))
    return found


def verdict(actions: Iterable[str]) -> str:
    seen = set(actions)
    return 'block' if 'block' in seen else 'warn' if 'warn' in seen else 'pass'


def decide(
        placed: Sequence[Placed],
        reports: Sequence[Report | InvalidReport],
        change: Change,
        policy: Policy,
        texts: Mapping[str, str] | None = None,
        *,
        waivers: Sequence[Waiver | None] = (),
        more: Sequence[Condition] = (),
        absent: Sequence[Absent] = (),
        baseline: str | None = None,
        granted: Sequence[Waiver] = (),
        owners: Owners | None = None,
) -> Decision:
    """`waivers`: the waiver of each placed finding, if any; `more`: conditions found elsewhere."""
    waivers = waivers or [None] * len(placed)
    decided = _decide_all(placed, waivers, policy)
    shown = tuple(d for d in decided if d.action != 'monitor')
    found = (*conditions(reports, policy), *unmet(policy.requirements, change, reports, owners), *more)
    return Decision(
        verdict=verdict([d.action for d in shown] + [c.action for c in found]),
        findings=shown,
        monitored=tuple(d for d in decided if d.action == 'monitor'),
        conditions=found,
        reports=tuple(reports),
        change=change,
        policy=policy.origin,
        texts=texts or {},
        absent=tuple(absent),
        baseline=baseline,
        waivers=tuple(granted),
    )


def compare(decision: Decision, candidate: Decision, origin: str) -> Shadow:
    """The findings the candidate policy (its decision of the same placed findings) decides with another action."""
    theirs = {id(d.placed): d for d in (*candidate.findings, *candidate.monitored)}
    pairs = [(d, theirs[id(d.placed)]) for d in (*decision.findings, *decision.monitored)]
    return Shadow(origin, candidate.verdict, tuple((d, c) for d, c in pairs if d.action != c.action))
