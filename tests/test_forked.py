"""Work shared out among forked processes gives exactly what one process gives."""

from __future__ import annotations

import gc
import importlib
import os
import time
from pathlib import Path

import pytest
from synth import write_deck

from histquiz import Deck, forked, generate, load_decks

needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="no fork on this platform")
gen_module = importlib.import_module("histquiz.generate.run")


@needs_fork
def test_results_come_back_in_order() -> None:
    assert forked.run(lambda n: [n * n, os.getpid()][0], list(range(7)), 3) == [
        n * n for n in range(7)]


@needs_fork
def test_children_do_the_work() -> None:
    pids = forked.run(lambda _n: os.getpid(), [0, 1, 2], 3)
    assert pids[0] == os.getpid()
    assert len(set(pids)) == 3


@needs_fork
def test_a_failing_child_has_its_task_run_here() -> None:
    here = os.getpid()

    def only_here(n: int) -> int:
        if os.getpid() != here:
            raise RuntimeError("fails in every child")
        return n + 1

    assert forked.run(only_here, [1, 2, 3], 2) == [2, 3, 4]


@needs_fork
@pytest.mark.parametrize("enabled", [True, False])
def test_collecting_a_result_leaves_the_collector_as_it_was(enabled: bool) -> None:
    """The collector is paused while a child's result is read back, and only meanwhile; and
    a big result made of many objects comes back whole."""
    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        made = forked.run(lambda n: [(str(i), n) for i in range(20000 * n)], [1, 2], 2)
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
    assert made == [[(str(i), 1) for i in range(20000)], [(str(i), 2) for i in range(40000)]]


def test_histquiz_jobs_one_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(forked.ENV, "1")
    assert forked.jobs() == 1
    assert set(forked.run(lambda _n: os.getpid(), [0, 1, 2])) == {os.getpid()}


@needs_fork
@pytest.mark.parametrize("n_facts", [60, 700])
def test_forked_generation_gives_the_same_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               n_facts: int) -> None:
    decks: list[Deck] = load_decks([write_deck(tmp_path, n_facts, 5)])
    monkeypatch.setenv(forked.ENV, "1")
    alone = generate(decks, 3)
    monkeypatch.setenv(forked.ENV, "2")
    monkeypatch.setattr(gen_module, "FORK_FROM", 0)
    real_queued = forked.queued
    used: list[int] = []

    def counting(func, tasks, processes=None, first_here=False):  # type: ignore[no-untyped-def]
        used.append(len(tasks))
        return real_queued(func, tasks, processes, first_here)

    monkeypatch.setattr(forked, "queued", counting)
    shared = generate(decks, 3)
    assert used == [2 * gen_module.RUNS_PER_PROCESS]
    assert shared == alone
    assert [i.id for i in shared] == [i.id for i in alone]


@needs_fork
def test_an_interrupted_run_leaves_no_child_working(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"

    def task(n: int) -> int:
        if n == 0:  # here: wait until the child is at work, then fail as Ctrl-C would
            while not marker.exists():
                time.sleep(0.01)
            raise KeyboardInterrupt
        (tmp_path / "pid.tmp").write_text(str(os.getpid()))
        os.replace(tmp_path / "pid.tmp", marker)  # whole when it appears
        time.sleep(600)  # a long task, ended from outside
        return n

    with pytest.raises(KeyboardInterrupt):
        forked.run(task, [0, 1], 2)
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left running
        os.kill(int(marker.read_text()), 0)


@needs_fork
def test_queued_results_come_back_in_order_from_every_process() -> None:
    def task(n: int) -> tuple[int, int]:
        time.sleep(0.01)  # long enough that every process takes some
        return n * n, os.getpid()

    results = forked.queued(task, list(range(40)), 3)
    assert [r for r, _ in results] == [n * n for n in range(40)]
    assert os.getpid() in {pid for _, pid in results}
    assert len({pid for _, pid in results}) >= 2


@needs_fork
def test_queued_first_task_runs_here_and_may_not_be_picklable() -> None:
    results = forked.queued(lambda n: (lambda: n) if n == 0 else os.getpid(), [0, 1, 2, 3], 2,
                            first_here=True)
    assert callable(results[0]) and results[0]() == 0
    assert all(isinstance(r, int) for r in results[1:])  # sent back, or run here


@needs_fork
def test_queued_results_bigger_than_a_pipe_come_back_whole() -> None:
    results = forked.queued(lambda n: bytes([n]) * (3 << 20), list(range(6)), 2)
    assert results == [bytes([n]) * (3 << 20) for n in range(6)]


@needs_fork
def test_queued_tasks_a_child_fails_are_run_here() -> None:
    here = os.getpid()

    def task(n: int) -> tuple[int, int]:
        if os.getpid() != here and n % 2:
            raise RuntimeError("fails in a child")  # the child stops; its task is run here
        if os.getpid() != here and n % 3 == 0:
            return (n, lambda: n)  # type: ignore[return-value]  # cannot be sent back
        return n, os.getpid()

    results = forked.queued(task, list(range(30)), 3)
    assert [r[0] for r in results] == list(range(30))
    assert all(pid == here for n, pid in results if n % 2 or n % 3 == 0)


def test_queued_with_one_process_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(forked.ENV, "1")
    assert set(forked.queued(lambda _n: os.getpid(), list(range(9)))) == {os.getpid()}


@needs_fork
def test_an_interrupted_queue_leaves_no_child_working(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    here = os.getpid()

    def task(n: int) -> int:
        if os.getpid() == here:  # wait until a child is at work, then fail as Ctrl-C would
            while not marker.exists():
                time.sleep(0.01)
            raise KeyboardInterrupt
        (tmp_path / f"pid-{n}.tmp").write_text(str(os.getpid()))
        os.replace(tmp_path / f"pid-{n}.tmp", marker)  # whole when it appears
        time.sleep(600)  # a long task, ended from outside
        return n

    with pytest.raises(KeyboardInterrupt):
        forked.queued(task, [0, 1, 2, 3], 2)
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left running
        os.kill(int(marker.read_text()), 0)
