"""Many records built at once, without the cyclic garbage collector's passes over them.

A report of 100,000 findings makes millions of dicts and tuples, none in a
cycle; the collector's passes over them took 1.3 s of a 7.3 s run (bench/run.py,
the large change). Reference counting frees them as before.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def building() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
