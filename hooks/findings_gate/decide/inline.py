"""Whether a suppression written in the code applies: the policy's `inline_suppressions`.

A suppression the change itself adds is a waiver request: otherwise an author could
silence any finding of their own change. Under trusted configuration (the base's
policy) it applies only where `{honour: [...]}` names its rule or path.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from findings_gate.decide.policy import Policy
from findings_gate.decide.rules import path_spec
from findings_gate.model import Placed


def judge(placed: Sequence[Placed], policy: Policy, trusted: bool) -> list[Placed]:
    """Each finding's inline suppression with its state: applied, reported, or request (a waiver request)."""
    setting, allowed = policy.inline_suppressions, None
    if isinstance(setting, tuple):
        spec = path_spec(list(setting))  # each pattern checked when the policy was read (policy.problems)

        def allowed(p: Placed) -> bool:
            rule = p.finding.rule
            return ((rule is not None and any(fnmatch.fnmatchcase(rule, s) for s in setting))
                    or (p.path is not None and bool(spec.match_file(p.path))))

    judged = []
    for p in placed:
        inline = p.inline
        if inline is None:
            judged.append(p)
            continue
        if allowed is not None:
            state = 'applied' if allowed(p) else 'request' if inline.added else 'reported'
        elif setting == 'honour' and not (inline.added and trusted):
            state = 'applied'
        else:
            state = 'request' if inline.added else 'reported'
        judged.append(p._replace(inline=inline._replace(state=state)))
    return judged
