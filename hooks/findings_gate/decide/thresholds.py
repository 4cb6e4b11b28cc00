"""One-flag thresholds: `--fail-on SEVERITY` and `--placements LIST`, as the rules they stand for.

reviewdog's `-fail-level`, Semgrep's `--severity` and diff-quality's
`--fail-under` say in one flag what blocks. Here each flag is a thin layer over
the policy, never a second way to decide: without a policy file it rewrites the
default policy's blocking rules, which `explain` then shows by name (`fail-on`,
`fail-on-unplaced`); with a policy file it must say what the file already says,
or the run stops with an error naming both.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from findings_gate.decide import rules
from findings_gate.decide.policy import Policy, parse_default_document
from findings_gate.errors import GateError
from findings_gate.model import PLACEMENTS, SEVERITIES

DEFAULT_ORIGIN = 'the default policy'  # policy.load's origin when the repository has no policy file
ON_THE_CHANGE = ('added', 'context', 'symbol', 'deleted')  # the change's lines, as the flags count them


def placements(text: str) -> tuple[str, ...]:
    """The placements `--placements` names, comma-separated."""
    names = tuple(dict.fromkeys(n.strip() for n in text.split(',') if n.strip()))
    unknown = [n for n in names if n not in PLACEMENTS]
    if unknown or not names:
        raise GateError(f'--placements {text!r}: {", ".join(unknown) or "no placement"} is not a placement; '
                        f'name some of {",".join(PLACEMENTS)}, comma-separated')
    return names


def _flags(fail_on: str | None, where: Sequence[str] | None) -> str:
    said = [f'--fail-on {fail_on}'] if fail_on is not None else []
    return ' '.join([*said, *([f'--placements {",".join(where)}'] if where is not None else [])])


def _rewritten(raw: dict[str, Any], fail_on: str | None, where: Sequence[str] | None) -> dict[str, Any]:
    """A default blocking rule as the flags say: the one on the change's lines takes both flags,
    the one for unplaced tool findings (decided as if they were on the change) the severity."""
    if raw['name'] == 'block-severe-on-change':
        return {'name': 'fail-on', 'severity': fail_on or raw['severity'],
                'placement': list(where or ON_THE_CHANGE), 'action': 'block'}
    if raw['name'] == 'block-severe-unplaced' and fail_on is not None:
        return {**raw, 'name': 'fail-on-unplaced', 'severity': fail_on}
    return raw


def _says(rule: rules.Rule, fail_on: str | None, where: Sequence[str] | None) -> bool:
    """Whether a rule of a policy file blocks what the flags would have it block."""
    tests = {t.key: t.wanted for t in rule.tests}
    return (rule.action == 'block' and (fail_on is None or tests.get('severity') == fail_on)
            and (where is None or set(tests.get('placement', PLACEMENTS)) == set(where)))


def apply(policy: Policy, fail_on: str | None, where: Sequence[str] | None) -> Policy:
    """The policy the flags make: the default one rewritten, or a policy file that already says the same."""
    if fail_on is None and where is None:
        return policy
    flags = _flags(fail_on, where)
    if fail_on is not None and fail_on not in SEVERITIES:
        raise GateError(f'--fail-on {fail_on!r}: not a severity; name one of {", ".join(SEVERITIES)}')
    if policy.origin != DEFAULT_ORIGIN:
        if any(_says(rule, fail_on, where) for rule in policy.rules):
            return policy
        blocking = ', '.join(repr(r.name) for r in policy.rules if r.action == 'block') or 'none'
        raise GateError(f'{flags} conflicts with the policy {policy.origin}, whose rules decide what blocks '
                        f'(blocking rules: {blocking}) and none blocks what the flag says; drop the flag, '
                        f'or change the policy')
    raw = parse_default_document()['rules']
    return policy._replace(origin=f'{DEFAULT_ORIGIN} with {flags}', rules=tuple(
        rules.compile_rule(_rewritten(r, fail_on, where)) for r in raw))
