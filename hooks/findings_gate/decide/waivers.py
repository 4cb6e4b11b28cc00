"""Waivers: findings the maintainers accept until a date, each with a reason and an owner."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from findings_gate import documents, schema
from findings_gate.decide.rules import path_spec
from findings_gate.errors import GateError
from findings_gate.model import Condition, Placed, Waiver

if TYPE_CHECKING:
    import datetime

    from findings_gate.decide.policy import Policy


def today() -> datetime.date:
    """The date waivers and baseline deadlines are checked against (tests replace it)."""
    import datetime

    return datetime.date.today()


def _dates_as_text(value: Any) -> Any:
    """YAML reads an unquoted 2027-01-31 as a date; the schema checks the text."""
    import datetime

    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _date(text: str, where: str) -> datetime.date:
    import datetime

    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise GateError(f'{where}: {text!r} is not a date; write it as YYYY-MM-DD') from None


def parse(text: str, origin: str) -> tuple[Waiver, ...]:
    """The waivers of a waivers file, or a GateError with one line per problem."""

    document = _dates_as_text(documents.parse_yaml(text, origin))
    problems = [f'{origin}::{where}: {what}' for where, what in schema.problems('waivers', document)]
    if problems:
        raise GateError('\n'.join(problems))
    waivers = []
    for i, raw in enumerate(document['waivers']):
        for key in ('expires', 'created'):
            if key in raw:
                _date(raw[key], f'{origin}::$.waivers[{i}].{key}')
        path = raw.get('path', ())
        try:
            _spec((path,) if isinstance(path, str) else tuple(path))
        except GateError as e:
            raise GateError(f'{origin}::$.waivers[{i}].{e}') from None
        waivers.append(Waiver(
            origin=f'{origin}#{i + 1}', reason=raw['reason'], owner=raw['owner'],
            expires=raw['expires'], fingerprint=raw.get('fingerprint'), rule=raw.get('rule'),
            cwe=raw.get('cwe'), paths=(path,) if isinstance(path, str) else tuple(path),
            symbol=raw.get('symbol'), created=raw.get('created'),
        ))
    return tuple(waivers)


def matches(waiver: Waiver, placed: Placed) -> bool:
    finding = placed.finding
    if waiver.fingerprint is not None:
        named = {placed.signature, finding.fingerprint, *(v for _, v in finding.fingerprints)}
        if waiver.fingerprint not in named:
            return False
    if waiver.rule is not None and finding.rule != waiver.rule:
        return False
    if waiver.cwe is not None and waiver.cwe not in finding.cwe:
        return False
    if waiver.symbol is not None and (finding.location is None or finding.location.symbol != waiver.symbol):
        return False
    if waiver.paths:
        return placed.path is not None and bool(_spec(waiver.paths).match_file(placed.path))
    return True


@functools.cache
def _spec(patterns: tuple[str, ...]) -> Any:
    return path_spec(patterns, 'path')


def lifetime(waiver: Waiver, on: datetime.date) -> int:
    """Days from its creation (else from `on`) to its last day."""
    import datetime

    start = datetime.date.fromisoformat(waiver.created) if waiver.created else on
    return (datetime.date.fromisoformat(waiver.expires) - start).days


def apply(waivers: Sequence[Waiver], placed: Sequence[Placed], policy: Policy,
          on: datetime.date) -> tuple[list[Waiver | None], list[Condition]]:
    """The waiver of each finding (or None), and what the waivers themselves call for."""
    import datetime

    conditions = []
    live = []
    for waiver in waivers:
        if datetime.date.fromisoformat(waiver.expires) < on:
            conditions.append(Condition(
                'expired_waiver', waiver.origin, policy.expired_waiver,
                f'expired on {waiver.expires} and no longer applies (owner {waiver.owner}); '
                f'renew it with a new date or remove it'))
        else:
            live.append(waiver)
    applied: list[Waiver | None] = []
    used: set[Waiver] = set()
    too_long: dict[Waiver, str] = {}
    for p in placed:
        chosen = None
        for waiver in live:
            if not matches(waiver, p):
                continue
            limit = policy.waiver_max_days.get(p.finding.severity)
            if limit is not None and lifetime(waiver, on) > limit:
                too_long.setdefault(waiver, f'lasts {lifetime(waiver, on)} days, more than the '
                                            f'{limit} the policy allows for a {p.finding.severity} finding '
                                            f'(waiver_max_days); it does not apply to it')
                continue
            chosen = waiver
            used.add(waiver)
            break
        applied.append(chosen)
    for waiver, message in too_long.items():
        conditions.append(Condition('waiver_over_limit', waiver.origin, policy.waiver_over_limit, message))
    for waiver in live:
        if waiver not in used and waiver not in too_long:
            conditions.append(Condition(
                'unused_waiver', waiver.origin, policy.unused_waiver,
                f'matched no finding of this run (owner {waiver.owner}); remove it if it is no longer needed'))
    return applied, conditions
