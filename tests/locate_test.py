from __future__ import annotations

import pytest

from findings_gate import locate
from findings_gate.model import Change, FileChange, Finding, Location, Report, Reviewer

REVIEWER = Reviewer('r', 'human')
CHANGE = Change((
    FileChange('src/app.py', 'src/app.py', 'modified', added=((10, 12), (40, 40)),
               deleted=((10, 11),), gaps=(30, 31)),
    FileChange('new.py', None, 'added', added=((1, 5),)),
    FileChange('gone.py', 'gone.py', 'deleted', deleted=((1, 8),)),
    FileChange('lib/renamed.py', 'lib/old.py', 'renamed', added=((3, 3),), deleted=((3, 3),)),
    FileChange('logo.png', 'logo.png', 'modified', binary=True),
), 'test')
KNOWN = {'src/app.py', 'new.py', 'lib/renamed.py', 'logo.png', 'docs/readme.md', 'a/real.py'}


def place_one(location: Location | None, context: int = 3) -> tuple[str | None, str]:
    report = Report('r.json', REVIEWER, (Finding('t', 'high', location=location),))
    [placed] = locate.place([report], CHANGE, root='/repo', exists=KNOWN.__contains__,
                            context=context)
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
    (27, None, 'context'),  # next to a removal
    (34, None, 'context'),
    (35, None, 'file'),
    (43, None, 'context'),
    (44, None, 'file'),
])
def test_lines_of_a_modified_file(start: int, end: int | None, placement: str) -> None:
    assert place_one(Location('src/app.py', start, end)) == ('src/app.py', placement)


def test_context_width_is_configurable() -> None:
    assert place_one(Location('src/app.py', 13), context=0) == ('src/app.py', 'file')
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
    [placed] = locate.place([report], change, root='/repo', exists=lambda p: False, context=3)
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
    [placed] = locate.place([report], CHANGE, root='/repo', exists=KNOWN.__contains__, context=3)
    assert placed.placement == 'unlocated'
    assert placed.reason == reason


def test_untouched_and_unlocated() -> None:
    assert place_one(Location('docs/readme.md', 2)) == ('docs/readme.md', 'untouched')
    assert place_one(None) == (None, 'unlocated')
    assert place_one(Location(symbol='main')) == (None, 'unlocated')


def test_every_finding_is_placed_once_in_report_order() -> None:
    findings = tuple(Finding(str(i), 'low', location=Location('src/app.py', i)) for i in range(1, 60))
    reports = [Report('a', REVIEWER, findings[:30]), Report('b', REVIEWER, findings[30:])]
    placed = locate.place(reports, CHANGE, root=None, exists=lambda p: True, context=3)
    assert [p.finding for p in placed] == list(findings)
