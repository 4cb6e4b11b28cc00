"""SSH signatures of reports, made and checked by `ssh-keygen -Y sign` and `-Y verify`.

The mechanism git itself uses for SSH-signed commits (`gpg.format ssh`), with the
same allowed-signers file (ssh-keygen(1), "ALLOWED SIGNERS"): one line per key,
`<principals> [options] <key type> <base64 key>`. A report's signature counts
for the principal that is its reviewer's name, in the namespace `findings-gate`
(a key limited with `namespaces="git"` signs no report). The only module
besides git.py that runs a process.
"""
from __future__ import annotations

import os
import subprocess
import tempfile

from findings_gate.errors import GateError, shown

NAMESPACE = 'findings-gate'


def _keygen(args: tuple[str, ...], data: bytes) -> tuple[int, bytes, bytes]:
    try:
        done = subprocess.run(('ssh-keygen', *args), input=data, capture_output=True,
                              env={**os.environ, 'LC_ALL': 'C'})
    except FileNotFoundError:
        raise GateError('ssh-keygen is not installed or not on PATH; install OpenSSH (8.2 or later) '
                        'to sign and check signed reports') from None
    except OSError as e:
        raise GateError(f'cannot run ssh-keygen: {e.strerror}; check the ssh-keygen on PATH') from None
    return done.returncode, done.stdout, done.stderr


def _why(stderr: bytes, code: int) -> str:
    lines = [line.strip() for line in stderr.decode('utf-8', 'replace').splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(('Signing data', 'Write signature'))]
    return shown(lines[-1]) if lines else f'exit status {code}'


def sign(data: bytes, key: str) -> str:
    """The armored signature of `data` by the private key file `key` (or, for a public key
    file, by its key in ssh-agent), as `ssh-keygen -Y sign` makes it."""
    code, out, err = _keygen(('-Y', 'sign', '-n', NAMESPACE, '-f', key), data)
    if code != 0 or not out.startswith(b'-----BEGIN SSH SIGNATURE-----'):
        raise GateError(f'{key}: cannot sign with it: {_why(err, code)}; '
                        f'name an SSH private key, or a public key whose private key ssh-agent holds')
    return out.decode('ascii')


def verify(data: bytes, signature: str, principal: str, signers: str) -> str | None:
    """None when `signature` is a good signature of `data` by a key the allowed-signers text
    `signers` lists for `principal`; otherwise why it is not."""
    with tempfile.TemporaryDirectory(prefix='findings-gate-') as tmp:
        allowed = os.path.join(tmp, 'allowed_signers')
        armored = os.path.join(tmp, 'report.sig')
        with open(allowed, 'w', encoding='utf-8') as f:
            f.write(signers)
        with open(armored, 'w', encoding='utf-8', errors='replace') as f:
            f.write(signature)
        code, _, err = _keygen(('-Y', 'verify', '-n', NAMESPACE, '-f', allowed, '-I', principal,
                                '-s', armored), data)
    if code == 0:
        return None
    reason = _why(err, code)
    return reason if reason != f'exit status {code}' else f'no key the allowed signers list for {shown(principal)} made it'
