"""The progress store: survives a kill between answers, two writers at once, and refuses (never
overwrites) a file that is damaged or not its own."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler

from histquiz.quiz.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Review,
    Store,
    StoreError,
    card_id_for,
    unstamp,
)

START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
ITEMS = [f"deck/fact-{i}/date-recall" for i in range(4)]

# A child process that records scheduled reviews on the shared items, one transaction each,
# and reports each commit on stdout. It waits for a line on stdin before it starts, so that
# two of them can be released together; in "step" mode it waits for a line before each answer,
# as a student does, so that a test can interleave two sessions answer by answer.
WORKER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from histquiz.quiz.store import Review, Store

    path, name, count, pace = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    items = [f"deck/fact-{i}/date-recall" for i in range(4)]
    with Store.open(path) as store:
        session = store.start_session("learn", count, datetime.now(timezone.utc))
        print("ready", flush=True)
        sys.stdin.readline()
        for n in range(count):
            if pace == "step" and n:
                sys.stdin.readline()
            item = items[n % len(items)]
            rating = 1 + (n * 7 + len(name)) % 3
            store.record(Review(session, item, "topic-" + name, datetime.now(timezone.utc),
                                f"{name}-{n}", "exact", rating, rating == 3, 1000, "learn"),
                         schedule=True)
            print(f"committed {n + 1}", flush=True)
""")


def start_worker(path: Path, name: str, count: int, pace: str = "free") -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(path), name, str(count), pace],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()


def replay_is_consistent(path: Path) -> None:
    """Each card equals FSRS applied to its item's scheduled reviews in commit order, so no
    review was lost or applied twice, and no card moved without its review."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        scheduler = Scheduler(enable_fuzzing=False)
        cards = {row[0]: (json.loads(row[1]), row[2]) for row in
                 conn.execute("SELECT item_id, card, reps FROM cards")}
        for item_id, (stored, reps) in cards.items():
            rows = conn.execute("SELECT at, rating FROM reviews WHERE item_id = ? AND "
                                "scheduled = 1 ORDER BY id", (item_id,)).fetchall()
            card = Card(card_id=card_id_for(item_id), due=unstamp(rows[0][0]))
            for at, rating in rows:
                card, _ = scheduler.review_card(card, Rating(rating), review_datetime=unstamp(at))
            assert card.to_dict() == stored, item_id
            assert reps == len(rows)
        reviewed = {r[0] for r in conn.execute("SELECT DISTINCT item_id FROM reviews "
                                               "WHERE scheduled = 1")}
        assert reviewed == set(cards)
    finally:
        conn.close()


def review(session: int, item: str, at: datetime, rating: int = 3, topic: str = "t",
           mode: str = "learn", retry: bool = False) -> Review:
    return Review(session, item, topic, at, "x", "exact" if rating == 3 else "wrong", rating,
                  rating == 3, 1500, mode, retry)


def digest(path: Path) -> str:
    """The file and any journal beside it."""
    wal = Path(f"{path}-wal")
    extra = wal.read_bytes() if wal.exists() else b""
    return hashlib.sha256(path.read_bytes()).hexdigest() + hashlib.sha256(extra).hexdigest()


# --- a healthy store -----------------------------------------------------------------------


def test_new_store_is_marked_as_ours_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with Store.open(path) as store:
        session = store.start_session("learn", 1, START)
        store.record(review(session, ITEMS[0], START), schedule=True)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone() == ("histquiz",)
    conn.close()
    with Store.open(path) as again:
        assert [r.item_id for r in again.reviews()] == [ITEMS[0]]
        assert set(again.card_infos()) == {ITEMS[0]}


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with Store.open(path) as store:
        assert store.review_count() == 0


def test_each_answer_is_visible_to_another_reader_at_once(tmp_path: Path) -> None:
    """Committed per answer: a second connection sees each review before the next is given."""
    path = tmp_path / "p.sqlite3"
    with Store.open(path) as writer, Store.open(path) as reader:
        session = writer.start_session("learn", 3, START)
        for n, item in enumerate(ITEMS[:3], start=1):
            writer.record(review(session, item, START + timedelta(minutes=n)), schedule=True)
            assert reader.review_count() == n


def test_stats_queries(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.sqlite3") as store:
        s1 = store.start_session("learn", 3, START)
        store.record(review(s1, ITEMS[0], START, 3, "a"), schedule=True)
        store.record(review(s1, ITEMS[1], START, 1, "a"), schedule=True)
        store.record(review(s1, ITEMS[2], START, 2, "b"), schedule=True)
        store.record(review(s1, ITEMS[1], START, 3, "a", retry=True), schedule=True)
        s2 = store.start_session("practice", 1, START + timedelta(days=1))
        store.record(review(s2, ITEMS[3], START + timedelta(days=1), 3, "b", "practice"),
                     schedule=False)
        now = START + timedelta(days=1, hours=1)
        stats = {t.topic: t for t in store.topic_stats(now)}
        a, b = stats["a"], stats["b"]
        # first answers only: the retry of ITEMS[1] is not counted; a Hard (2) is not right
        assert (a.items_seen, a.answers, a.right, a.close, a.cards) == (2, 2, 1, 0, 2)
        assert (b.items_seen, b.answers, b.right, b.close, b.cards) == (2, 2, 1, 0, 1)
        assert a.recall_in_week is not None and 0 < a.recall_in_week < 1
        assert store.answer_counts() == (4, 1)
        forecast = store.due_forecast(now)
        assert len(forecast) == 7 and sum(forecast) == 3  # all three cards are due today
        assert forecast[0] == 3
        assert store.streak(now) == 2
        assert store.streak(now + timedelta(days=2)) == 0
        sessions = store.recent_sessions()
        assert [(s.id, s.mode, s.answers, s.correct) for s in sessions] == [
            (s2, "practice", 1, 1), (s1, "learn", 3, 1)]


# --- crashes and concurrency ---------------------------------------------------------------


def test_a_kill_between_answers_keeps_every_committed_answer(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    proc = start_worker(path, "killed", 100000)
    release(proc)
    assert proc.stdout is not None
    for n in range(1, 31):
        assert proc.stdout.readline().strip() == f"committed {n}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(path) as store:
        kept = store.review_count()
    # every reported commit is there; the kill landed somewhere in the next few answers
    assert 30 <= kept < 100000
    replay_is_consistent(path)


def test_two_writers_racing_leave_a_consistent_store(tmp_path: Path) -> None:
    """Two sessions writing as fast as they can: every answer kept, every card consistent."""
    path = tmp_path / "p.sqlite3"
    with Store.open(path):
        pass
    count = 150
    first, second = start_worker(path, "one", count), start_worker(path, "two", count)
    release(first)
    release(second)
    for proc in (first, second):
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        assert out.split()[-1] == str(count)
    with Store.open(path) as store:
        reviews = store.reviews()
    assert len(reviews) == 2 * count
    assert {r.answer for r in reviews} == {f"{w}-{n}" for w in ("one", "two") for n in range(count)}
    replay_is_consistent(path)


def test_two_sessions_answering_in_turn_build_on_each_other(tmp_path: Path) -> None:
    """Two open sessions alternate answers on the same items: each review must start from
    the card the other session just wrote (no lost updates from a stale read)."""
    path = tmp_path / "p.sqlite3"
    with Store.open(path):
        pass
    count = 40
    workers = [start_worker(path, "one", count, "step"), start_worker(path, "two", count, "step")]
    for n in range(1, count + 1):
        for proc in workers:
            release(proc)
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == f"committed {n}"
    for proc in workers:
        proc.communicate(timeout=60)
        assert proc.returncode == 0
    with Store.open(path) as store:
        reviews = store.reviews()
        assert [r.answer.split("-")[0] for r in reviews[:4]] == ["one", "two", "one", "two"]
        for item in ITEMS:
            card = store.card(item)
            assert card is not None
    replay_is_consistent(path)


# --- files that are not ours or not whole --------------------------------------------------


def make_store_with_reviews(path: Path, n: int = 400) -> None:
    with Store.open(path) as store:
        session = store.start_session("learn", n, START)
        for i in range(n):
            store.record(review(session, f"deck/f{i}/t", START + timedelta(seconds=i)),
                         schedule=True)


def foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('A', '123')")
    conn.commit()
    conn.close()


def foreign_with_leftover_journal(path: Path) -> None:
    """Another program's WAL database as its crash left it: the table exists only in the WAL,
    so opening it read-write would replay the WAL into the main file."""
    live = path.with_name("live.sqlite3")
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    path.write_bytes(live.read_bytes())
    Path(f"{path}-wal").write_bytes(Path(f"{live}-wal").read_bytes())
    conn.close()


def damage_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    assert len(data) > 5 * 4096
    data[2 * 4096: 4 * 4096] = os.urandom(2 * 4096)
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def newer_version(path: Path) -> None:
    make_store_with_reviews(path, 3)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def other_app_id(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id=1234")
    conn.commit()
    conn.close()


def foreign_user_version(path: Path) -> None:
    """Another program's new database: no table yet, but its schema version set."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=7")
    conn.commit()
    conn.close()


def spoil_rows(sql: str) -> object:
    def spoil(path: Path) -> None:
        make_store_with_reviews(path, 3)
        conn = sqlite3.connect(path)
        conn.execute(sql)
        conn.commit()
        conn.close()
    return spoil


CASES = [
    pytest.param(lambda p: p.write_bytes(b"name,score\nA,3\n" * 100), "not an SQLite database",
                 id="text-file"),
    pytest.param(foreign_sqlite, "another program", id="foreign-sqlite"),
    pytest.param(other_app_id, "another program", id="other-application-id"),
    pytest.param(foreign_with_leftover_journal, "another program", id="foreign-with-wal"),
    pytest.param(lambda p: (make_store_with_reviews(p), damage_pages(p)), "is damaged",
                 id="damaged-pages"),
    pytest.param(lambda p: (make_store_with_reviews(p), truncate(p)), "is damaged",
                 id="truncated"),
    pytest.param(newer_version, "newer histquiz", id="newer-schema"),
    pytest.param(foreign_user_version, "another program", id="foreign-user-version"),
    pytest.param(spoil_rows("UPDATE cards SET card = '{not json}' WHERE rowid = 2"),
                 "is damaged (the card of 'deck/f1/t' is not an FSRS card)", id="card-not-json"),
    pytest.param(spoil_rows("UPDATE cards SET card = '{}' WHERE rowid = 3"),
                 "is damaged (the card of 'deck/f2/t' is not an FSRS card)", id="card-empty"),
    pytest.param(spoil_rows("UPDATE reviews SET at = 'garbage' WHERE id = 1"),
                 "is damaged (reviews row 1: at 'garbage' is not a time)", id="time-garbage"),
    pytest.param(spoil_rows("UPDATE cards SET due = '2025-02-31T00:00:00.000000Z'"),
                 "is damaged (cards row 1: due '2025-02-31T00:00:00.000000Z' is not a time)",
                 id="time-impossible"),
]


@pytest.mark.parametrize(("spoil", "says"), CASES)
def test_bad_files_are_refused_and_left_untouched(tmp_path: Path, spoil: object,
                                                  says: str) -> None:
    path = tmp_path / "p.sqlite3"
    assert callable(spoil)
    spoil(path)
    before = digest(path)
    with pytest.raises(StoreError) as info:
        Store.open(path).close()
    message = str(info.value)
    assert says in message and str(path) in message and "\n" not in message
    assert digest(path) == before


@pytest.mark.parametrize(("spoil", "says"), CASES)
@pytest.mark.parametrize("command", ["quiz", "stats"])
def test_cli_gives_one_line_for_a_bad_store(tmp_path: Path, spoil: object, says: str,
                                            command: str) -> None:
    path = tmp_path / "p.sqlite3"
    assert callable(spoil)
    spoil(path)
    before = digest(path)
    mini = Path(__file__).parent / "data" / "good" / "mini.yaml"
    args = ["quiz", "--decks", str(mini)] if command == "quiz" else ["stats"]
    result = subprocess.run([sys.executable, "-m", "histquiz", *args, "--db", str(path)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("histquiz: error: ") and says in lines[0]
    assert "Traceback" not in result.stderr
    assert digest(path) == before


def test_a_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "nowhere" / "p.sqlite3")
    with Store.open(tmp_path / "made" / "p.sqlite3", create_folder=True) as store:
        assert store.review_count() == 0


def test_histquiz_home_sets_the_default_place(tmp_path: Path) -> None:
    from histquiz.quiz.store import FILE_NAME, default_path

    assert default_path({"HISTQUIZ_HOME": str(tmp_path)}) == tmp_path / FILE_NAME
    assert default_path({}).name == FILE_NAME


def test_stats_page(tmp_path: Path) -> None:
    from histquiz.quiz.stats import bar, report

    assert bar(0, 10) == "" and bar(1, 1000, 24) == "█" and bar(10, 10, 24) == "█" * 24
    with Store.open(tmp_path / "p.sqlite3") as store:
        assert report(store, START)[-1] == "No answers yet. Start with: histquiz quiz"
        session = store.start_session("learn", 2, START)
        store.record(review(session, ITEMS[0], START, 3, "cold-war"), schedule=True)
        store.record(review(session, ITEMS[1], START, 1, "un"), schedule=True)
        lines = report(store, START + timedelta(hours=1))
    text = "\n".join(lines)
    assert "2 answers · 0 retries · 2 items seen · streak 1 day" in text
    table = lines[lines.index("By topic") + 1:]
    assert table[0].split() == ["Topic", "Items", "Answers", "Right", "Close", "In", "a", "week"]
    assert table[1].split()[:6] == ["Cold", "War", "1", "1", "100%", "0%"]
    assert table[2].split()[:5] == ["UN", "1", "1", "0%", "0%"]
    good, bad = (int(table[n].split()[-2].rstrip("%")) for n in (1, 2))  # before the bar
    assert good > bad, "a week on, a right answer is better remembered than a wrong one"
    assert "In a week: the chance, by FSRS" in " ".join(text.split())
    forecast = lines[lines.index("Reviews due in the next 7 days") + 1:][:7]
    assert forecast[0].split()[:2] == ["Today", "2"] and forecast[0].endswith("█" * 24)
    assert all(line.split()[-1] == "0" for line in forecast[1:])
    assert "learn" in lines[-1] and "1/2 right" in lines[-1]
    assert all(len(line) <= 79 for line in lines if "progress.sqlite3" not in line)


# --- versions, reading only ------------------------------------------------------------------

# The first version of the store, as histquiz 0.1 wrote it: no flags table, user_version 1.
V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, mode TEXT NOT NULL, started TEXT NOT NULL,
    ended TEXT, planned INTEGER NOT NULL);
CREATE TABLE reviews (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id),
    item_id TEXT NOT NULL, topic TEXT NOT NULL, at TEXT NOT NULL, answer TEXT NOT NULL,
    verdict TEXT NOT NULL, rating INTEGER NOT NULL, correct INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL, mode TEXT NOT NULL, retry INTEGER NOT NULL,
    scheduled INTEGER NOT NULL);
CREATE INDEX reviews_item ON reviews(item_id, at);
CREATE INDEX reviews_session ON reviews(session_id);
CREATE INDEX reviews_at ON reviews(at);
CREATE TABLE cards (item_id TEXT PRIMARY KEY, topic TEXT NOT NULL, card TEXT NOT NULL,
    due TEXT NOT NULL, introduced TEXT NOT NULL, reps INTEGER NOT NULL, lapses INTEGER NOT NULL);
CREATE INDEX cards_due ON cards(due);
CREATE INDEX cards_introduced ON cards(introduced);
INSERT INTO meta VALUES ('application', 'histquiz');
INSERT INTO sessions VALUES (1, 'learn', '2025-03-03T09:00:00.000000Z', NULL, 1);
INSERT INTO reviews VALUES (1, 1, 'deck/fact-0/date-recall', 't', '2025-03-03T09:00:05.000000Z',
    '1971', 'exact', 3, 1, 5000, 'learn', 0, 1);
"""


def make_v1_store(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(V1_SCHEMA)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()


def test_a_version_1_store_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1_store(path)
    # reading only leaves it as it is, and shows no flags
    with Store.open(path, readonly=True) as store:
        assert store.flags() == [] and store.review_count() == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    with Store.open(path) as store:
        assert [r.answer for r in store.reviews()] == ["1971"]
        store.add_flag(1, ITEMS[0], "In what year?", "1971", "too vague", START)
        assert [f.comment for f in store.flags()] == ["too vague"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    with Store.open(path) as again:  # opening a migrated store again changes nothing
        assert again.review_count() == 1 and len(again.flags()) == 1


def test_undo_restores_the_card_row_exactly(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with Store.open(path) as store:
        session = store.start_session("learn", 3, START)
        store.record(review(session, ITEMS[0], START, 1), schedule=True)

        def rows() -> tuple[list[object], list[object]]:
            conn = sqlite3.connect(path)
            try:
                return (conn.execute("SELECT * FROM cards").fetchall(),
                        conn.execute("SELECT * FROM reviews").fetchall())
            finally:
                conn.close()

        before = rows()
        done = store.record(review(session, ITEMS[0], START + timedelta(days=1), 3),
                            schedule=True)
        assert rows() != before and done.due is not None
        assert store.undo(done) and rows() == before
        assert not store.undo(done), "an answer is taken back once"
        first = store.record(review(session, ITEMS[1], START), schedule=True)
        assert store.undo(first) and rows() == before, "a new item's card is removed"


def test_opening_for_reading_writes_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    make_store_with_reviews(path, 3)
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    before = digest(path)
    with Store.open(path, readonly=True) as store:
        assert store.review_count() == 3
        with pytest.raises(StoreError, match="for reading only"):
            store.start_session("learn", 1, START)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.sqlite3"]
    with pytest.raises(StoreError, match="no progress store at"):
        Store.open(tmp_path / "none.sqlite3", readonly=True)


# --- what is not a store file, and clocks the schedule cannot reach ---------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("command", ["quiz", "stats"])
def test_a_fifo_or_a_device_as_the_store_is_refused_without_blocking(tmp_path: Path,
                                                                     command: str) -> None:
    pipe = tmp_path / "pipe.sqlite3"
    os.mkfifo(pipe)
    mini = Path(__file__).parent / "data" / "good" / "mini.yaml"
    for path, kind in ((pipe, "a named pipe (FIFO)"), (Path("/dev/null"), "a device")):
        args = ["quiz", "--decks", str(mini)] if command == "quiz" else ["stats"]
        result = subprocess.run([sys.executable, "-m", "histquiz", *args, "--db", str(path)],
                                capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                timeout=60)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"histquiz: error: {path} is {kind}, not a progress store file; it was left "
            "untouched. Choose another file with --db."]


@pytest.mark.parametrize("now", ["9999-12-31T23:59", "0001-01-01", "1969-12-31"])
@pytest.mark.parametrize("command", ["quiz", "stats"])
def test_a_clock_outside_the_schedule_is_one_line(tmp_path: Path, now: str, command: str) -> None:
    """Year 9999 overflowed the schedule and year 1 the local time, both as tracebacks."""
    path = tmp_path / "p.sqlite3"
    make_store_with_reviews(path, 3)
    before = digest(path)
    mini = Path(__file__).parent / "data" / "good" / "mini.yaml"
    args = ["quiz", "--decks", str(mini)] if command == "quiz" else ["stats"]
    result = subprocess.run([sys.executable, "-m", "histquiz", *args, "--db", str(path)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
                            env={**os.environ, "HISTQUIZ_NOW": now})
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("histquiz: error: the time ") and "outside 1970-9000" in line
    assert digest(path) == before
