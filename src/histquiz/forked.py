"""Work spread over the machine's cores by forking: the children start with everything this
process has built (decks, items, indexes) without copying or pickling it, and send back only
their results.

Used where a run is big enough to gain (generating the items of thousands of facts, writing
the formats of a build). The results are the same as in one process, in the same order: each
task is computed the same way wherever it runs. Where forking is not available (Windows) or
not safe (macOS, whose system libraries may not survive a fork), or the machine has one core,
everything runs here. A child that fails for any reason has its task run again here, so a
fork never changes what the user sees, only how long it takes.

Two ways to share work out: ``run`` gives each process fixed tasks (a few big ones whose
costs are known), ``queued`` puts many small tasks in one queue that every process takes from,
so that a process that runs slower (a core busy with something else) simply takes fewer.

``HISTQUIZ_JOBS`` caps the number of processes (``1`` turns forking off).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

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


def _limit(processes: int | None) -> int:
    """How many processes a run may use: ``processes``, or ``jobs()`` when None; 1 where
    forking is not available or not safe."""
    return jobs() if processes is None else max(1, processes) if can_fork() else 1


def run(func: Callable[[T], R], tasks: Sequence[T], processes: int | None = None) -> list[R]:
    """``[func(t) for t in tasks]``, the first task here and each other in a forked child
    while this process works (at most ``processes`` at once, ``jobs()`` by default)."""
    limit = _limit(processes)
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


# A task's number, as it travels through the queue, and the head of a result sent back: the
# task's number and the length of its pickled result.
_TOKEN = struct.Struct("<I")
_HEAD = struct.Struct("<IQ")
# The queue is written whole before any process takes from it, so it must fit in a pipe.
MOST_QUEUED = 4096
# How much a result pipe asks to hold (Linux), so that a child rarely waits for this process
# to read what it sent.
_PIPE_SIZE = 1 << 20


def queued(func: Callable[[T], R], tasks: Sequence[T], processes: int | None = None,
           first_here: bool = False) -> list[R]:
    """``[func(t) for t in tasks]``, the tasks taken one at a time from one queue by this
    process and by forked children (at most ``processes`` in all, ``jobs()`` by default);
    with ``first_here``, the first task is not queued but run by this process (its result
    need not be one that can be sent back).

    A child sends each result back as soon as it is made; this process reads what has come
    between its own tasks, so the work of reading results is shared out by the queue too. A
    task whose result does not come back (a child failed, or was killed) is run here at the
    end. More than MOST_QUEUED tasks are run as ``run`` runs them."""
    limit = min(_limit(processes), len(tasks))
    if limit < 2 or len(tasks) > MOST_QUEUED:
        return run(func, tasks, processes)
    try:
        queue, queue_end = os.pipe()
    except OSError:
        return [func(t) for t in tasks]
    try:
        os.write(queue_end, b"".join(_TOKEN.pack(n) for n in range(int(first_here), len(tasks))))
    finally:
        os.close(queue_end)
    results: dict[int, R] = {}
    children: list[tuple[int, int] | None] = []
    try:
        for _ in range(limit - 1):
            children.append(_spawn_taker(func, tasks, queue))
        pending = {child[1]: bytearray() for child in children if child is not None}
        for fd in pending:
            os.set_blocking(fd, False)
        if first_here:
            results[0] = func(tasks[0])
        while token := _take(queue):
            n = _TOKEN.unpack(token)[0]
            results[n] = func(tasks[n])
            for fd, buffer in pending.items():
                _receive(fd, buffer, results, wait=False)
        for n, child in enumerate(children):
            if child is not None:
                pid, fd = child
                os.set_blocking(fd, True)
                _receive(fd, pending[fd], results, wait=True)
                children[n] = None
                os.close(fd)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        return [results[n] if n in results else func(task) for n, task in enumerate(tasks)]
    except BaseException:
        _stop(children)
        for child in children:
            if child is not None:
                with contextlib.suppress(OSError):
                    os.close(child[1])
        raise
    finally:
        os.close(queue)


def _take(queue: int) -> bytes:
    """The next task's number from the queue, or b"" when it is empty. Every reader asks for
    one whole token and the queue holds only whole tokens, so no two readers share one."""
    try:
        token = os.read(queue, _TOKEN.size)
    except OSError:
        return b""
    return token if len(token) == _TOKEN.size else b""


def _spawn_taker(func: Callable[[T], R], tasks: Sequence[T], queue: int) -> tuple[int, int] | None:
    """A child taking tasks from ``queue`` until it is empty, writing each result to a pipe as
    a head and the pickled result: (pid, the pipe's end to read), or None."""
    # imported here, before the fork: a child must not import (another thread of this process
    # may hold the import lock as it forks)
    import queue as queues
    import threading

    def work(write_end: int) -> None:
        # a thread writes, so that a result bigger than the pipe, or the parent busy with a
        # task of its own, never keeps this process from its next task
        sending: queues.SimpleQueue[bytes | None] = queues.SimpleQueue()
        writer = threading.Thread(target=_send, args=(write_end, sending), daemon=True)
        writer.start()
        try:
            while writer.is_alive() and (token := _take(queue)):
                n = _TOKEN.unpack(token)[0]
                data = pickle.dumps(func(tasks[n]), protocol=pickle.HIGHEST_PROTOCOL)
                sending.put(_HEAD.pack(n, len(data)) + data)
        finally:
            sending.put(None)
            writer.join()

    return _fork(work, _PIPE_SIZE)


def _send(fd: int, pieces: Any) -> None:
    """Write each piece taken from ``pieces`` to ``fd`` until None comes; then close it. (A
    failure to write ends the writing: what was not sent is run again by the parent.)"""
    with contextlib.suppress(OSError), os.fdopen(fd, "wb") as out:
        while (piece := pieces.get()) is not None:
            out.write(piece)
            out.flush()


def _receive(fd: int, buffer: bytearray, results: dict[int, Any], wait: bool) -> None:
    """Read what a child has sent (all it will send, with ``wait``) and add every whole result
    in ``buffer`` to ``results``; a result that does not unpickle is left to be run again."""
    while True:
        try:
            data = os.read(fd, _PIPE_SIZE)
        except OSError:  # nothing more for now (BlockingIOError), or the pipe failed
            break
        if not data:
            break
        buffer += data
    start = 0
    with memoryview(buffer) as view:
        while len(buffer) - start >= _HEAD.size:
            n, length = _HEAD.unpack_from(view, start)
            end = start + _HEAD.size + length
            if len(buffer) < end:
                break
            with contextlib.suppress(Exception):
                results[n] = pickle.loads(view[start + _HEAD.size:end])
            start = end
    del buffer[:start]


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

    def work(write_end: int) -> None:
        data = pickle.dumps(func(task), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)

    return _fork(work)


def _fork(work: Callable[[int], None], pipe_size: int = 0) -> tuple[int, int] | None:
    """A child running ``work`` on the writing end of a new pipe (asked to hold ``pipe_size``
    bytes, where the system allows) and then exiting, with status 1 on any failure: (pid, the
    pipe's end to read), or None if no child could be made."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    if pipe_size:
        with contextlib.suppress(AttributeError, OSError):
            import fcntl

            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, pipe_size)
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
            work(write_end)
            status = 0
        except BaseException:  # any failure: the parent runs again what it did not receive
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
    return _loaded(data)


def _loaded(data: bytes) -> tuple[Any] | None:
    """A child's pickled result, in a 1-tuple, or None if it is damaged. (The collector is
    paused meanwhile: a result can be tens of thousands of objects that all stay alive, and
    each pass it made on the way would walk everything this process holds.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return (pickle.loads(data),)
    except Exception:  # a damaged result is computed again here
        return None
    finally:
        if was_enabled:
            gc.enable()
