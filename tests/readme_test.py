"""What the README shows works as shown."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from findings_gate.read import sources
from findings_gate.commands import demo
from findings_gate.decide import policy
from findings_gate.model import Report

README = (Path(__file__).parent.parent / 'README.md').read_text()
BLOCKS = re.findall(r'```(\w*)\n(.*?)```', README, re.S)


def yaml_blocks(first_key: str) -> list[str]:
    return [text for lang, text in BLOCKS if lang == 'yaml' and text.startswith(first_key)]


def test_the_default_policy_shown_is_the_embedded_one() -> None:
    lines = (line.split(' #')[0].rstrip() for line in policy.DEFAULT.splitlines() if not line.lstrip().startswith('#'))
    assert ''.join(f'{line}\n' for line in lines if line) in yaml_blocks('version: 1\nreports:')


def test_every_policy_shown_is_valid() -> None:
    policies = [t for t in yaml_blocks('version: 1\n') if 'rules:' in t]
    assert len(policies) == 2
    for text in policies:
        policy.parse(text, 'README')


def test_the_report_shown_is_valid() -> None:
    [text] = yaml_blocks('version: 1                       # required')
    report = sources.read(sources.Source('README', text.encode()))
    assert isinstance(report, Report), report
    assert report.findings[0].location.symbol == '_trigger_trunk_status_change'  # type: ignore[union-attr]


def test_the_output_shown_is_the_demos() -> None:
    [shown] = [t for lang, t in BLOCKS if t.startswith('-- 1 on added')]
    out: list[str] = []
    demo.run(out.append)
    assert shown in ''.join(out)


def test_the_pre_commit_hooks_shown_are_the_manifests() -> None:
    manifest = yaml.safe_load((Path(__file__).parent.parent / '.pre-commit-hooks.yaml').read_text())
    for hook in manifest:
        assert f"| `{hook['id']}` |" in README


def test_the_github_workflow_shown_is_the_example() -> None:
    example = (Path(__file__).parent.parent / 'examples' / 'github-workflow.yml').read_text()
    assert example.split('\n', 1)[1] in [t for lang, t in BLOCKS if lang == 'yaml']


def test_no_policy_shown_has_a_rule_that_never_decides() -> None:
    for text in [t for t in yaml_blocks('version: 1\n') if 'rules:' in t]:
        assert policy.warnings(policy.parse(text, 'README')) == []


def test_every_policy_fragment_shown_is_valid() -> None:
    fragments = [t for lang, t in BLOCKS if lang == 'yaml' and t.startswith(('require:', 'rules:', 'trust:'))]
    assert len(fragments) >= 3
    for text in fragments:
        assert policy.warnings(policy.parse('version: 1\n' + text, 'README')) == []


def test_the_waivers_shown_are_valid() -> None:
    from findings_gate.decide import waivers

    [text] = [t for lang, t in BLOCKS if lang == 'yaml' and t.startswith('version: 1\nwaivers:')]
    assert [w.owner for w in waivers.parse(text, 'README')] == ['alice', 'release-team']


def test_every_policy_key_is_shown_in_an_example() -> None:
    import json

    from findings_gate import schema

    document = json.loads((schema.schema_dir() / 'policy.schema.json').read_text())
    # and in the documentation written for keys that are new, waiting to be folded in
    pending = ''.join(p.read_text() for p in (Path(__file__).parent.parent / 'pending-docs').glob('*.md'))
    shown = '\n'.join(t for lang, t in [*BLOCKS, *re.findall(r'```(\w*)\n(.*?)```', pending, re.S)] if lang == 'yaml')
    keys = [*document['properties'], *document['$defs']['rule']['properties'],
            *document['$defs']['requirement']['properties']]
    missing = [k for k in keys if k != '$schema' and not re.search(rf'(^|[\s{{,-]){re.escape(k)}:', shown, re.M)]
    assert missing == []
