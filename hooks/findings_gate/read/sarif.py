"""SARIF 2.1.0 logs read into native reports: each result that claims a problem is a finding.

All runs of a log make one report. A result's rule (found by index or id, in the
driver or an extension) gives what the result leaves out: its level, title, CWE
ids, category and help. Results that claim no problem (kind pass, notApplicable,
informational) or are gone since the baseline are not findings: the report's
notes count them, and suppressed results, and every malformed field left out.
Where a result is (its files, lines and columns) is read in `sarif_locations`.

A log with no runs, or a run whose invocation says `executionSuccessful: false`,
is a tool that did not run: the report's `failures` say so, and the policy's
`tool_failed` decides it (block by default), whatever results the run holds.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple

from findings_gate import gc_pause
from findings_gate.documents import decode, loads
from findings_gate.errors import GateError, shown
from findings_gate.read.native import report
from findings_gate.read.sarif_json import Json, as_dict, as_list, as_text, cut, kind_of
from findings_gate.read.sarif_locations import Bases, places, read_location, read_path, resolve_bases

LEVELS = {'error': 'high', 'warning': 'medium', 'note': 'low', 'none': 'info'}
KINDS = ('fail', 'review', 'open', 'pass', 'notApplicable', 'informational')
NOT_PROBLEMS = ('pass', 'notApplicable', 'informational')  # "the rule was evaluated; no problem"
# a rule tag -> the native category; the first category in this order wins
TAG_CATEGORIES = {
    'security': 'security', 'correctness': 'correctness', 'reliability': 'reliability',
    'performance': 'performance', 'efficiency': 'performance', 'maintainability': 'maintainability',
    'readability': 'maintainability', 'complexity': 'maintainability', 'style': 'style',
    'formatting': 'style', 'naming': 'style',
}
CATEGORY_ORDER = ('security', 'correctness', 'reliability', 'performance', 'maintainability', 'style')
CONFIDENCE = {'very-high': 'high', 'high': 'high', 'medium': 'medium', 'low': 'low'}
CWE_KEYS = ('cwe', 'cweid', 'cwes', 'cweids')  # property names, lowercased, without - and _
# the result fields read that hold an object or a list: anything else there is noted and left out
SHAPES = {'message': dict, 'rule': dict, 'properties': dict, 'locations': list, 'relatedLocations': list,
          'fixes': list, 'taxa': list, 'suppressions': list, 'partialFingerprints': dict, 'fingerprints': dict}
MAX_PROBLEMS = 20  # malformed fields listed one by one in the notes; the rest are counted
TITLE_LENGTH = 160
HELP_LENGTH = 400
CONVERT = 'convert it to SARIF 2.1.0 (for example with the sarif-multitool transform verb)'

_SCHEMA_VERSION = re.compile(r'sarif-(?:schema-)?(\d+\.\d+\.\d+)|/v(\d+\.\d+\.\d+)/', re.I)
_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[\]}])')
_CWE = re.compile(r'(?:^|[^a-z0-9])cwe[-_ :]*0*([1-9][0-9]{0,5})(?![0-9])', re.I)
_NUMBER = re.compile(r'\s*0*([1-9][0-9]{0,5})\s*\Z')
_PLACEHOLDER = re.compile(r'\{\{|\}\}|\{([0-9]+)\}')
_LINK = re.compile(r'\[((?:[^\]\\]|\\.)*)\]\([0-9]+\)')  # an embedded link to a related location
_ESCAPED_BRACKET = re.compile(r'\\([\[\]])')
_SENTENCE = re.compile(r'[^\n]*?[.!?](?=\s|\Z)|[^\n]+')
_TEMPLATE = re.compile(r'<[A-Za-z][^<>]*/>|\{[0-9]+\}')  # text still waiting for its values
_RECOMMENDATION = re.compile(
    r'^#+[ \t]*(?:recommendations?|remediation|how to fix|fix)[ \t]*\n+(.+?)(?:\n[ \t]*\n|\Z)', re.I | re.M | re.S)


class Rule(NamedTuple):
    """What a result takes from its reporting descriptor when it does not say it itself."""
    id: str | None
    level: str | None  # defaultConfiguration.level
    score: float | None  # properties["security-severity"]
    title: str | None
    name: str | None  # an identifier-like name: the title when nothing better is known
    cwe: tuple[str, ...]
    tags: tuple[str, ...]
    category: str | None
    confidence: str | None
    suggestion: str | None
    messages: dict[str, str]  # messageStrings


NO_RULE = Rule(None, None, None, None, None, (), (), None, None, None, {})


class Run(NamedTuple):
    """What the results of one run refer to, read once per run."""
    components: list[list[Rule]]  # the driver's rules, then each extension's
    component_names: dict[str, int]  # a tool component's name or guid -> its index in components
    by_id: dict[str, Rule]
    global_messages: dict[str, str]
    artifacts: list[Any]
    logical: list[Any]
    taxonomies: list[Json]
    bases: Bases  # the run's originalUriBaseIds, resolved
    paths: dict[tuple[str, str | None], str | None]  # (uri, uriBaseId) -> path, filled as read


def parse(data: bytes, origin: str) -> dict[str, Any]:
    """The native report document for the SARIF log in `data`."""
    with gc_pause.building():
        return _parse(data, origin)


def _parse(data: bytes, origin: str) -> dict[str, Any]:
    notes: list[str] = []
    log = _load(decode(data, origin), origin, notes, data)
    if not isinstance(log, dict):
        raise GateError(f'{origin}::$: {kind_of(log)} where a SARIF log (an object with "version" and "runs") '
                        f'belongs; pass the file the tool wrote with its SARIF output option')
    _check_version(log, origin, notes)
    if 'runs' not in log:
        raise GateError(f'{origin}::$.runs: missing, so this is not a SARIF log; pass the file the tool '
                        f'wrote with its SARIF output option')
    runs = log['runs']
    if not isinstance(runs, list):
        raise GateError(f'{origin}::$.runs: {kind_of(runs)} where the list of runs belongs; '
                        f'check the SARIF output of the tool')
    return _read(runs, origin, notes)


def _read(runs: list[Any], origin: str, notes: list[str]) -> dict[str, Any]:
    """The native report for the runs of a SARIF 2.1.0 log; `notes` holds what was said so far."""
    findings: list[Json] = []
    problems: list[str] = []
    counts: Counter[str] = Counter()
    names: dict[str, str | None] = {}  # tool name -> its version
    failures: list[str] = [] if runs else ['$.runs: empty; no tool ran (a log with no runs)']
    every_run_has_results = bool(runs)
    for i, raw in enumerate(runs):
        where = f'$.runs[{i}]'
        if not isinstance(raw, dict):
            raise GateError(f'{origin}::{where}: {kind_of(raw)} where a run object belongs; '
                            f'check the SARIF output of the tool')
        name, version = _tool(raw)
        names.setdefault(name or 'unnamed tool', version)
        if not name:
            notes.append(f'{where}.tool.driver.name: missing; the tool is unnamed')
        failure = _failure(raw)
        if failure is not None:
            failures.append(f'{where}: {name or "the tool"} did not run successfully '
                            f'(executionSuccessful: false){failure}')
        results = raw.get('results')
        if results is None:
            every_run_has_results = False
            notes.append(f'{where}.results: missing; the run reports no results')
            continue
        if not isinstance(results, list):
            raise GateError(f'{origin}::{where}.results: {kind_of(results)} where the list of results '
                            f'belongs; check the SARIF output of the tool')
        run = _run(raw, where, problems)
        for j, result in enumerate(results):
            if not isinstance(result, dict):
                raise GateError(f'{origin}::{where}.results[{j}]: {kind_of(result)} where a result object '
                                f'belongs; check the SARIF output of the tool')
            finding = _finding(result, run, f'{where}.results[{j}]', problems, counts)
            if finding is not None:
                findings.append(finding)
    notes.extend(_counted(counts))
    notes.extend(problems[:MAX_PROBLEMS])
    if len(problems) > MAX_PROBLEMS:
        notes.append(f'and {len(problems) - MAX_PROBLEMS} more malformed fields, left out the same way')
    reviewer: Json = {'name': ', '.join(names) or 'unnamed tool', 'kind': 'tool'}
    versions = list(names.values())
    if len(versions) == 1 and versions[0]:
        reviewer['version'] = versions[0]
    verdict = 'no-findings' if not findings and every_run_has_results and not failures else 'findings'
    return report(reviewer, findings, notes, complete=True, verdict=verdict, failures=failures)


# ---- the log and its runs ----------------------------------------------------------------------

def _load(text: str, origin: str, notes: list[str], data: bytes | None = None) -> Any:
    try:
        return loads(text, origin, data=data)
    except json.JSONDecodeError as e:
        error = e
    # .NET writers let trailing commas through; nothing else is forgiven
    try:
        log = loads(_TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), text), origin)
    except json.JSONDecodeError:
        raise GateError(f'{origin}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}; '
                        f'fix the syntax') from None
    notes.append('the log is not strict JSON: trailing commas were ignored')
    return log


def _check_version(log: Json, origin: str, notes: list[str]) -> None:
    version = log.get('version')
    if version is None:
        schema = log.get('$schema')
        found = _SCHEMA_VERSION.search(schema) if isinstance(schema, str) else None
        version = (found.group(1) or found.group(2)) if found else None
        if not version or version.startswith('2.1.'):
            notes.append('$.version: missing; read as SARIF 2.1.0')
            return
    if not isinstance(version, str):
        raise GateError(f'{origin}::$.version: {version!r} is not a SARIF version; '
                        f'a SARIF 2.1.0 log says "version": "2.1.0"')
    if version.startswith('2.1.'):
        return
    if version.startswith(('1.', '2.0', '0.')):
        raise GateError(f'{origin}: SARIF {shown(version)} is not supported; {CONVERT}')
    raise GateError(f'{origin}::$.version: SARIF {shown(version)} is not supported; findings-gate reads SARIF 2.1.0')


def _tool(run: Json) -> tuple[str | None, str | None]:
    tool = as_dict(run.get('tool'))
    driver = as_dict(tool.get('driver')) or tool  # SARIF 2.0 drafts named the tool itself
    version = as_text(driver.get('semanticVersion')) or as_text(driver.get('version'))
    return as_text(driver.get('name')), version


def _failure(run: Json) -> str | None:
    """': <why>' when an invocation says the tool failed, '' when it says no more; None if it did not fail."""
    for invocation in as_list(run.get('invocations')):
        invocation = as_dict(invocation)
        if invocation.get('executionSuccessful') is False:
            for notification in as_list(invocation.get('toolExecutionNotifications')):
                notification = as_dict(notification)
                text = as_text(as_dict(notification.get('message')).get('text'))
                if notification.get('level') == 'error' and text:
                    return f': {cut(text, TITLE_LENGTH)}'
            return ''
    return None


def _run(raw: Json, where: str, problems: list[str]) -> Run:
    tool = as_dict(raw.get('tool'))
    driver = as_dict(tool.get('driver'))
    components = [driver, *(as_dict(e) for e in as_list(tool.get('extensions')))]
    taxonomies = [as_dict(t) for t in as_list(raw.get('taxonomies'))]
    rules: list[list[Rule]] = []
    names: dict[str, int] = {}
    by_id: dict[str, Rule] = {}
    for c, component in enumerate(components):
        place = f'{where}.tool.driver' if c == 0 else f'{where}.tool.extensions[{c - 1}]'
        for key in ('name', 'guid'):
            if isinstance(component.get(key), str):
                names.setdefault(component[key], c)
        rules.append([_rule(as_dict(r), taxonomies, f'{place}.rules[{k}]', problems)
                      for k, r in enumerate(as_list(component.get('rules')))])
        for rule in rules[-1]:
            if rule.id is not None:
                by_id.setdefault(rule.id, rule)
    return Run(
        components=rules, component_names=names, by_id=by_id,
        global_messages=_message_strings(driver.get('globalMessageStrings')),
        artifacts=as_list(raw.get('artifacts')), logical=as_list(raw.get('logicalLocations')),
        taxonomies=taxonomies, bases=resolve_bases(raw.get('originalUriBaseIds')), paths={},
    )


def _rule(raw: Json, taxonomies: list[Json], where: str, problems: list[str]) -> Rule:
    rule_id = as_text(raw.get('id'))
    properties = as_dict(raw.get('properties'))
    level = as_dict(raw.get('defaultConfiguration')).get('level')
    if level is not None and not _is_level(level):
        problems.append(f'{where}.defaultConfiguration.level: {level!r} is not a SARIF level; ignored')
        level = None
    short = _first_line(_multiformat(raw.get('shortDescription')))
    name = as_text(raw.get('name'))
    title = None
    if short and not _TEMPLATE.search(short) and _says_more_than(short, rule_id):
        title = cut(short.rstrip('.'), TITLE_LENGTH)
    elif name and ' ' in name:
        title = cut(name, TITLE_LENGTH)
    tags = tuple(t for t in as_list(properties.get('tags')) if isinstance(t, str))
    relationships = (as_dict(r).get('target') for r in as_list(raw.get('relationships')))
    score = _score(properties, where, problems)
    cwe = _unique([*_cwe_in_tags(tags), *_cwe_in_properties(properties),
                   *_cwe_in_references(relationships, taxonomies)])
    return Rule(
        id=rule_id,
        level=level,
        score=score,
        title=title,
        name=name or rule_id,
        cwe=cwe,
        tags=tags,
        category=_category(tags, bool(cwe) or score is not None),
        confidence=CONFIDENCE.get(str(properties.get('precision')).lower()),
        suggestion=_help(raw),
        messages=_message_strings(raw.get('messageStrings')),
    )


def _help(rule: Json) -> str | None:
    """The rule's help when it is short advice, or the recommendation section of a long one."""
    text = _multiformat(rule.get('help'))
    if not text:
        return None
    section = _RECOMMENDATION.search(text)
    if section:
        return cut(' '.join(section.group(1).split()), HELP_LENGTH)
    if text == _multiformat(rule.get('fullDescription')) or len(text) > HELP_LENGTH:
        return None  # a description, or a whole document
    return text


# ---- one result ---------------------------------------------------------------------------------

def _finding(result: Json, run: Run, where: str, problems: list[str], counts: Counter[str]) -> Json | None:
    kind = result.get('kind')
    if kind is not None and kind not in KINDS:
        problems.append(f'{where}.kind: {kind!r} is not a SARIF result kind; read as fail')
        kind = None
    if kind in NOT_PROBLEMS:
        counts[f'kind {kind}'] += 1
        return None
    if result.get('baselineState') == 'absent':
        counts['absent'] += 1
        return None
    for key, value in result.items():
        shape = SHAPES.get(key)
        if shape is not None and not isinstance(value, shape) and value is not None:
            expected = 'an object' if shape is dict else 'a list'
            problems.append(f'{where}.{key}: {kind_of(value)} where {expected} belongs; ignored')
    rule, rule_id = _rule_of(result, run, where, problems)
    facts = rule or NO_RULE
    message = _message(result.get('message'), facts, run)
    properties = as_dict(result.get('properties'))
    score, confidence, cwe, category = facts.score, facts.confidence, facts.cwe, facts.category
    if properties:  # what the result says of itself wins over its rule
        if 'security-severity' in properties:
            score = _score(properties, where, problems)
        confidence = _confidence(properties) or confidence
        tags = tuple(t for t in as_list(properties.get('tags')) if isinstance(t, str))
        cwe = _unique([*cwe, *_cwe_in_tags(tags), *_cwe_in_properties(properties)])
        category = _category((*facts.tags, *tags), bool(cwe) or score is not None)
    if 'taxa' in result:
        cwe = _unique([*cwe, *_cwe_in_references(as_list(result['taxa']), run.taxonomies)])
        category = 'security' if cwe else category
    level = result.get('level')
    if level is not None and not _is_level(level):
        problems.append(f'{where}.level: {level!r} is not a SARIF level; ignored')
        level = None
    if level is None and kind in (None, 'fail'):
        level = facts.level or 'warning'
    elif level is None:
        level = 'none'  # a result that is not a failure has level none unless it says otherwise
    finding: Json = {
        'title': facts.title or _sentence(message) or facts.name or rule_id or 'SARIF result',
        'severity': LEVELS[level] if score is None else _band(score),
    }
    if message:
        finding['message'] = message
    if confidence:
        finding['confidence'] = confidence
    if category:
        finding['category'] = category
    if cwe:
        finding['cwe'] = list(cwe)
    if rule_id:
        finding['rule'] = rule_id
    locations = as_list(result.get('locations'))
    if locations:
        location = read_location(locations[0], run, f'{where}.locations[0]', problems)
        if location:
            finding['location'] = location
    elif 'analysisTarget' in result:  # a result on the whole file analysed
        path = read_path(result['analysisTarget'], run, f'{where}.analysisTarget', problems)
        if path:
            finding['location'] = {'path': path}
    if len(locations) > 1 or 'relatedLocations' in result:
        related = [found for k, raw in places(result, where) if (found := read_location(raw, run, k, problems))]
        if related:
            finding['related'] = related
    suggestion = _fix(result) if 'fixes' in result else None
    if suggestion or facts.suggestion:
        finding['suggestion'] = suggestion or facts.suggestion
    if 'partialFingerprints' in result or 'fingerprints' in result:
        _fingerprints(result, finding, where, problems)
    suppressions = result.get('suppressions')
    if suppressions and isinstance(suppressions, list):  # [] says: known not to be suppressed
        state, suppression = _suppression(suppressions, f'{where}.suppressions', problems)
        if state:
            counts[state] += 1
        if suppression:
            finding['suppression'] = suppression
    return finding


def _rule_of(result: Json, run: Run, where: str, problems: list[str]) -> tuple[Rule | None, str | None]:
    """The rule a result names, by index (in the driver or the component it names), else by id."""
    reference = as_dict(result.get('rule'))
    rule_id = as_text(result.get('ruleId')) or as_text(reference.get('id'))
    index = result.get('ruleIndex', reference.get('index'))
    if index is not None and not (type(index) is int and index >= -1):
        problems.append(f'{where}.ruleIndex: {index!r} is not an index; ignored')
    elif index is not None and index >= 0:
        rules = run.components[_component(reference.get('toolComponent'), run)] if reference else run.components[0]
        if index < len(rules):
            return rules[index], rule_id or rules[index].id
        problems.append(f'{where}.ruleIndex: {index} names no rule (the tool lists {len(rules)})'
                        + ('; looked up by id' if rule_id else ''))
    if rule_id is None:
        return None, None
    rule, prefix = run.by_id.get(rule_id), rule_id
    while rule is None and '/' in prefix:  # a hierarchical id: 'CA2101/1' is a kind of 'CA2101'
        prefix = prefix.rsplit('/', 1)[0]
        rule = run.by_id.get(prefix)
    return rule, rule_id


def _component(raw: Any, run: Run) -> int:
    """The index among [driver, *extensions] of the tool component a reference names."""
    reference = as_dict(raw)
    index = reference.get('index')
    if type(index) is int and 0 <= index < len(run.components) - 1:
        return index + 1
    for key in ('guid', 'name'):
        if isinstance(reference.get(key), str):
            return run.component_names.get(reference[key], 0)
    return 0


def _message(raw: Any, rule: Rule, run: Run) -> str | None:
    """The message's text, else the message string its id names (the rule's, else the tool's), filled in."""
    message = as_dict(raw)
    text = message.get('text')
    if not isinstance(text, str):
        key = message.get('id')
        text = message.get('markdown')
        if isinstance(key, str):
            text = rule.messages.get(key) or run.global_messages.get(key) or text
    if not isinstance(text, str):
        return None
    arguments = message.get('arguments')
    if isinstance(arguments, list) and arguments:
        text = _PLACEHOLDER.sub(lambda m: _argument(m, arguments), text)
    if '](' in text:
        text = _LINK.sub(lambda m: _ESCAPED_BRACKET.sub(r'\1', m.group(1)), text)
    return text.strip() or None


def _argument(match: re.Match[str], arguments: list[Any]) -> str:
    if match.group(1) is None:
        return match.group(0)[0]  # '{{' is a literal '{'
    n = int(match.group(1))
    return str(arguments[n]) if n < len(arguments) else match.group(0)


def _fix(result: Json) -> str | None:
    for fix in as_list(result.get('fixes')):
        text = _multiformat(as_dict(fix).get('description'))
        if text:
            return text
    return None


def _fingerprints(result: Json, finding: Json, where: str, problems: list[str]) -> None:
    """partialFingerprints, then the full fingerprints under names not taken; the first full one."""
    found: dict[str, str] = {}
    for field in ('partialFingerprints', 'fingerprints'):
        for name, value in as_dict(result.get(field)).items():
            if not isinstance(value, str):
                problems.append(f'{where}.{field}.{name}: {value!r} is not a string; ignored')
                continue
            found.setdefault(name, value)
            if field == 'fingerprints' and value and 'fingerprint' not in finding:
                finding['fingerprint'] = value  # a full fingerprint identifies the result by itself
    if found:
        finding['fingerprints'] = found


def _suppression(raw: list[Any], where: str, problems: list[str]) -> tuple[str | None, Json | None]:
    """('suppressed', the native suppression), or why the result is not suppressed (None: no reason)."""
    entries = [e for e in raw if isinstance(e, dict)]
    if len(entries) < len(raw):
        problems.append(f'{where}: entries that are not suppression objects were ignored')
    statuses = [e.get('status') for e in entries]
    if not entries:
        return None, None
    if any(status not in (None, 'accepted') for status in statuses):
        return ('under review' if 'underReview' in statuses else 'rejected'), None
    kind = entries[0].get('kind')
    if kind not in ('inSource', 'external'):
        problems.append(f'{where}[0].kind: {kind!r} is not inSource or external; read as external')
        kind = 'external'
    suppression: Json = {'kind': kind}
    justification = next((j for e in entries if (j := as_text(e.get('justification')))), None)
    if justification:
        suppression['justification'] = justification
    return 'suppressed', suppression


def _counted(counts: Counter[str]) -> list[str]:
    notes = []
    for key, n in counts.items():
        plural, were = ('s', 'were') if n != 1 else ('', 'was')
        findings = 'findings' if n != 1 else 'a finding'
        if key.startswith('kind '):
            notes.append(f'{n} result{plural} of {key} {were} not read as {findings}')
        elif key == 'absent':
            notes.append(f'{n} result{plural} with baselineState absent (gone since the baseline) {were} '
                         f'not read as {findings}')
        elif key == 'suppressed':
            notes.append(f'{n} finding{plural} {"are" if n != 1 else "is"} suppressed in the log '
                         f'(SARIF suppressions, status accepted)')
        elif key in ('under review', 'rejected'):
            notes.append(f'{n} finding{plural} with a suppression {key} {were} read as not suppressed')
    return notes


# ---- severity, CWE ids, category, confidence -------------------------------------------------------

def _score(properties: Json, where: str, problems: list[str]) -> float | None:
    """properties["security-severity"], a CVSS-like score from 0 to 10 (a string, by GitHub's rule)."""
    value = properties.get('security-severity')
    if value is None:
        return None
    try:
        score = float(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except ValueError:
        score = None
    if score is None or math.isnan(score) or not 0 <= score <= 10:
        problems.append(f'{where}.properties.security-severity: {value!r} is not a score from 0 to 10; ignored')
        return None
    return score


def _band(score: float) -> str:
    if score >= 9.0:
        return 'critical'
    if score >= 7.0:
        return 'high'
    if score >= 4.0:
        return 'medium'
    return 'low' if score > 0 else 'info'


def _cwe_in_tags(tags: Iterable[str]) -> Iterable[str]:
    """'external/cwe/cwe-079', 'cwe-89', 'CWE-89: SQL Injection' -> CWE-79, CWE-89."""
    for tag in tags:
        if 'cwe' in tag or 'CWE' in tag:
            yield from (f'CWE-{n}' for n in _CWE.findall(tag))


def _cwe_in_properties(properties: Json) -> Iterable[str]:
    """Fields tools add: "cwe": ["CWE-79"] (Snyk), "cwe": "CWE-78: ...", "cwe_id": 78, "cweId": "78"."""
    for key, value in properties.items():
        if key.lower().replace('-', '').replace('_', '') in CWE_KEYS:
            for item in value if isinstance(value, list) else [value]:
                yield from _cwe_in_value(item)


def _cwe_in_value(value: Any) -> Iterable[str]:
    if type(value) is int and value > 0:
        yield f'CWE-{value}'
    elif isinstance(value, str):
        bare = _NUMBER.match(value)
        numbers = [bare.group(1)] if bare else _CWE.findall(value)
        yield from (f'CWE-{n}' for n in numbers)


def _cwe_in_references(references: Iterable[Any], taxonomies: list[Json]) -> Iterable[str]:
    """The CWE ids that result.taxa or rule.relationships point to, in a taxonomy named CWE."""
    for raw in references:
        reference = as_dict(raw)
        component = as_dict(reference.get('toolComponent'))
        taxonomy: Json = {}
        index = component.get('index')
        if type(index) is int and 0 <= index < len(taxonomies):
            taxonomy = taxonomies[index]
        elif component.get('guid') is not None:
            taxonomy = next((t for t in taxonomies if t.get('guid') == component['guid']), {})
        name = component.get('name') or taxonomy.get('name')
        if not isinstance(name, str) or name.upper() != 'CWE':
            continue
        taxon = reference.get('id')
        taxa = as_list(taxonomy.get('taxa'))
        position = reference.get('index')
        if taxon is None and type(position) is int and 0 <= position < len(taxa):
            taxon = as_dict(taxa[position]).get('id')
        if taxon is None and reference.get('guid') is not None:
            taxon = next((as_dict(t).get('id') for t in taxa if as_dict(t).get('guid') == reference['guid']), None)
        yield from _cwe_in_value(taxon)


def _category(tags: Iterable[str], security: bool) -> str | None:
    found = {TAG_CATEGORIES.get(t.lower()) for t in tags}
    if security:
        found.add('security')
    return next((c for c in CATEGORY_ORDER if c in found), None)


def _confidence(properties: Json) -> str | None:
    for key in ('confidence', 'issue_confidence'):  # the second is bandit's
        value = properties.get(key)
        if isinstance(value, str) and value.lower() in CONFIDENCE:
            return CONFIDENCE[value.lower()]
    return None


# ---- small helpers ------------------------------------------------------------------------------

def _is_level(value: Any) -> bool:
    return isinstance(value, str) and value in LEVELS


def _multiformat(value: Any) -> str | None:
    """The text of a multiformatMessageString: its plain text, else its Markdown."""
    message = as_dict(value)
    return as_text(message.get('text')) or as_text(message.get('markdown'))


def _message_strings(value: Any) -> dict[str, str]:
    return {k: text for k, v in as_dict(value).items() if (text := _multiformat(v))}


def _first_line(text: str | None) -> str | None:
    return text.split('\n', 1)[0].strip() or None if text else None


def _sentence(text: str | None) -> str | None:
    """The first sentence of the first line, as a title."""
    if not text:
        return None
    match = _SENTENCE.match(text)
    sentence = match.group(0).strip().rstrip('.') if match else ''
    return cut(sentence, TITLE_LENGTH) if sentence else None


def _says_more_than(description: str, rule_id: str | None) -> bool:
    """False for a description that only repeats the rule id ('Semgrep Finding: rules.x')."""
    if not rule_id or rule_id not in description:
        return True
    return len(description.replace(rule_id, ' ').split()) >= 3


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
