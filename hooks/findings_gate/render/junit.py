"""The decision as JUnit XML (FORMATS.md section 7), for a CI's test report.

- One `<testcase>` per finding and per report condition, in one `<testsuite>` inside
  `<testsuites>`; one passing test case when there is neither, since Jenkins records
  a suite only when it has a test case.
- `classname` is the finding's path (the report it came from when unlocated;
  `reports` for a condition), `name` the deciding rule and the title; a repeat gets
  ` #2`, ` #3`, since GitLab shows two tests of one classname and name as one. `file`
  and `line` (new-side lines only) are set as pytest sets them.
- JUnit has no warning status and no schema; the status is all every reader shows.
  block is a `<failure>`. warn passes, with the finding in `<system-out>`: a failure
  would make Jenkins mark the build unstable and GitLab count a failed test for a
  gate that passed. ignore is `<skipped>`, with the rule that ignored it.
- The text is the finding as Gerrit shows it (`plain_text.describe`, untrusted fields
  `inert`). ElementTree escapes `& < > "`; characters XML 1.0 does not allow (control
  characters, U+FFFE, U+FFFF, lone surrogates from a path that is not UTF-8) become
  visible `\\xNN` escapes, so the document is well-formed whatever a review says. No
  CDATA, so `]]>` needs nothing.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from findings_gate.model import Condition, Decided, Decision, InvalidReport
from findings_gate.render import file_lines, plain_text
from findings_gate.render.inert import inert
from findings_gate.render.labels import LABELS
from findings_gate.render.plain_text import stated

# what XML 1.0 does not allow: https://www.w3.org/TR/xml/#charsets
_NOT_XML = re.compile('[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 does not allow written as an escape."""
    return _NOT_XML.sub(lambda m: f'\\x{ord(m[0]):02x}' if ord(m[0]) < 0x100 else f'\\u{ord(m[0]):04x}', text)


def _case(classname: str, name: str, action: str, message: str, body: str) -> ET.Element:
    case = ET.Element('testcase', classname=xml_text(classname), name=xml_text(name), time='0')
    if action == 'block':
        outcome = ET.SubElement(case, 'failure', message=xml_text(message), type='block')
    elif action == 'ignore':
        outcome = ET.SubElement(case, 'skipped', message=xml_text(message))
    else:
        outcome = ET.SubElement(case, 'system-out')
    outcome.text = xml_text(body)
    return case


def _finding(d: Decided, binary: frozenset[str]) -> ET.Element:
    placed, title = d.placed, inert(d.placed.finding.title)
    message = (f'ignored by the policy ({d.rule}): {title}' if d.action == 'ignore'
               else f'{LABELS[d.action]} {d.rule}: {title}')
    case = _case(inert(placed.path or placed.report.origin), f'{d.rule}: {title}', d.action, message,
                 f'{plain_text.where(d)}: {plain_text.describe(d)}\n')
    if placed.path is not None:
        case.set('file', xml_text(placed.path))
        on_lines = file_lines.new_lines(placed, binary)
        if on_lines:
            case.set('line', str(on_lines[0]))
    return case


def _condition(c: Condition, problems: tuple[str, ...]) -> ET.Element:
    where = inert(c.origin or 'the change')
    text = f'{LABELS[c.action]} {c.kind}: {where}: {inert(stated(c))}'
    body = '\n'.join([f'{where}: {text}', *(inert(p) for p in problems)]) + '\n'
    message = f'ignored by the policy: {text}' if c.action == 'ignore' else text
    return _case('reports', f'{c.kind}: {where}', c.action, message, body)


def _unique(cases: list[ET.Element]) -> None:
    used: set[tuple[str | None, str | None]] = set()
    for case in cases:
        name, n = case.get('name'), 1
        while (case.get('classname'), case.get('name')) in used:
            n += 1
            case.set('name', f'{name} #{n}')
        used.add((case.get('classname'), case.get('name')))


def render(decision: Decision) -> str:
    problems = {r.origin: r.problems for r in decision.reports if isinstance(r, InvalidReport)}
    binary = file_lines.binaries(decision)
    cases = [_finding(d, binary) for d in decision.findings]
    cases += [_condition(c, problems.get(c.origin or '', ())) for c in decision.conditions]
    if not cases:
        cases.append(ET.Element('testcase', classname='reports', name='no findings', time='0'))
    _unique(cases)
    counts = {
        'tests': str(len(cases)),
        'failures': str(sum(c.find('failure') is not None for c in cases)),
        'errors': '0',
        'skipped': str(sum(c.find('skipped') is not None for c in cases)),
        'time': '0',
    }
    root = ET.Element('testsuites', {'name': 'findings-gate', **counts})
    suite = ET.SubElement(root, 'testsuite', {'name': 'findings-gate', **counts})
    properties = ET.SubElement(suite, 'properties')
    for name, value in (('verdict', decision.verdict), ('policy', decision.policy),
                        ('change', decision.change.description),
                        *([('config_commit', decision.config_commit)] if decision.config_commit else [])):
        ET.SubElement(properties, 'property', name=name, value=xml_text(inert(value)))
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'
