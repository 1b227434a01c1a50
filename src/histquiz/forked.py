"""Work spread over the machine's cores by forking: the children start with everything this
process has built (decks, items, indexes) without copying or pickling it, and send back only
their results.

Used where a run is big enough to gain (generating the items of thousands of facts, writing
the formats of a build). The results are the same as in one process, in the same order: each
task is computed the same way wherever it runs. Where forking is not available (Windows) or
not safe (macOS, whose system libraries may not survive a fork), or the machine has one core,
everything runs here. A child that fails for any reason has its task run again here, so a
fork never changes what the user sees, only how long it takes.

``HISTQUIZ_JOBS`` caps the number of processes (``1`` turns forking off).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENV = "HISTQUIZ_JOBS"


def can_fork() -> bool:
    """Is forking available here, and safe?"""
    return hasattr(os, "fork") and sys.platform != "darwin"


def jobs() -> int:
    """How many processes a task may use: the cores this process may run on, capped by
    ``HISTQUIZ_JOBS``; 1 where forking is not available or not safe."""
    if not can_fork():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    setting = os.environ.get(ENV, "").strip()
    if setting.isdigit() and int(setting) >= 1:
        cores = min(cores, int(setting))
    return max(1, cores)


def run(func: Callable[[T], R], tasks: Sequence[T], processes: int | None = None) -> list[R]:
    """``[func(t) for t in tasks]``, the first task here and each other in a forked child
    while this process works (at most ``processes`` at once, ``jobs()`` by default)."""
    limit = jobs() if processes is None else max(1, processes) if can_fork() else 1
    if limit < 2 or len(tasks) < 2:
        return [func(t) for t in tasks]
    results: list[R] = []
    for start in range(0, len(tasks), limit):
        batch = tasks[start:start + limit]
        children = [_spawn(func, task) for task in batch[1:]]
        try:
            results.append(func(batch[0]))
            for n, (task, child) in enumerate(zip(batch[1:], children, strict=True)):
                found: tuple[R] | None = _collect(child)
                children[n] = None  # collected
                results.append(func(task) if found is None else found[0])
        except BaseException:
            _stop(children)  # interrupted here (Ctrl-C, an error): no child works on unseen
            raise
    return results


def _stop(children: Sequence[tuple[int, int] | None]) -> None:
    """End the children not yet collected, and wait for them."""
    for child in children:
        if child is None:
            continue
        pid, _read_end = child  # the pipe is left to close with this process
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


def _spawn(func: Callable[[T], R], task: T) -> tuple[int, int] | None:
    """A child computing ``func(task)`` and writing its pickled result to a pipe: (pid, the
    pipe's end to read), or None if no child could be made."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps(func(task), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        except BaseException:  # any failure: the parent runs the task again
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int] | None) -> tuple[R] | None:
    """The child's result in a 1-tuple, or None if it failed."""
    if child is None:
        return None
    pid, read_end = child
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    except OSError:
        data = b""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = 1
    if status != 0 or not data:
        return None
    try:
        return (pickle.loads(data),)
    except Exception:  # a damaged result is computed again here
        return None
