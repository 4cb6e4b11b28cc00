"""`findings-gate init`: a commented starter policy, the schemas editors complete it with, the hooks."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from findings_gate import git, schema
from findings_gate.decide.policy import DEFAULT, FILENAMES
from findings_gate.errors import PASS, GateError, display

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
    """Write the starter policy and the schemas beside it; the paths written.

    An existing policy, under either name, is replaced only with `force`, and under its own name:
    a `.findings-gate.yaml` written beside a `.findings-gate.yml` would silently take its place.
    """
    import shutil

    existing = [root / name for name in FILENAMES if os.path.lexists(root / name)]
    if existing and not force:
        raise GateError(f'{display(existing[0])}: a policy is already there; edit it, or pass --force to replace it')
    policy = existing[0] if existing else root / FILENAMES[0]
    schemas = root / '.findings-gate'
    if os.path.lexists(schemas) and not schemas.is_dir():
        raise GateError(f'{display(schemas)}: a file, where the directory of the schemas, the waivers and the '
                        f'baseline belongs; move the file, then run init again')
    schemas.mkdir(exist_ok=True)
    policy.write_text(DEFAULT, encoding='utf-8')
    written = [display(policy)]
    for name in SCHEMAS:
        target = root / '.findings-gate' / name
        shutil.copyfile(schema.schema_dir() / name, target)
        written.append(display(target))
    return written


def run(*, force: bool, out: Callable[[str], object]) -> int:
    repo = git.open_repo()
    for path in write(git.root(repo), force=force):
        out(f'wrote {path}\n')
    if git.add_config(repo, 'notes.rewriteRef', git.NOTES_REF):  # notes follow commits through amend and rebase
        out(f'set git config notes.rewriteRef {git.NOTES_REF}: an amended or rebased commit keeps its reviews\n')
    out(f'\nAdd the hooks to .pre-commit-config.yaml:\n\n{PRE_COMMIT}\n')
    return PASS
