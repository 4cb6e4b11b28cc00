from __future__ import annotations

import pytest

from findings_gate.model import Change, FileChange, Finding, Location, Report, Reviewer
from findings_gate.place.grounding import Code
from findings_gate.place.placement import place

REVIEWER = Reviewer('r', 'human')
CHANGE = Change((
    FileChange('src/app.py', 'src/app.py', 'modified', added=((10, 12), (40, 40)),
               deleted=((10, 11),), removals=(30,)),
    FileChange('new.py', None, 'added', added=((1, 5),)),
    FileChange('gone.py', 'gone.py', 'deleted', deleted=((1, 8),)),
    FileChange('lib/renamed.py', 'lib/old.py', 'renamed', added=((3, 3),), deleted=((3, 3),)),
    FileChange('logo.png', 'logo.png', 'modified', binary=True),
), 'test')
KNOWN = {'src/app.py', 'new.py', 'lib/renamed.py', 'logo.png', 'docs/readme.md', 'a/real.py'}


def code(files: set[str], texts: dict[str, str] | None = None) -> Code:
    """A repository of these paths; the texts of some of them."""
    return Code(lambda: frozenset(files), (texts or {}).get, lambda pattern: sorted(texts or {}))


def place_one(location: Location | None, context: int = 3) -> tuple[str | None, str]:
    report = Report('r.json', REVIEWER, (Finding('t', 'high', location=location),))
    [placed] = place([report], CHANGE, root='/repo', code=code(KNOWN), context=context)
    return placed.path, placed.placement


@pytest.mark.parametrize(('start', 'end', 'placement'), [
    (10, None, 'added'),
    (12, 12, 'added'),
    (5, 10, 'added'),  # a range overlaps if any of its lines does
    (1, 100, 'added'),
    (13, None, 'context'),
    (15, 15, 'context'),
    (7, 9, 'context'),
    (16, None, 'file'),
    (6, None, 'file'),
    (28, None, 'context'),  # 3 lines before the removal after line 30
    (27, None, 'file'),
    (33, None, 'context'),  # 3 lines after it
    (34, None, 'file'),
    (43, None, 'context'),
    (44, None, 'file'),
])
def test_lines_of_a_modified_file(start: int, end: int | None, placement: str) -> None:
    assert place_one(Location('src/app.py', start, end)) == ('src/app.py', placement)


def test_context_width_is_configurable() -> None:
    assert place_one(Location('src/app.py', 13), context=0) == ('src/app.py', 'file')
    assert place_one(Location('src/app.py', 30), context=0) == ('src/app.py', 'file')
    assert place_one(Location('src/app.py', 30, 31), context=0) == ('src/app.py', 'context')  # holds the removal
    assert place_one(Location('src/app.py', 20), context=8) == ('src/app.py', 'context')


def test_a_file_level_finding_in_a_changed_file() -> None:
    assert place_one(Location('src/app.py')) == ('src/app.py', 'file')
    assert place_one(Location('logo.png', 3)) == ('logo.png', 'file')


@pytest.mark.parametrize(('location', 'expected'), [
    (Location('src/app.py', 10, side='old'), ('src/app.py', 'deleted')),
    (Location('src/app.py', 12, side='old'), ('src/app.py', 'file')),
    (Location('gone.py', 4), ('gone.py', 'deleted')),
    (Location('gone.py'), ('gone.py', 'deleted')),
    (Location('lib/old.py', 3), ('lib/old.py', 'deleted')),
    (Location('lib/renamed.py', 3), ('lib/renamed.py', 'added')),
])
def test_the_old_side(location: Location, expected: tuple[str, str]) -> None:
    assert place_one(location) == expected


@pytest.mark.parametrize('path', [
    'src/app.py', './src/app.py', 'b/src/app.py', 'a/src/app.py', '/repo/src/app.py',
    'src\\app.py', 'file:///repo/src/app.py', 'file://localhost/repo/src/app.py',
    'src/./lib/../app.py', '.\\src\\app.py',
])
def test_paths_are_normalised(path: str) -> None:
    assert place_one(Location(path, 10)) == ('src/app.py', 'added')


def test_percent_encoded_uri() -> None:
    change = Change((FileChange('my dir/é.py', 'my dir/é.py', 'modified', added=((1, 1),)),), 't')
    report = Report('r', REVIEWER, (Finding('t', 'low', location=Location(
        'file:///repo/my%20dir/%C3%A9.py', 1)),))
    [placed] = place([report], change, root='/repo', code=code(set()), context=3)
    assert (placed.path, placed.placement) == ('my dir/é.py', 'added')


def test_a_real_directory_named_a_wins_over_the_prefix() -> None:
    assert place_one(Location('a/real.py', 1)) == ('a/real.py', 'untouched')


@pytest.mark.parametrize(('path', 'reason'), [
    ('/etc/passwd', "'/etc/passwd' is outside the repository"),
    ('../secret.py', "'../secret.py' is outside the repository"),
    ('src/../../x.py', "'../x.py' is outside the repository"),
    ('/repository/x.py', "'/repository/x.py' is outside the repository"),
    ('C:\\work\\x.py', "'C:/work/x.py' is outside the repository"),
    ('file://server/share/x.py', "'file://server/share/x.py' is on another host"),
    ('missing.py', "'missing.py' is not in the repository"),
])
def test_unusable_paths_are_unlocated_with_a_reason(path: str, reason: str) -> None:
    report = Report('r.json', REVIEWER, (Finding('t', 'high', location=Location(path, 1)),))
    [placed] = place([report], CHANGE, root='/repo', code=code(KNOWN), context=3)
    assert placed.placement == 'unlocated'
    assert placed.reason == reason


def test_untouched_and_unlocated() -> None:
    assert place_one(Location('docs/readme.md', 2)) == ('docs/readme.md', 'untouched')
    assert place_one(None) == (None, 'unlocated')
    assert place_one(Location(symbol='main')) == (None, 'unlocated')


def test_every_finding_is_placed_once_in_report_order() -> None:
    findings = tuple(Finding(str(i), 'low', location=Location('src/app.py', i)) for i in range(1, 60))
    reports = [Report('a', REVIEWER, findings[:30]), Report('b', REVIEWER, findings[30:])]
    placed = place(reports, CHANGE, root=None, code=None, context=3)
    assert [p.finding for p in placed] == list(findings)


# grounding: the claims of a finding checked against the code

SERVER = '''\
class TrunkSkeleton:
    def __init__(self):
        self.x = 1

    def update_subport_bindings(self, context, subports):
        first = 1
        second = 2
        third = 3
        fourth = 4
        fifth = 5
        return first


def trunk_by_port_provider(resource, port_id, context, **kwargs):
    return None
'''
HELPERS = 'def helper():\n    return 1\n'
TREE = {'pkg/rpc/server.py': SERVER, 'pkg/trunk.py': HELPERS, 'pkg/objects/trunk.py': HELPERS,
        'pkg/util.py': HELPERS}
SERVER_CHANGE = Change((FileChange('pkg/rpc/server.py', 'pkg/rpc/server.py', 'modified',
                                   added=((7, 7),)),), 'test')


def ground_one(location: Location, *, cwe: tuple[str, ...] = (), names: tuple = (),
               change: Change = SERVER_CHANGE) -> tuple:
    finding = Finding('t', 'high', cwe=cwe, cwe_names=names, location=location)
    [placed] = place([Report('r', REVIEWER, (finding,))], change, root='/repo',
                            code=code(set(TREE), TREE), context=1)
    return placed.path, placed.lines, placed.placement, placed.grounding


def test_a_symbol_in_the_wrong_file_is_relocated_and_the_claim_recorded() -> None:
    path, lines, placement, grounding = ground_one(Location('trunk.py', symbol='trunk_by_port_provider'))
    assert (path, lines, placement) == ('pkg/rpc/server.py', (14, 15), 'file')
    assert grounding.status == 'partly'
    assert grounding.reasons == (
        '`trunk_by_port_provider` is not in trunk.py; it is defined in pkg/rpc/server.py',)


def test_a_symbol_without_lines_gets_its_span_and_the_symbol_placement() -> None:
    path, lines, placement, grounding = ground_one(Location('pkg/rpc/server.py', symbol='update_subport_bindings'))
    assert (path, lines, placement, grounding.status) == ('pkg/rpc/server.py', (5, 11), 'symbol', 'grounded')


def test_a_line_inside_a_touched_function_far_from_the_change_is_symbol() -> None:
    assert ground_one(Location('pkg/rpc/server.py', 10))[2] == 'symbol'
    assert ground_one(Location('pkg/rpc/server.py', 15))[2] == 'file'
    assert ground_one(Location('pkg/rpc/server.py', 8))[2] == 'context'


def test_a_bare_file_name_is_completed_when_it_is_unique() -> None:
    path, _, placement, grounding = ground_one(Location('rpc/server.py', 14))
    assert (path, placement) == ('pkg/rpc/server.py', 'file')
    assert grounding.reasons == ("'rpc/server.py' is not a path in the repository; taken as pkg/rpc/server.py",)


def test_an_ambiguous_file_name_without_a_symbol_is_unlocated() -> None:
    path, _, placement, grounding = ground_one(Location('trunk.py', 1))
    assert (path, placement, grounding.status) == (None, 'unlocated', 'ungrounded')
    assert grounding.reasons == ("'trunk.py' matches 2 files",)


def test_lines_past_the_end_of_the_file() -> None:
    path, lines, placement, grounding = ground_one(Location('pkg/util.py', 40))
    assert (path, lines, placement, grounding.status) == ('pkg/util.py', None, 'untouched', 'ungrounded')
    assert grounding.reasons == ('line 40 is past the end of pkg/util.py (2 lines)',)


def test_lines_far_from_the_named_symbol_take_its_span() -> None:
    _, lines, _, grounding = ground_one(Location('pkg/rpc/server.py', 400, symbol='update_subport_bindings'))
    assert lines == (5, 11)
    assert grounding.reasons == ('line 400 is past the end of pkg/rpc/server.py (15 lines)',)
    _, lines, _, grounding = ground_one(Location('pkg/rpc/server.py', 2, 3, symbol='trunk_by_port_provider'))
    assert lines == (2, 3)  # 11 lines off: LLM line numbers are approximate
    assert grounding.status == 'grounded'


def test_a_symbol_defined_nowhere() -> None:
    _, lines, placement, grounding = ground_one(Location('pkg/rpc/server.py', symbol='no_such_thing'))
    assert (lines, placement, grounding.status) == (None, 'file', 'ungrounded')
    assert grounding.reasons == (
        '`no_such_thing` is not defined in pkg/rpc/server.py or elsewhere in the repository',)
    _, _, _, grounding = ground_one(Location('pkg/rpc/server.py', 6, symbol='no_such_thing'))
    assert grounding.status == 'partly'  # the lines still hold


def test_no_file_but_a_symbol() -> None:
    path, lines, placement, grounding = ground_one(Location(symbol='TrunkSkeleton.update_subport_bindings'))
    assert (path, lines, placement) == ('pkg/rpc/server.py', (5, 11), 'symbol')
    assert grounding.reasons == (
        'the review names no file; `TrunkSkeleton.update_subport_bindings` is defined in pkg/rpc/server.py',)


def test_cwe_names_are_checked() -> None:
    *_, grounding = ground_one(Location('pkg/rpc/server.py', 7), cwe=('CWE-703', 'CWE-284'),
                               names=(('CWE-703', 'Protection Mechanism Failure'),
                                      ('CWE-284', 'Improper Access Control')))
    assert grounding.status == 'partly'
    assert grounding.reasons == ("CWE-703 is 'Improper Check or Handling of Exceptional Conditions', "
                                 "not 'Protection Mechanism Failure' (CWE-693's name)",)
    *_, grounding = ground_one(Location('pkg/rpc/server.py', 7), cwe=('CWE-99999',))
    assert grounding.reasons == ('CWE-99999 is not in the CWE catalog',)


def test_findings_with_lines_and_no_file_take_the_one_file_of_their_report() -> None:
    findings = (Finding('a', 'low', location=Location(symbol='update_subport_bindings')),
                Finding('b', 'low', location=Location(start_line=7, end_line=8)),
                Finding('c', 'low', location=Location(start_line=900)))
    placed = place([Report('r', REVIEWER, findings)], SERVER_CHANGE, root=None,
                          code=code(set(TREE), TREE), context=1)
    assert [(p.path, p.lines, p.placement, p.grounding.status) for p in placed] == [
        ('pkg/rpc/server.py', (5, 11), 'symbol', 'partly'),
        ('pkg/rpc/server.py', (7, 8), 'added', 'partly'),
        ('pkg/rpc/server.py', None, 'file', 'ungrounded'),
    ]
    assert placed[1].grounding.reasons == (
        'the review names no file; taken as pkg/rpc/server.py, where its other findings are',)


# runs of changed lines and removals: a removal is 1 line from the line before it and the line after it

NEAR = Change((FileChange('near.py', 'near.py', 'modified', added=((5, 7), (20, 22)), removals=(7, 17)),), 'test')


@pytest.mark.parametrize(('line', 'context', 'placement'), [
    (2, 3, 'context'),  # 2 +- 3 reaches line 5, the start of the run 5..7
    (10, 3, 'context'),  # the third line after the removal after line 7
    (11, 3, 'file'),
    (15, 3, 'context'),  # the third line before the removal after line 17
    (14, 3, 'file'),
    (19, 0, 'file'),  # between the removal after 17 and the run at 20: next to neither
    (18, 0, 'file'),
    (17, 1, 'context'),
    (18, 1, 'context'),
    (8, 0, 'file'),
])
def test_runs_of_added_lines_and_removals(line: int, context: int, placement: str) -> None:
    report = Report('r', REVIEWER, (Finding('t', 'low', location=Location('near.py', line)),))
    [placed] = place([report], NEAR, root=None, code=code({'near.py'}), context=context)
    assert placed.placement == placement


@pytest.mark.parametrize(('location', 'expected'), [
    (Location('lib/old.py'), ('lib/old.py', 'file')),  # the old path of a renamed file, no lines
    (Location('logo.png', 3, side='old'), ('logo.png', 'file')),  # a binary file has no lines
])
def test_the_old_side_without_lines(location: Location, expected: tuple[str, str]) -> None:
    assert place_one(location) == expected


SERVICE = '''\
class Service:
    retries = 3
    timeout = 10

    def start(self):
        a = 1
        b = 2
        c = 3
        d = 4
        return a

    def stop(self):
        return None


def main():
    x = 1
    y = 2
    z = 3
    w = 4
    return x
'''
SERVICE_CHANGE = Change((FileChange('svc.py', 'svc.py', 'modified', added=((6, 6), (17, 17))),), 'test')


@pytest.mark.parametrize(('location', 'placement'), [
    (Location('svc.py', symbol='main'), 'symbol'),  # a touched function
    (Location('svc.py', symbol='Service'), 'symbol'),  # a touched class
    (Location('svc.py', symbol='stop'), 'file'),  # an untouched method of a touched class
    (Location('svc.py', symbol='start'), 'symbol'),
    (Location('svc.py', 20), 'symbol'),  # far inside a touched function
    (Location('svc.py', 3), 'symbol'),  # in a touched class, in no method
    (Location('svc.py', 13), 'file'),  # in an untouched method of a touched class
    (Location('svc.py', 9), 'symbol'),
])
def test_symbol_placement_takes_the_innermost_definition(location: Location, placement: str) -> None:
    report = Report('r', REVIEWER, (Finding('t', 'low', location=location),))
    [placed] = place([report], SERVICE_CHANGE, root=None,
                            code=code({'svc.py'}, {'svc.py': SERVICE}), context=1)
    assert (placed.path, placed.placement) == ('svc.py', placement)
