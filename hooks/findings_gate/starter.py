"""`findings-gate init`: a commented starter policy, the schemas editors complete it with, the hooks."""
from __future__ import annotations

from pathlib import Path

from findings_gate import schema
from findings_gate.collect import display
from findings_gate.errors import GateError

# the default policy (policy.DEFAULT is this without its comments), every key explained
POLICY = '''\
# yaml-language-server: $schema=./.findings-gate/policy.schema.json
# findings-gate policy: which findings block a change, which warn, which are only shown.
# Check it with `findings-gate policy check`; see what decided each finding with
# `findings-gate explain`.
version: 1

# where review reports live in the repository (directories or globs)
reports: [.reviews/]
# a finding within this many lines of a changed line is placed `context`
context_lines: 3

# Tried in order; the first rule whose keys all match decides. Keys: severity
# (at least), confidence (at least), category, cwe (an id covers its
# descendants; {ids: [...], exact: true} does not), rule (tool rule id
# patterns), reviewer (names), reviewer_kind (human, llm, tool), paths
# (.gitignore patterns), placement (added, context, symbol, deleted, file,
# untouched, unlocated), grounding (grounded, partly, ungrounded), baseline
# (new, unchanged). Actions: block, warn, ignore.
rules:
  - name: warn-ungrounded        # the review's claims did not hold against the code
    grounding: ungrounded
    action: warn
  - name: block-severe-on-change
    severity: high
    placement: [added, context, deleted]
    action: block
  - name: warn-unlocated
    severity: low
    placement: unlocated
    action: warn
  - name: warn-in-changed-files
    severity: low
    placement: [added, context, symbol, deleted, file]
    action: warn
  # - name: old-findings-only-warn   # with a baseline (`findings-gate baseline write`)
  #   baseline: unchanged
  #   action: warn
default: ignore                  # a finding no rule matches

invalid_report: block            # a report that cannot be read or breaks the schema
incomplete_report: warn          # a review that was cut off (complete: false)
no_reports: ignore               # no report at all for the change
suppressed: ignore               # findings their tool reports as suppressed
stale: warn                      # findings whose lines changed after the review

# Reviews a change must have; a changed file matching `paths` needs `reports`
# reports by distinct reviewers of these kinds (or names).
require: []
# require:
#   - name: services-need-a-person
#     paths: ["src/services/**"]
#     reviewer_kind: human
#     action: block
#   - name: services-need-a-model
#     paths: ["src/services/**"]
#     reviewer_kind: llm
#     action: block

# advisory: reports in the change's own tree are shown but satisfy no `require`
trust:
  in_tree_reports: trusted
config_changed: warn             # the change edits this file, the waivers or the baseline

waivers: .findings-gate/waivers.yaml
waiver_max_days: {}              # e.g. {critical: 30, high: 90}
expired_waiver: warn
waiver_over_limit: warn
unused_waiver: ignore
baseline: .findings-gate/baseline.json
'''

PRE_COMMIT = '''\
# .pre-commit-config.yaml
repos:
  - repo: <findings-gate's repository URL>
    rev: <a tag or commit>
    hooks:
      - id: findings-gate            # gates the staged change at commit time
      - id: findings-gate-push       # gates the pushed commits at push time
      - id: findings-gate-validate   # validates report files under .reviews/
      - id: findings-gate-policy     # validates .findings-gate.yaml
# then: pre-commit install --hook-type pre-commit --hook-type pre-push
'''

SCHEMAS = ('policy.schema.json', 'waivers.schema.json')


def write(root: Path, *, force: bool) -> list[str]:
    """Write the starter policy and the schemas beside it; the paths written."""
    import shutil

    policy = root / '.findings-gate.yaml'
    if policy.exists() and not force:
        raise GateError(f'{display(policy)}: a policy is already there; edit it, or pass --force to replace it')
    (root / '.findings-gate').mkdir(exist_ok=True)
    policy.write_text(POLICY, encoding='utf-8')
    written = [display(policy)]
    for name in SCHEMAS:
        target = root / '.findings-gate' / name
        shutil.copyfile(schema.schema_dir() / name, target)
        written.append(display(target))
    return written
