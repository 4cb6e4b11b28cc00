from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from findings_gate import cache
from findings_gate.documents import parse_yaml
from findings_gate.errors import GateError
from findings_gate.model import InvalidReport, Report
from findings_gate.read import sources

REPORT = {'version': 1, 'reviewer': {'name': 'r', 'kind': 'llm'},
          'findings': [{'title': 'first reading', 'severity': 'low'}]}


def entries(kind: str) -> list[Path]:
    folder = cache.directory()
    assert folder is not None
    return sorted((folder / kind).glob('*.json')) if (folder / kind).is_dir() else []


def test_a_valid_report_is_kept_and_read_back_from_the_cache() -> None:
    source = sources.Source('a.json', json.dumps(REPORT).encode())
    first = sources.read(source)
    assert isinstance(first, Report) and first.findings[0].title == 'first reading'
    [kept] = entries('report-detected')
    [[origin, document]] = json.loads(kept.read_text())  # each report the file holds, with its origin
    assert (origin, document['findings'][0]['title']) == ('a.json', 'first reading')
    document['findings'][0]['title'] = 'from the cache'
    kept.write_text(json.dumps([[origin, document]]))
    again = sources.read(source)
    assert isinstance(again, Report)
    assert (again.origin, again.findings[0].title) == ('a.json', 'from the cache')


def test_the_name_a_report_is_read_under_is_part_of_the_key() -> None:
    prose = b'1. SQL injection in `app.py` line 3: the query is built from user input.\n'
    first = sources.read(sources.Source('alice.md', prose))
    second = sources.read(sources.Source('bob.md', prose))
    assert isinstance(first, Report) and isinstance(second, Report)
    assert (first.reviewer.name, second.reviewer.name) == ('alice', 'bob')  # from the file name
    assert len(entries('report-detected')) == 2


def test_the_format_asked_for_is_part_of_the_key() -> None:
    source = sources.Source('a.json', json.dumps(REPORT).encode())
    sources.read(source)
    sources.read(source, 'native')
    assert len(entries('report-detected')) == len(entries('report-native')) == 1


def test_an_invalid_report_is_not_kept() -> None:
    bad = dict(REPORT, findings=[{'title': 't', 'severity': 'severe'}])
    source = sources.Source('bad.json', json.dumps(bad).encode())
    assert isinstance(sources.read(source), InvalidReport)
    assert isinstance(sources.read(source), InvalidReport)
    assert entries('report-detected') == []


def test_a_damaged_entry_is_read_again() -> None:
    source = sources.Source('a.json', json.dumps(REPORT).encode())
    sources.read(source)
    [kept] = entries('report-detected')
    kept.write_text('{"version": 1, "revi')
    report = sources.read(source)
    assert isinstance(report, Report) and report.findings[0].title == 'first reading'


def test_an_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FINDINGS_GATE_CACHE', '')
    assert cache.directory() is None
    assert isinstance(sources.read(sources.Source('a.json', json.dumps(REPORT).encode())), Report)
    assert cache.get('yaml', b'a: 1') is None


def test_xdg_cache_home_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv('FINDINGS_GATE_CACHE')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    assert cache.directory() == tmp_path / 'xdg' / 'findings-gate'
    monkeypatch.delenv('XDG_CACHE_HOME')
    monkeypatch.setenv('HOME', str(tmp_path))
    assert cache.directory() == tmp_path / '.cache' / 'findings-gate'


def test_yaml_is_kept_only_when_it_is_plain_json() -> None:
    assert parse_yaml('a: [1, 2.5, true, null, "x"]\n', 'p') == {'a': [1, 2.5, True, None, 'x']}
    assert len(entries('yaml')) == 1
    assert parse_yaml('a: [1, 2.5, true, null, "x"]\n', 'p') == {'a': [1, 2.5, True, None, 'x']}
    with pytest.raises(GateError, match='the key 1 is not text'):  # refused, and not kept
        parse_yaml('1: x\n', 'p')
    assert parse_yaml('when: 2024-05-01\n', 'p') == {'when': __import__('datetime').date(2024, 5, 1)}
    assert parse_yaml('a: &x [1]\nb: *x\n', 'p') == {'a': [1], 'b': [1]}
    assert len(entries('yaml')) == 2


def test_an_unwritable_cache_is_no_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / 'file').write_text('not a directory')
    monkeypatch.setenv('FINDINGS_GATE_CACHE', str(tmp_path / 'file'))
    assert isinstance(sources.read(sources.Source('a.json', json.dumps(REPORT).encode())), Report)
    assert parse_yaml('a: 1\n', 'p') == {'a': 1}


def test_older_entries_go_when_there_are_too_many(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, 'KEEP', 4)
    for n in range(12):
        cache.put('yaml', f'a: {n}'.encode(), {'a': n})
        [path] = [p for p in entries('yaml') if json.loads(p.read_text()) == {'a': n}]
        os.utime(path, ns=(n * 10**9, n * 10**9))
    kept = [json.loads(p.read_text())['a'] for p in entries('yaml')]
    assert len(kept) <= 5 and 11 in kept and 0 not in kept
    assert cache.get('yaml', b'a: 11') == {'a': 11}


def test_large_inputs_are_not_kept() -> None:
    data = b' ' * (cache.MAX_BYTES + 1)
    cache.put('yaml', data, {'a': 1})
    assert cache.get('yaml', data) is None and entries('yaml') == []


def test_a_reading_depends_on_every_file_below_the_package_and_on_the_libraries(tmp_path: Path) -> None:
    package = tmp_path / 'package'
    (package / 'read' / 'prose').mkdir(parents=True)
    deep = package / 'read' / 'prose' / 'units.py'
    deep.write_text('A = 1\n')
    (package / 'notes.txt').write_text('not code')
    library = tmp_path / 'site' / 'yaml'
    library.mkdir(parents=True)
    (library / '__init__.py').write_text("__version__ = '6.0.3'\n")
    search = [str(tmp_path / 'site')]
    before = cache.stamps([package], ['yaml', 'absentlib'], search)
    assert 'absentlib: absent' in before
    (package / 'notes.txt').write_text('still not code, and longer')
    assert cache.stamps([package], ['yaml', 'absentlib'], search) == before
    deep.write_text('A = 22\n')  # a module two folders down
    after_code = cache.stamps([package], ['yaml', 'absentlib'], search)
    assert after_code != before
    (library / '__init__.py').write_text("__version__ = '6.0.4'\n")  # a new release of a library
    assert cache.stamps([package], ['yaml', 'absentlib'], search) != after_code
