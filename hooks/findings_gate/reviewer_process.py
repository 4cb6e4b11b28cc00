"""The reviewer `findings-gate review` runs: any program, given a request on standard input,
whose standard output is its review. The only module besides git.py and ssh_signature.py
that runs a process.

The command is split as a POSIX shell splits words (shlex), and run without a shell: a
command line is never interpreted, only its words passed on. A reviewer that exits with a
status other than 0, outlasts its timeout, or prints nothing gave no review: each is an
error that shows the last lines of its standard error, never an empty review.
"""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
from pathlib import Path

from findings_gate.errors import GateError, shown

STDERR_LINES = 10  # of the reviewer's standard error, shown with an error


def words(command: str) -> list[str]:
    """The program and its arguments, as a POSIX shell splits `command` into words."""
    try:
        argv = shlex.split(command)
    except ValueError as e:
        raise GateError(f'--command {shown(command)}: cannot split it into words: {e}; '
                        f'close the quotes') from None
    if not argv:
        raise GateError('--command is empty; name the reviewer to run, for example --command "llm -m gpt-4o"')
    return argv


def _said(stderr: bytes) -> list[str]:
    """The last lines the reviewer wrote to standard error, each as one shown line."""
    lines = [line.strip() for line in stderr.decode('utf-8', 'replace').splitlines() if line.strip()]
    return [shown(line) for line in lines[-STDERR_LINES:]]


def _failed(program: str, what: str, stderr: bytes) -> GateError:
    said = _said(stderr)
    tail = [f'{program}: stderr: {line}' for line in said] or [f'{program}: it wrote nothing to stderr']
    return GateError('\n'.join([f'--command {program}: {what}; no review was made', *tail]))


def run(command: str, request: bytes, *, timeout: float, cwd: Path) -> bytes:
    """The standard output of `command` run in `cwd` with `request` on its standard input."""
    argv = words(command)
    program = shown(os.path.basename(argv[0]))
    try:
        # a session of its own: on a timeout the reviewer and whatever it started are stopped
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except FileNotFoundError:
        raise GateError(f'--command {shown(argv[0])}: no such program; install it, or give its path') from None
    except OSError as e:
        raise GateError(f'--command {program}: cannot run it: {e.strerror}; check the program') from None
    try:
        out, err = proc.communicate(request, timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        out, err = proc.communicate()
        raise _failed(program, f'still running after {timeout:g} s, stopped; raise --timeout '
                               f'or make the reviewer faster', err) from None
    if proc.returncode != 0:
        raise _failed(program, f'exited with status {proc.returncode}', err)
    if not out.strip():
        raise _failed(program, 'printed nothing on standard output', err)
    return out


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the reviewer's whole process group (where there are none, the reviewer)."""
    try:
        if hasattr(os, 'killpg'):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except ProcessLookupError:
        pass
