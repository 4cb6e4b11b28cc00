from __future__ import annotations

import os
import subprocess

import pytest

from findings_gate.errors import GateError
from findings_gate.model import Change, FileChange, Hunk
from findings_gate.place.diff import parse_diff

# the command the gate runs, followed by `<base> <head>` or `--cached`
GATE_DIFF = (
    'git', '-c', 'core.quotepath=false', '-c', 'diff.noprefix=false',
    '-c', 'diff.mnemonicprefix=false', '-c', 'diff.relative=false',
    'diff', '--no-color', '--no-ext-diff', '--no-textconv',
    '--src-prefix=a/', '--dst-prefix=b/', '-M', '-C', '-U0', '--submodule=short',
)


def run_diff(repo, *revs: str, unified: str = '-U0', quotepath: str = 'false') -> str:
    """LineRange the gate's `git diff`, with the context size and quoting changed if asked."""
    changed = {'-U0': unified, 'core.quotepath=false': f'core.quotepath={quotepath}'}
    command = [changed.get(arg, arg) for arg in GATE_DIFF]
    out = subprocess.run(
        (*command, *revs), cwd=repo.root, check=True, capture_output=True,
    ).stdout
    return out.decode('utf-8', 'surrogateescape')


def changes(repo, *revs: str) -> tuple[FileChange, ...]:
    """The files the gate's diff reports, without their hunks; -U3 and C-quoted paths must not matter.

    Only the hunks differ under -U3: they hold context lines, and changes close together share one.
    """
    gate = parse_diff(run_diff(repo, *revs), 'test').files
    assert parse_diff(run_diff(repo, *revs, quotepath='true'), 'test').files == gate
    gate = tuple(file._replace(hunks=()) for file in gate)
    assert tuple(f._replace(hunks=()) for f in parse_diff(run_diff(repo, *revs, unified='-U3'), 'test').files) == gate
    return gate


def runs(change: Change) -> tuple[FileChange, ...]:
    """The files of a change without their hunks (each test of hunks says what it expects of them)."""
    return tuple(file._replace(hunks=()) for file in change.files)


def lines(count: int) -> str:
    return ''.join(f'line {n}\n' for n in range(1, count + 1))


def test_empty_change(repo):
    repo.write('a.txt', 'a\n')
    base = repo.commit()
    head = repo.commit()
    assert parse_diff(run_diff(repo, base, head), 'abc..def') == Change((), 'abc..def')
    assert parse_diff('', 'staged changes') == Change((), 'staged changes')


def test_new_file(repo):
    base = repo.commit()
    repo.write('src/new.py', lines(3))
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange('src/new.py', None, 'added', added=((1, 3),), new_mode='100644'),
    )


def test_new_empty_file(repo):
    base = repo.commit()
    repo.write('empty.txt', '')
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange('empty.txt', None, 'added', new_mode='100644'),
    )


def test_deleted_file(repo):
    repo.write('gone.txt', lines(3))
    repo.write('kept.txt', 'kept\n')
    base = repo.commit()
    (repo.root / 'gone.txt').unlink()
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange('gone.txt', 'gone.txt', 'deleted', deleted=((1, 3),), old_mode='100644'),
    )


def test_renamed_with_edit(repo):
    repo.write('old/name.py', lines(10))
    base = repo.commit()
    (repo.root / 'old/name.py').unlink()
    repo.write('new/name.py', lines(10).replace('line 5\n', 'five\n'))
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange(
            'new/name.py', 'old/name.py', 'renamed', added=((5, 5),), deleted=((5, 5),),
            old_mode='100644', new_mode='100644',
        ),
    )


def test_pure_rename(repo):
    repo.write('a.txt', lines(5))
    base = repo.commit()
    (repo.root / 'a.txt').rename(repo.root / 'b.txt')
    head = repo.commit()
    assert changes(repo, base, head) == (FileChange('b.txt', 'a.txt', 'renamed'),)


def test_copy_of_a_changed_file(repo):
    repo.write('orig.txt', lines(10))
    base = repo.commit()
    repo.write('copy.txt', lines(11))
    repo.write('orig.txt', lines(10).replace('line 1\n', 'one\n'))
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange(
            'copy.txt', 'orig.txt', 'copied', added=((11, 11),),
            old_mode='100644', new_mode='100644',
        ),
        FileChange(
            'orig.txt', 'orig.txt', 'modified', added=((1, 1),), deleted=((1, 1),),
            old_mode='100644', new_mode='100644',
        ),
    )


def test_pure_copy(repo):
    repo.write('orig.txt', lines(10))
    base = repo.commit()
    repo.write('copy.txt', lines(10))  # no hunk: only `copy to` names it
    repo.write('orig.txt', lines(10).replace('line 1\n', 'one\n'))
    head = repo.commit()
    assert changes(repo, base, head)[0] == FileChange('copy.txt', 'orig.txt', 'copied')


def test_binary_patch(repo):
    repo.write('logo.png', b'\x89PNG\x00\x01')
    base = repo.commit()
    repo.write('logo.png', b'\x89PNG\x00\x02')
    head = repo.commit()
    text = run_diff(repo, '--binary', base, head)
    assert 'GIT binary patch' in text
    assert runs(parse_diff(text, 'x')) == (
        FileChange('logo.png', 'logo.png', 'modified', binary=True, old_mode='100644', new_mode='100644',
                   blob='6bf43ff3d587ad74038d677c18d19d07d7c9f76e'),
    )


def test_files_after_one_without_a_final_newline(repo):
    repo.write('a.txt', 'a\nb')
    repo.write('b.txt', 'x\n')
    base = repo.commit()
    repo.write('a.txt', 'a\nc')
    repo.write('b.txt', 'y\n')
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange('a.txt', 'a.txt', 'modified', added=((2, 2),), deleted=((2, 2),),
                   old_mode='100644', new_mode='100644'),
        FileChange('b.txt', 'b.txt', 'modified', added=((1, 1),), deleted=((1, 1),),
                   old_mode='100644', new_mode='100644'),
    )


def test_git_log_patch(repo):
    repo.write('a.txt', lines(2))
    repo.commit('first\n\n- a list item\n+ and another\n@@ and more')
    repo.write('b.txt', lines(1))
    repo.git('add', '-A')
    repo.git('commit', '-q', '-m', 'second\n\n indented\n-- \nnot a signature')
    text = repo.git('log', '-p', '--no-color', '--no-ext-diff')
    assert [(f.path, f.status, f.added) for f in parse_diff(text, 'log').files] == [
        ('b.txt', 'added', ((1, 1),)), ('a.txt', 'added', ((1, 2),)),
    ]


def test_mail_signature_after_a_file_without_hunks(repo):
    repo.write('run.sh', 'echo hi\n')
    repo.commit()
    os.chmod(repo.root / 'run.sh', 0o755)
    repo.commit()
    text = repo.git('format-patch', '--stdout', '-1')
    assert '\nnew mode 100755\n-- \n' in text
    assert runs(parse_diff(text, 'x')) == (
        FileChange('run.sh', 'run.sh', 'modified', old_mode='100644', new_mode='100755'),
    )


def test_binary_added_and_changed(repo):
    repo.write('logo.png', b'\x89PNG\x00\x01')
    base = repo.commit()
    repo.write('logo.png', b'\x89PNG\x00\x02')
    repo.write('my icon.ico', b'\x00\x00\x01\x00')
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange(
            'logo.png', 'logo.png', 'modified', binary=True, old_mode='100644', new_mode='100644', blob='6bf43ff',
        ),
        FileChange('my icon.ico', None, 'added', binary=True, new_mode='100644', blob='baea61a'),
    )


def test_mode_only(repo):
    repo.write('run.sh', 'echo hi\n')
    repo.write('a b/run me.sh', 'echo hi\n')
    base = repo.commit()
    os.chmod(repo.root / 'run.sh', 0o755)
    os.chmod(repo.root / 'a b/run me.sh', 0o755)
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange(
            'a b/run me.sh', 'a b/run me.sh', 'modified', old_mode='100644', new_mode='100755',
        ),
        FileChange('run.sh', 'run.sh', 'modified', old_mode='100644', new_mode='100755'),
    )


def test_submodule_added_and_updated(repo, tmp_path):
    lib = tmp_path / 'lib'
    repo.git('init', '-q', str(lib))
    repo.git('-C', str(lib), 'commit', '-q', '--allow-empty', '-m', 'one')
    base = repo.commit()
    repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', str(lib), 'vendor/lib')
    added = repo.commit()
    repo.git('-C', str(lib), 'commit', '-q', '--allow-empty', '-m', 'two')
    repo.git('-C', 'vendor/lib', 'pull', '-q')
    updated = repo.commit()

    gitmodules, submodule = changes(repo, base, added)
    assert gitmodules == FileChange(
        '.gitmodules', None, 'added', added=((1, 3),), new_mode='100644',
    )
    assert submodule == FileChange(
        'vendor/lib', None, 'added', added=((1, 1),), submodule=True, new_mode='160000',
    )
    assert changes(repo, added, updated) == (
        FileChange(
            'vendor/lib', 'vendor/lib', 'modified', added=((1, 1),), deleted=((1, 1),),
            submodule=True, old_mode='160000', new_mode='160000',
        ),
    )


@pytest.mark.parametrize('name', (
    'with space.txt', 'two  spaces /x y.txt', 'é.txt', '日本/語.py', 'tab\there', 'say "hi"',
    'back\\slash', 'new\nline', 'a b.txt b/a b.txt',
))
def test_unusual_paths(repo, name):
    repo.write('other.txt', 'other\n')
    base = repo.commit()
    repo.write(name, 'one\ntwo\n')
    repo.write(f'{name}.bin', b'\x00')
    added = repo.commit()
    repo.write(name, 'one\n2\n')
    os.chmod(repo.root / f'{name}.bin', 0o755)
    changed = repo.commit()
    (repo.root / name).rename(repo.root / f'{name}.moved')
    renamed = repo.commit()

    assert changes(repo, base, added) == (
        FileChange(name, None, 'added', added=((1, 2),), new_mode='100644'),
        FileChange(f'{name}.bin', None, 'added', binary=True, new_mode='100644', blob='f76dd23'),
    )
    assert changes(repo, added, changed) == (
        FileChange(
            name, name, 'modified', added=((2, 2),), deleted=((2, 2),),
            old_mode='100644', new_mode='100644',
        ),
        FileChange(f'{name}.bin', f'{name}.bin', 'modified', old_mode='100644', new_mode='100755'),
    )
    assert changes(repo, changed, renamed) == (FileChange(f'{name}.moved', name, 'renamed'),)


def test_non_utf8_path(repo):
    base = repo.commit()
    (repo.root / os.fsdecode(b'caf\xe9.txt')).write_text('x\n')
    head = repo.commit()
    [file] = changes(repo, base, head)
    assert os.fsencode(file.path) == b'caf\xe9.txt'


def test_crlf_content(repo):
    repo.write('win.txt', 'one\r\ntwo\r\nthree\r\n')
    base = repo.commit()
    repo.write('win.txt', 'one\r\n2\r\nthree\r\nfour\r\n')
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange(
            'win.txt', 'win.txt', 'modified', added=((2, 2), (4, 4)), deleted=((2, 2),),
            old_mode='100644', new_mode='100644',
        ),
    )


def test_line_breaks_that_are_content(repo):
    repo.write('odd.txt', 'a\nb\nc\n')
    base = repo.commit()
    repo.write('odd.txt', 'a\nform\x0cfeed\nsep\u2028ar\x1cator\x85\nb\ncr\ronly\nc\n')
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange(
            'odd.txt', 'odd.txt', 'modified', added=((2, 3), (5, 5)),
            old_mode='100644', new_mode='100644',
        ),
    )


@pytest.mark.parametrize(('before', 'after', 'added', 'deleted', 'removals'), (
    ('a\nb', 'a\nc', ((2, 2),), ((2, 2),), ()),  # neither side ends with a newline
    ('a\nb', 'a\nb\n', ((2, 2),), ((2, 2),), ()),  # a newline is added
    ('a\nb\n', 'a\nb', ((2, 2),), ((2, 2),), ()),  # the newline is removed
    ('a\nb', 'a\nb\nc\nd', ((2, 4),), ((2, 2),), ()),
    ('a\nb', 'a\nx\nb', ((2, 2),), (), ()),
    ('a\nb\nc', 'a\nc', (), ((2, 2),), (1,)),  # lines were removed after line 1
    ('a\nb\nc', 'a\nb', ((2, 2),), ((2, 3),), ()),
))
def test_no_newline_at_end_of_file(repo, before, after, added, deleted, removals):
    repo.write('f.txt', before)
    base = repo.commit()
    repo.write('f.txt', after)
    head = repo.commit()
    [file] = changes(repo, base, head)
    assert (file.added, file.deleted, file.removals) == (added, deleted, removals)


def test_many_hunks(repo):
    repo.write('big.txt', lines(100))
    base = repo.commit()
    text = lines(100).replace('line 10\n', 'ten\n')
    text = text.replace('line 30\nline 31\nline 32\n', '')  # new 30 is old 33
    text = text.replace('line 50\n', 'fifty\nfifty-one\n')  # changed and added
    text = text.replace('line 60\nline 61\n', 'sixty\n')  # changed and deleted
    text = text.replace('line 80\n', 'line 80\ninserted\n')
    text = text.replace('line 100\n', '')
    repo.write('big.txt', text)
    head = repo.commit()
    headers = [line for line in run_diff(repo, base, head).splitlines() if line.startswith('@@')]
    assert headers == [  # counts of 1 left out, counts of 0
        '@@ -10 +10 @@ line 9', '@@ -30,3 +29,0 @@ line 29', '@@ -50 +47,2 @@ line 49',
        '@@ -60,2 +58 @@ line 59', '@@ -80,0 +78 @@ line 80', '@@ -100 +97,0 @@ line 99',
    ]
    assert changes(repo, base, head) == (
        FileChange(
            'big.txt', 'big.txt', 'modified',
            added=((10, 10), (47, 48), (58, 58), (78, 78)),
            deleted=((10, 10), (30, 32), (50, 50), (60, 61), (100, 100)),
            removals=(29, 97),
            old_mode='100644', new_mode='100644',
        ),
    )
    [file] = parse_diff(run_diff(repo, base, head), 'test').files
    assert file.hunks == (  # as the headers count them, with the function git names and the body
        Hunk(10, 1, 10, 1, ' line 9', ('-line 10', '+ten')),
        Hunk(30, 3, 29, 0, ' line 29', ('-line 30', '-line 31', '-line 32')),
        Hunk(50, 1, 47, 2, ' line 49', ('-line 50', '+fifty', '+fifty-one')),
        Hunk(60, 2, 58, 1, ' line 59', ('-line 60', '-line 61', '+sixty')),
        Hunk(80, 0, 78, 1, ' line 80', ('+inserted',)),
        Hunk(100, 1, 97, 0, ' line 99', ('-line 100',)),
    )
    [file] = parse_diff(run_diff(repo, base, head, unified='-U1'), 'test').files
    assert file.hunks[0] == Hunk(9, 3, 9, 3, ' line 8', (' line 9', '-line 10', '+ten', ' line 11'))


def test_deletion_at_the_top(repo):
    repo.write('f.txt', lines(5))
    base = repo.commit()
    repo.write('f.txt', lines(5).replace('line 1\nline 2\n', ''))
    head = repo.commit()
    [file] = changes(repo, base, head)
    assert (file.deleted, file.removals) == (((1, 2),), (0,))  # before the first line


def test_content_that_looks_like_headers(repo):
    tricky = 'diff --git a/x b/x\n-- \n--- a/x\n+++ b/x\n@@ -1 +1 @@\n\\ No newline\n'
    repo.write('tricky.txt', 'keep\n' + tricky.replace('-- \n', '- \n').replace('+++', '++'))
    base = repo.commit()
    repo.write('tricky.txt', 'keep\n' + tricky)
    repo.write('z.txt', tricky + lines(20))  # too unlike tricky.txt to be a copy
    head = repo.commit()
    assert changes(repo, base, head) == (
        FileChange(
            'tricky.txt', 'tricky.txt', 'modified',
            added=((3, 3), (5, 5)), deleted=((3, 3), (5, 5)), old_mode='100644', new_mode='100644',
        ),
        FileChange('z.txt', None, 'added', added=((1, 26),), new_mode='100644'),
    )


def test_staged_changes(repo):
    repo.write('a.txt', lines(3))
    repo.commit()
    repo.write('a.txt', lines(4))
    repo.git('add', 'a.txt')
    repo.write('a.txt', lines(5))  # not staged
    assert changes(repo, '--cached') == (
        FileChange(
            'a.txt', 'a.txt', 'modified', added=((4, 4),), old_mode='100644', new_mode='100644',
        ),
    )


def test_a_large_hunk():  # speed is measured in bench/, not asserted here
    body = ''.join(f'-old {n}\n+new {n}\n context\n' for n in range(70_000))
    text = f'diff --git a/big b/big\n--- a/big\n+++ b/big\n@@ -1,140000 +1,140000 @@\n{body}'
    [file] = parse_diff(text, 'big').files
    assert len(file.added) == 70_000
    assert file.added[-1] == (139_999, 139_999)


# literal text: formats that git is not asked for, and broken input

def test_context_lines_and_omitted_counts():
    text = (
        'diff --git a/f.py b/f.py\n'
        'index 1111111..2222222 100755\n'
        '--- a/f.py\n'
        '+++ b/f.py\n'
        '@@ -1,4 +1,4 @@ def f():\n'
        ' one\n'
        '-two\n'
        '+2\n'
        ' three\n'
        ' \n'
        '@@ -9 +9,2 @@\n'
        ' nine\n'
        '+ten\n'
        '@@ -20,3 +21,2 @@\n'
        ' a\n'
        '-b\n'
        ' c\n'
        '@@ -30,2 +29,0 @@\n'
        '-x\n'
        '-y\n'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange(
            'f.py', 'f.py', 'modified', added=((2, 2), (10, 10)),
            deleted=((2, 2), (21, 21), (30, 31)), removals=(21, 29),
            old_mode='100755', new_mode='100755',
        ),
    )


def test_blank_line_is_a_context_line():
    text = '--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n\n'
    assert runs(parse_diff(text, 'x')) == (
        FileChange('f', 'f', 'modified', added=((2, 2),), deleted=((2, 2),)),
    )


def test_hunks_out_of_order_without_a_final_newline():
    text = (
        '--- a/f\n+++ b/f\n'
        '@@ -5 +5 @@\n-e\n+E\n@@ -1,2 +1,2 @@\n-a\n-b\n+A\n+B\n@@ -3 +3 @@\n-c\n+C'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange('f', 'f', 'modified', added=((1, 3), (5, 5)), deleted=((1, 3), (5, 5))),
    )


@pytest.mark.parametrize(('hunks', 'added', 'deleted'), (
    ('@@ -5 +5 @@\n-e\n+E\n@@ -4 +4 @@\n-d\n+D\n', ((4, 5),), ((4, 5),)),
    ('@@ -3 +3 @@\n-c\n+C\n@@ -1,2 +1,2 @@\n-a\n-b\n+A\n+B\n', ((1, 3),), ((1, 3),)),
    ('@@ -1 +1 @@\n-a\n+A\n@@ -10 +10 @@\n-j\n+J\n@@ -2 +2 @@\n-b\n+B\n',
     ((1, 2), (10, 10)), ((1, 2), (10, 10))),
    ('@@ -4,3 +4,3 @@\n-d\n-e\n-f\n+D\n+E\n+F\n@@ -5 +5 @@\n-e\n+E\n', ((4, 6),), ((4, 6),)),
    ('@@ -5 +5 @@\n-e\n\\ No newline at end of file\n+E\n\\ No newline at end of file\n'
     '@@ -1 +1 @@\n-a\n+A\n', ((1, 1), (5, 5)), ((1, 1), (5, 5))),
))
def test_hunks_in_any_order_give_the_union_of_their_lines(hunks, added, deleted):
    [file] = parse_diff(f'--- a/f\n+++ b/f\n{hunks}', 'x').files
    assert (file.added, file.deleted) == (added, deleted)


def test_plain_file_without_hunks():
    text = '--- a/f\n+++ b/f\n--- a/g\n+++ b/g\n@@ -1 +0,0 @@\n-g\n'
    assert runs(parse_diff(text, 'x')) == (
        FileChange('f', 'f', 'modified'),
        FileChange('g', 'g', 'modified', deleted=((1, 1),), removals=(0,)),
    )


def test_no_prefix():
    text = (
        'diff --git src/a.py src/a.py\n'
        'index 1111111..2222222 100644\n'
        '--- src/a.py\n'
        '+++ src/a.py\n'
        '@@ -1 +1 @@\n'
        '-a\n'
        '+b\n'
        'diff --git b/new.py b/new.py\n'
        'new file mode 100644\n'
        'index 0000000..3333333\n'
        '--- /dev/null\n'
        '+++ b/new.py\n'
        '@@ -0,0 +1 @@\n'
        '+new\n'
        'diff --git my file.bin my file.bin\n'
        'new file mode 100644\n'
        'index 0000000..3333333\n'
        'Binary files /dev/null and my file.bin differ\n'
        'diff --git "tab\\there" "tab\\there"\n'
        'old mode 100644\n'
        'new mode 100755\n'
        'diff --git a/old.txt a/new.txt\n'
        'similarity index 100%\n'
        'rename from a/old.txt\n'
        'rename to a/new.txt\n'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange(
            'src/a.py', 'src/a.py', 'modified', added=((1, 1),), deleted=((1, 1),),
            old_mode='100644', new_mode='100644',
        ),
        FileChange('b/new.py', None, 'added', added=((1, 1),), new_mode='100644'),
        FileChange('my file.bin', None, 'added', binary=True, new_mode='100644', blob='3333333'),
        FileChange('tab\there', 'tab\there', 'modified', old_mode='100644', new_mode='100755'),
        FileChange('a/new.txt', 'a/old.txt', 'renamed'),
    )


def test_quoted_forms_of_the_git_line():
    text = (
        'diff --git a/plain "b/caf\\303\\251"\n'
        'similarity index 100%\n'
        'rename from plain\n'
        'rename to "caf\\303\\251"\n'
        'diff --git "a/q\\"uote\\\\" "b/q\\"uote\\\\"\n'
        'deleted file mode 100644\n'
        'Binary files "a/q\\"uote\\\\" and /dev/null differ\n'
        'diff --git "a/\\a\\b\\f\\n\\r\\v\\001" b/x\n'
        'similarity index 100%\n'
        'rename from "\\a\\b\\f\\n\\r\\v\\001"\n'
        'rename to x\n'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange('café', 'plain', 'renamed'),
        FileChange('q"uote\\', 'q"uote\\', 'deleted', binary=True, old_mode='100644'),
        FileChange('x', '\a\b\f\n\r\v\x01', 'renamed'),
    )


def test_submodule_without_modes():
    text = (
        'diff --git a/lib b/lib\n--- a/lib\n+++ b/lib\n@@ -1 +1 @@\n'
        '-Subproject commit 1111111111111111111111111111111111111111\n'
        '+Subproject commit 2222222222222222222222222222222222222222-dirty\n'
    )
    [file] = parse_diff(text, 'x').files
    assert file.submodule


def test_added_submodule_without_modes():
    text = (
        'diff --git a/lib b/lib\n--- /dev/null\n+++ b/lib\n@@ -0,0 +1 @@\n'
        '+Subproject commit 1111111111111111111111111111111111111111\n'
    )
    [file] = parse_diff(text, 'x').files
    assert (file.status, file.submodule) == ('added', True)


def test_mnemonic_prefixes():
    text = 'diff --git i/f w/f\n--- i/f\n+++ w/f\n@@ -1 +1 @@\n-a\n+b\n'
    [file] = parse_diff(text, 'x').files
    assert (file.path, file.old_path) == ('f', 'f')


def test_plain_diff_u():
    text = (
        '--- old.txt\t2026-01-01 10:00:00.000000000 +0100\n'
        '+++ new.txt\t2026-01-02 10:00:00.000000000 +0100\n'
        '@@ -1,2 +1,2 @@\n'
        ' a\n'
        '-b\n'
        '+c\n'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange('new.txt', 'old.txt', 'modified', added=((2, 2),), deleted=((2, 2),)),
    )


def test_plain_recursive_diff_with_missing_sides():
    text = (
        'diff -ruN old/a.txt new/a.txt\n'
        '--- old/a.txt\t2026-01-01 10:00:00.000000000 +0100\n'
        '+++ new/a.txt\t2026-01-02 10:00:00.000000000 +0100\n'
        '@@ -1 +1 @@\n'
        '-a\n'
        '+b\n'
        'Only in old: c.txt\n'
        'diff -ruN old/new.txt new/new.txt\n'
        '--- old/new.txt\t1970-01-01 01:00:00.000000000 +0100\n'
        '+++ new/new.txt\t2026-01-02 10:00:00.000000000 +0100\n'
        '@@ -0,0 +1,2 @@\n'
        '+x\n'
        '+y\n'
        'diff -ruN old/gone.txt new/gone.txt\n'
        '--- old/gone.txt\t2026-01-01 10:00:00.000000000 -0500\n'
        '+++ new/gone.txt\t1969-12-31 19:00:00.000000000 -0500\n'
        '@@ -1 +0,0 @@\n'
        '-z\n'
        '--- /dev/null\n'
        '+++ b/dev.txt\n'
        '@@ -0,0 +1 @@\n'
        '+d\n'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange('a.txt', 'a.txt', 'modified', added=((1, 1),), deleted=((1, 1),)),
        FileChange('new.txt', None, 'added', added=((1, 2),)),
        FileChange('gone.txt', 'gone.txt', 'deleted', deleted=((1, 1),)),
        FileChange('dev.txt', None, 'added', added=((1, 1),)),
    )


def test_mail_text_around_the_diff():
    patch = (
        'From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n'
        'From: Test Author <author@example.com>\n'
        'Subject: [PATCH {n}/2] change\n'
        '\n'
        '- a bullet\n'
        '+ another\n'
        '@@ not a hunk\n'
        '---\n'
        ' f{n}.txt | 2 +-\n'
        ' 1 file changed, 1 insertion(+), 1 deletion(-)\n'
        '\n'
        'diff --git a/f{n}.txt b/f{n}.txt\n'
        'index 1111111..2222222 100644\n'
        '--- a/f{n}.txt\n'
        '+++ b/f{n}.txt\n'
        '@@ -1 +1 @@\n'
        '-a\n'
        '+b\n'
        '-- \n'
        '2.39.5\n'
        '\n'
    )
    text = patch.format(n=1) + patch.format(n=2)
    assert [file.path for file in parse_diff(text, 'x').files] == ['f1.txt', 'f2.txt']
    no_signature = text.replace('-- \n2.39.5\n\n', '')
    assert parse_diff(no_signature, 'x') == parse_diff(text, 'x')


def test_text_before_the_first_file():
    text = (
        'Notes on the change:\n'
        '- removed the old path\n'
        '+ added a check\n'
        ' @ indented\n'
        '+++ not a header\n'
        '\n'
        'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange('f', 'f', 'modified', added=((1, 1),), deleted=((1, 1),)),
    )


def test_crlf_diff_text():
    text = (
        'diff --git a/f b/f\r\nindex 1..2 100644\r\n'
        '--- a/f\r\n+++ b/f\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n'
    )
    assert runs(parse_diff(text, 'x')) == (
        FileChange(
            'f', 'f', 'modified', added=((1, 1),), deleted=((1, 1),),
            old_mode='100644', new_mode='100644',
        ),
    )


GIT_HEADER = 'diff --git a/f b/f\n--- a/f\n+++ b/f\n'


@pytest.mark.parametrize(('text', 'message'), (
    (
        GIT_HEADER + '@@ -x +y @@\n',
        "line 4: hunk header '@@ -x +y @@' does not parse; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@@ -1,2 -1,2 +1,3 @@@\n',
        "line 4: hunk header '@@@ -1,2 -1,2 +1,3 @@@' does not parse; "
        'pass a unified diff (git diff)',
    ),
    (
        GIT_HEADER + '@@ -0,1 +1 @@\n-a\n+b\n',
        "line 4: hunk header '@@ -0,1 +1 @@' counts from line 0; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -1,3 +1,3 @@\n a\n-b\n+c\n',
        "line 4: hunk '@@ -1,3 +1,3 @@' is cut short by the end of the diff, "
        '1 old and 1 new lines missing; pass a unified diff (git diff)',
    ),
    (
        GIT_HEADER + '@@ -1,3 +1,3 @@\n a\n-b\n+c\n' + GIT_HEADER,
        'line 8: the hunk at line 4 ends early, 1 old and 1 new lines missing; '
        'pass a unified diff (git diff)',
    ),
    (
        GIT_HEADER + '@@ -1 +1 @@\n-a\n+b\n+c\n',
        "line 7: '+' line outside any hunk; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -1 +1,2 @@\n-a\n-b\n+c\n',
        "line 6: more lines than the hunk header at line 4 ('@@ -1 +1,2 @@') counts; "
        'pass a unified diff (git diff)',
    ),
    (
        'diff --git a/f b/f\n+a\n',
        "line 2: '+' line outside any hunk; pass a unified diff (git diff)",
    ),
    (
        'diff --git a/f b/f\n-a\n',
        "line 2: '-' line outside any hunk; pass a unified diff (git diff)",
    ),
    (
        'diff --git a/f b/f\n a\n',
        "line 2: ' ' line outside any hunk; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -1 +1 @@\n-a\n+b\n-c\n',
        "line 7: '-' line outside any hunk; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -1 +1 @@\n-a\n+b\n c\n',
        "line 7: ' ' line outside any hunk; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -1 +1 @@\n-a\n+b\n--- a/g',
        "line 7: '-' line outside any hunk; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -1,2 +1 @@\n-a\n+b\n+c\n',
        "line 7: more lines than the hunk header at line 4 ('@@ -1,2 +1 @@') counts; "
        'pass a unified diff (git diff)',
    ),
    (
        GIT_HEADER + '@@ -1,2 +1 @@\n-a\n+b\n c\n',
        "line 7: more lines than the hunk header at line 4 ('@@ -1,2 +1 @@') counts; "
        'pass a unified diff (git diff)',
    ),
    (
        GIT_HEADER + '@@ -1,2 +1 @@\n-a\n+b\n\n',
        "line 7: more lines than the hunk header at line 4 ('@@ -1,2 +1 @@') counts; "
        'pass a unified diff (git diff)',
    ),
    (
        GIT_HEADER + '@@ -x +1 @@' + 'y' * 189 + '\n',
        f"line 4: hunk header '@@ -x +1 @@{'y' * 189}' does not parse; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -x +1 @@' + 'y' * 190 + '\n',
        f"line 4: hunk header '@@ -x +1 @@{'y' * 189}...' does not parse; pass a unified diff (git diff)",
    ),
    (
        GIT_HEADER + '@@ -1 +1 @@\n-a\n+b\n\n@@ -5 +5 @@\n-a\n+b\n',
        'line 8: hunk header outside any file; pass a unified diff (git diff)',
    ),
    (
        'diff --git "a/bad\\q" "b/bad\\q"\nold mode 100644\nnew mode 100755\n',
        'line 1: bad escape in quoted path \'"a/bad\\\\q" "b/bad\\\\q"\'; '
        'pass a unified diff (git diff)',
    ),
    (
        'diff --git "a/open b/open\nold mode 100644\nnew mode 100755\n',
        'line 1: unterminated quoted path \'"a/open b/open\'; pass a unified diff (git diff)',
    ),
    (
        '--- /dev/null\n+++ /dev/null\n',
        'line 1: both sides of the file are /dev/null; pass a unified diff (git diff)',
    ),
    (
        'diff --git a/x b/y\nold mode 100644\nnew mode 100755\n',
        "line 1: cannot tell the path of the file from 'diff --git a/x b/y'; "
        'pass a unified diff (git diff)',
    ),
))
def test_malformed(text, message):
    with pytest.raises(GateError) as excinfo:
        parse_diff(text, 'x')
    assert str(excinfo.value) == message


def test_hunks_read_from_their_headers_agree_with_hunks_read_line_by_line(repo, monkeypatch):
    """-U0 hunks are taken from their headers; a walk of every line must give the same."""
    import random

    from findings_gate.place import diff

    rng = random.Random(6)
    originals = {}
    for n in range(30):
        originals[f'f{n}.txt'] = [f'line {k}' for k in range(rng.randint(0, 60))]
        repo.write(f'f{n}.txt', ''.join(f'{x}\n' for x in originals[f'f{n}.txt']))
    repo.commit('base')
    for name, old in originals.items():
        new = list(old)
        for _ in range(rng.randint(1, 6)):
            at = rng.randint(0, len(new))
            cut = rng.randint(0, 3)
            new[at:at + cut] = [f'new {rng.random()}' for _ in range(rng.randint(0, 4))]
        text = ''.join(f'{x}\n' for x in new)
        repo.write(name, text[:-1] if rng.random() < 0.2 else text)  # some without a last newline
    repo.git('add', '-A')
    fast = parse_diff(run_diff(repo, '--cached'), 'test')
    monkeypatch.setattr(diff, '_removes_then_adds', lambda *args: False)
    assert parse_diff(run_diff(repo, '--cached'), 'test') == fast
    assert runs(parse_diff(run_diff(repo, '--cached', unified='-U3'), 'test')) == runs(fast)  # hunks hold context
    assert sum(len(f.added) + len(f.deleted) + len(f.removals) for f in fast.files) > 100
