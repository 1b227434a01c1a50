"""The compiled cache: used on a second run, rebuilt when anything that changes the items
changes, never a way around a deck error, and harmless when damaged."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from outputs import outputs_in
from synth import write_deck

from histquiz import cache
from histquiz.cli import main


class Counts:
    """Counts the calls of functions, patched where they are looked up: ``targets`` are
    (name, module, attribute)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch,
                 targets: list[tuple[str, Any, str]]) -> None:
        self.counts = {name: 0 for name, _, _ in targets}
        for name, module, attr in targets:
            monkeypatch.setattr(module, attr, self._counting(name, getattr(module, attr)))

    def _counting(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    def take(self) -> dict[str, int]:
        counts = dict(self.counts)
        for name in self.counts:
            self.counts[name] = 0
        return counts


class Calls(Counts):
    """Counts the real loads, generations and reveal relations behind the cache."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # (``import histquiz.generate.reveal as m`` would find the function histquiz.generate)
        super().__init__(monkeypatch, [
            ("load", importlib.import_module("histquiz.load.loader"), "load_decks"),
            ("generate", importlib.import_module("histquiz.generate"), "generate"),
            ("reveals", importlib.import_module("histquiz.generate.reveal"), "reveals")])


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(where))
    return where


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    return write_deck(folder, 40)


def items_out(capsys: pytest.CaptureFixture[str], deck: Path, *extra: str) -> str:
    # the text format: the JSON writer computes its own relation over the 15 items printed
    code = main(["items", "--decks", str(deck), "--count", "15", *extra])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("  answer: ") == 15
    return out


def test_second_run_reads_the_cache(store: Path, deck: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    first = items_out(capsys, deck)
    assert calls.take() == {"load": 1, "generate": 1, "reveals": 1}
    assert sorted(p.name.split("-")[0] for p in store.iterdir()) == [
        "decks", "digests.cache", "items", "reveals"]
    second = items_out(capsys, deck)
    assert calls.take() == {"load": 0, "generate": 0, "reveals": 0}
    assert second == first


@pytest.mark.parametrize("cached", [True, False])
def test_a_sample_of_one_never_makes_the_relation(
        cached: bool, store: Path, deck: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    if not cached:
        monkeypatch.setenv(cache.ENV, "off")
    calls = Calls(monkeypatch)
    assert main(["items", "--decks", str(deck), "--count", "1"]) == 0
    assert capsys.readouterr().out.count("  answer: ") == 1
    assert calls.take() == {"load": 1, "generate": 1, "reveals": 0}
    if cached:
        assert not list(store.glob("reveals-*"))
    # a sample of two asks whether the second gives the first away: now it is made
    assert main(["items", "--decks", str(deck), "--count", "2"]) == 0
    assert capsys.readouterr().out.count("  answer: ") == 2
    assert calls.take() == {"load": 0 if cached else 1, "generate": 0 if cached else 1,
                            "reveals": 1}
    if cached:
        assert list(store.glob("reveals-*"))


def test_cached_and_uncached_runs_agree(store: Path, deck: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    items_out(capsys, deck, "--seed", "4")
    cached = items_out(capsys, deck, "--seed", "4")
    monkeypatch.setenv(cache.ENV, "off")
    assert items_out(capsys, deck, "--seed", "4") == cached


def test_any_deck_byte_rebuilds(store: Path, deck: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    first = items_out(capsys, deck)
    calls.take()
    text = deck.read_bytes()
    where = text.index(b"Who led the event")
    edited = text[:where + 4] + b"L" + text[where + 5:]  # one byte: "Who Led the event"
    deck.write_bytes(edited)
    changed = items_out(capsys, deck)
    assert calls.take() == {"load": 1, "generate": 1, "reveals": 1}
    monkeypatch.setenv(cache.ENV, "off")
    assert items_out(capsys, deck) == changed
    monkeypatch.setenv(cache.ENV, str(store))
    calls.take()
    # and a run on the old bytes again finds its entries
    deck.write_bytes(text)
    assert items_out(capsys, deck) == first
    assert calls.take() == {"load": 0, "generate": 0, "reveals": 0}


def test_the_version_rebuilds(store: Path, deck: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    first = items_out(capsys, deck)
    calls.take()
    monkeypatch.setattr(cache, "__version__", "999.0")
    assert items_out(capsys, deck) == first
    assert calls.take() == {"load": 1, "generate": 1, "reveals": 1}


@pytest.mark.parametrize("option", [["--seed", "9"], ["--options", "3"], ["--topic", "topic-1"]])
def test_an_option_that_changes_items_regenerates(
        option: list[str], store: Path, deck: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    first = items_out(capsys, deck)
    calls.take()
    other = items_out(capsys, deck, *option)
    assert calls.take() == {"load": 0, "generate": 1, "reveals": 1}
    assert other != first
    monkeypatch.setenv(cache.ENV, "off")
    assert items_out(capsys, deck, *option) == other


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "swap", "flip"])
def test_a_damaged_cache_is_rebuilt(damage: str, store: Path, deck: Path,
                                    capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = items_out(capsys, deck)
    entries = sorted(store.iterdir())  # the deck files' digests too
    assert len(entries) == 4
    originals = [entry.read_bytes() for entry in entries]
    for i, entry in enumerate(entries):
        data = originals[i]
        if damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            entry.write_bytes(bytes((b * 7 + 3) % 256 for b in data))
        elif damage == "empty":
            entry.write_bytes(b"")
        elif damage == "flip":  # one byte near the end, where the last items are
            entry.write_bytes(data[:-40] + bytes([data[-40] ^ 0x55]) + data[-39:])
        else:  # whole, valid entries, but each another's
            entry.write_bytes(originals[(i + 1) % len(entries)])
    calls = Calls(monkeypatch)
    assert items_out(capsys, deck) == first
    rebuilt = calls.take()
    assert rebuilt["load"] + rebuilt["generate"] + rebuilt["reveals"] >= 1
    assert items_out(capsys, deck) == first  # and the rebuilt entries are good again
    assert calls.take() == {"load": 0, "generate": 0, "reveals": 0}


def test_a_deck_error_is_never_cached(store: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    text = write_deck(tmp_path, 5).read_text(encoding="utf-8")
    bad.write_text(text.replace("    date: ", "    date: someday ", 1), encoding="utf-8")
    for _ in range(2):
        assert main(["items", "--decks", str(bad)]) == 1
        err = capsys.readouterr().err
        assert f"{bad}:" in err and "problem" in err
    assert not store.exists() or not list(store.glob("decks-*"))


def test_off_writes_nothing(tmp_path: Path, deck: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    items_out(capsys, deck)
    assert not (tmp_path / "xdg").exists()


def test_records_are_read_a_run_at_a_time_and_rebuilt_when_a_run_is_damaged(
        tmp_path: Path) -> None:
    values = [f"value {n}" for n in range(300)]
    path = tmp_path / "items-x.cache"
    cache._write_records(path, "k", values)
    rebuilt: list[int] = []

    def rebuild() -> list[str]:
        rebuilt.append(1)
        return list(values)

    records = cache._open_records(path, "k", rebuild)
    assert records is not None and len(records) == 300
    assert records[299] == "value 299" and records[-300] == "value 0"
    assert records[5:8] == ["value 5", "value 6", "value 7"]
    assert list(records) == values and not rebuilt
    assert cache._open_records(path, "another key", rebuild) is None
    with pytest.raises(IndexError):
        records[300]
    # one byte changed in the last run: found when that run is read, and the values rebuilt
    data = path.read_bytes()
    path.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
    damaged = cache._open_records(path, "k", rebuild)
    assert damaged is not None
    assert damaged[0] == "value 0" and not rebuilt  # the first run is whole
    assert damaged[299] == "value 299" and rebuilt == [1]
    assert list(damaged) == values and rebuilt == [1]
    # cut short, or padded: not opened at all
    path.write_bytes(data[:-1])
    assert cache._open_records(path, "k", rebuild) is None
    path.write_bytes(data + b"\0")
    assert cache._open_records(path, "k", rebuild) is None


def test_a_settled_deck_file_is_not_read_again_but_any_change_is_seen(
        store: Path, deck: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import histquiz.load.files as files

    hour_ago = deck.stat().st_mtime_ns - 3600 * 10**9
    os.utime(deck, ns=(hour_ago, hour_ago))
    first = items_out(capsys, deck)
    reads: list[str] = []
    real_read = files.read_file

    def counting(path: str) -> Any:
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr(files, "read_file", counting)
    calls = Calls(monkeypatch)
    assert items_out(capsys, deck) == first
    assert reads == [] and calls.take() == {"load": 0, "generate": 0, "reveals": 0}
    # the same size and the same modification time, one byte changed: the change time moves
    data = deck.read_bytes()
    at = data.index(b"statement: ") + len(b"statement: ") + 1
    deck.write_bytes(data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:])
    os.utime(deck, ns=(hour_ago, hour_ago))
    changed = items_out(capsys, deck)
    assert reads == [str(deck)] and calls.take()["load"] == 1
    monkeypatch.setenv(cache.ENV, "off")
    assert changed == items_out(capsys, deck)  # what the changed deck gives


def test_a_summary_of_the_decks_is_kept_beside_them(store: Path, deck: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)

    def count(decks: list[Any]) -> int:
        return sum(len(d.facts) for d in decks)

    assert cache.of_decks([deck], "facts", count) == 40
    assert calls.take()["load"] == 1
    cache._LOADED.clear()  # as in a new process
    assert cache.of_decks([deck], "facts", count) == 40
    assert calls.take()["load"] == 0
    deck.write_text(deck.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert cache.of_decks([deck], "facts", count) == 40
    assert calls.take()["load"] == 1  # another deck file, read again


class Renders(Counts):
    """Counts the work behind each format of a build: each classroom format's rendering, the
    Anki notes, the worksheet's choice of questions."""

    CLASSROOM = ("moodle", "gift", "kahoot", "qti", "quizlet", "jsonout")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        targets = [(f"histquiz.export.classroom.{name}", "render") for name in self.CLASSROOM]
        targets += [("histquiz.export.anki.writer", "_notes_in_order"),
                    ("histquiz.export.worksheet.pdf", "pick")]
        super().__init__(monkeypatch, [(module, importlib.import_module(module), attr)
                                       for module, attr in targets])


def build_out(out: Path, deck: Path, *extra: str) -> dict[str, bytes]:
    """Every file a build of ``deck`` writes into ``out``, by name."""
    assert main(["build", "--decks", str(deck), "--out", str(out), "--seed", "3", *extra]) == 0
    return {p.name: p.read_bytes() for p in sorted(outputs_in(out))}


@pytest.fixture
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_a_rebuild_takes_the_formats_from_the_cache(
        store: Path, deck: Path, tmp_path: Path, fixed_time: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    renders = Renders(monkeypatch)
    first = build_out(tmp_path / "one", deck)
    assert all(n == 1 for n in renders.take().values())
    assert len(list(store.glob("rendered-*.cache"))) == len(Renders.CLASSROOM) + 2
    report = capsys.readouterr()
    cache._LOADED.clear()  # as in a new process
    cache._GENERATED.clear()
    assert build_out(tmp_path / "two", deck) == first  # byte for byte
    assert renders.take() == dict.fromkeys(renders.counts, 0)
    again = capsys.readouterr()  # the same report, left-out items included
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    assert (again.out, again.err) == (report.out.replace(one, two), report.err.replace(one, two))
    monkeypatch.setenv(cache.ENV, "off")
    assert build_out(tmp_path / "three", deck) == first
    assert all(n == 1 for n in renders.take().values())


@pytest.mark.parametrize("damage", ["truncate", "garbage", "swap"])
def test_a_damaged_rendering_is_made_again(damage: str, store: Path, deck: Path, tmp_path: Path,
                                           fixed_time: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    first = build_out(tmp_path / "one", deck)
    entries = sorted(store.glob("rendered-*.cache"))
    originals = [entry.read_bytes() for entry in entries]
    for i, entry in enumerate(entries):
        data = originals[i]
        if damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            entry.write_bytes(bytes((b * 7 + 3) % 256 for b in data))
        else:  # whole, valid entries, but each another's
            entry.write_bytes(originals[(i + 1) % len(entries)])
    renders = Renders(monkeypatch)
    assert build_out(tmp_path / "two", deck) == first
    assert all(n == 1 for n in renders.take().values())


@pytest.mark.parametrize("option", [["--seed", "4"], ["--moodle-no-ordering"],
                                    ["--worksheet-count", "7"]])
def test_an_option_renders_again(option: list[str], store: Path, deck: Path, tmp_path: Path,
                                 fixed_time: None, monkeypatch: pytest.MonkeyPatch) -> None:
    build_out(tmp_path / "one", deck)
    changed = build_out(tmp_path / "two", deck, *option)
    monkeypatch.setenv(cache.ENV, "off")
    assert changed == build_out(tmp_path / "three", deck, *option)


def test_rendered_files_are_kept_within_their_bytes(store: Path, monkeypatch: pytest.MonkeyPatch
                                                    ) -> None:
    monkeypatch.setitem(cache._KEPT, "rendered", (200, 10_000))
    # HISTQUIZ_CACHE may name a folder that holds the user's own files: never pruned
    store.mkdir(parents=True)
    theirs = [store / "rendered-notes.cache", store / "rendered-0123.cache"]
    for mine in theirs:
        mine.write_bytes(b"mine" * 5000)
        os.utime(mine, (0, 0))  # the oldest of all
    for n in range(12):
        assert cache.rendered(f"key {n}", lambda n=n: bytes([n]) * 1500) == bytes([n]) * 1500
    kept = [p for p in store.glob("rendered-*.cache") if p not in theirs]
    assert 0 < len(kept) < 12 and sum(p.stat().st_size for p in kept) <= 10_000
    assert all(mine.read_bytes() == b"mine" * 5000 for mine in theirs)
    # the newest are kept; one too big for the cache is made but never stored
    assert cache.holds("key 11") and not cache.holds("key 0")
    assert cache.rendered("big", lambda: b"x" * 6000) == b"x" * 6000
    assert not cache.holds("big")


def test_a_quiz_plans_from_the_ids_in_the_index(store: Path, tmp_path: Path) -> None:
    """A session planned over items read lazily from the cache is the one planned over the
    list, and reads only the runs of the items it asks (the ids come from the index)."""
    from datetime import datetime, timedelta, timezone

    from histquiz.quiz.session import plan_learn, plan_random
    from histquiz.quiz.store import CardInfo
    from histquiz.seeds import derive

    folder = tmp_path / "big"
    folder.mkdir()
    deck = write_deck(folder, 200)
    whole = list(cache.items_for([deck], 5))

    def lazily() -> Any:
        cache._LOADED.clear()  # as in a new process
        cache._GENERATED.clear()
        return cache.items_for([deck], 5)

    lazy = lazily()
    assert isinstance(lazy, cache._Records) and len(lazy) == len(whole) > 20 * cache._RUN
    assert list(cache.ids_of(lazy)) == [i.id for i in whole] and not lazy._runs
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cards = {whole[n].id: CardInfo(whole[n].id, now + timedelta(days=n % 3 - 1))
             for n in range(0, len(whole), 7)}

    def ids(plan: list[Any]) -> list[tuple[str, str]]:
        return [(p.item.id, p.label) for p in plan]

    plan_random(lazy, count=5, rng=derive(9, "quiz"))  # the first also stores the relation
    lazy = lazily()
    plan_learn(lazy, cards, now, count=5, new_today=0, new_per_day=5, rng=derive(9, "quiz"))
    assert 0 < len(lazy._runs) <= 10  # the runs of the items looked at, not the whole bank
    lazy = lazily()
    plan_random(lazy, count=5, rng=derive(9, "quiz"))
    assert 0 < len(lazy._runs) <= 10
    # the ids come after the runs, checked on their own: damaged, they are read from the items
    entry = next(store.glob("items-*.cache"))
    data = entry.read_bytes()
    entry.write_bytes(data[:-10] + bytes([data[-10] ^ 0x55]) + data[-9:])
    damaged = lazily()
    assert damaged.names is None and list(cache.ids_of(damaged)) == [i.id for i in whole]
    entry.write_bytes(data)
    for count in (1, 5, 12):
        learned = [plan_learn(items, cards, now, count=count, new_today=0, new_per_day=count,
                              rng=derive(9, "quiz")) for items in (whole, lazy)]
        assert ids(learned[0]) == ids(learned[1]) and any(p.label == "review" for p in learned[0])
        drawn = [plan_random(items, count=count, rng=derive(9, "quiz")) for items in (whole, lazy)]
        assert ids(drawn[0]) == ids(drawn[1]) and len(drawn[0]) == count
