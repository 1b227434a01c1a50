"""The progress store: one SQLite file holding every review and each item's FSRS card.

Durability comes first. Each answer is written and committed in its own transaction the moment
it is given, so Ctrl-C, a closed terminal or a kill loses at most the question on screen. The
file runs in WAL mode with a busy timeout, and a scheduled review re-reads the item's card
inside its write transaction, so two quizzes on one store apply their reviews one after the
other instead of overwriting each other. A file that is not ours (another program's SQLite
database, a damaged file, a newer schema) is refused with a one-line error and never written.

Scheduling is FSRS (the ``fsrs`` package) with its default parameters and fuzzing turned off,
so the same answers at the same times give the same schedule. The card id FSRS wants is an
integer derived from the item id; the store keys every row on the item id itself.

An answer can be undone: its review row is deleted and the item's card row put back exactly as
it was (or removed, for an item met for the first time), in one transaction, and only while
that review is still the item's latest. Flags (a student's note that a question is wrong or
unclear) live in their own table, added by the store's second version; older stores are
migrated in place when opened for writing.

Opening for reading only (``histquiz stats``) never writes and never leaves a journal behind:
a store histquiz may not write is read as an immutable file when its journal is empty, and
refused with the exact fix when it is not.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fsrs import Card, Rating, Scheduler

from ..errors import HistquizError

# "HQZ1": written into the SQLite header so a histquiz store is recognised as ours.
APPLICATION_ID = 0x48515A31
SCHEMA_VERSION = 2
FILE_NAME = "progress.sqlite3"
_SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    mode TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    planned INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    item_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    at TEXT NOT NULL,
    answer TEXT NOT NULL,
    verdict TEXT NOT NULL,
    rating INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    mode TEXT NOT NULL,
    retry INTEGER NOT NULL,
    scheduled INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_item ON reviews(item_id, at);
CREATE INDEX IF NOT EXISTS reviews_session ON reviews(session_id);
CREATE INDEX IF NOT EXISTS reviews_at ON reviews(at);
CREATE TABLE IF NOT EXISTS cards (
    item_id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    card TEXT NOT NULL,
    due TEXT NOT NULL,
    introduced TEXT NOT NULL,
    reps INTEGER NOT NULL,
    lapses INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cards_due ON cards(due);
CREATE INDEX IF NOT EXISTS cards_introduced ON cards(introduced);
"""
# Each later version's additions, applied in order to a new store and to older ones.
_MIGRATIONS: dict[int, str] = {
    2: """
CREATE TABLE IF NOT EXISTS flags (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id),
    item_id TEXT NOT NULL,
    at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flags_item ON flags(item_id);
""",
}
_TABLES = {"meta", "sessions", "reviews", "cards"}
_TABLES_ADDED = {2: {"flags"}}
WEEK = timedelta(days=7)


class StoreError(HistquizError):
    """The progress store cannot be used; the message says which file and what to do."""


def stamp(moment: datetime) -> str:
    """A UTC time as fixed-width text, so that text order is time order in SQL."""
    if moment.tzinfo is None:
        raise ValueError("store times must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unstamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def card_id_for(item_id: str) -> int:
    """A stable positive 63-bit integer for an item id (FSRS cards need an int id)."""
    return int.from_bytes(hashlib.sha256(item_id.encode("utf-8")).digest()[:8], "big") >> 1


_SCHEDULER: Scheduler | None = None


def scheduler() -> Scheduler:
    global _SCHEDULER
    if _SCHEDULER is None:
        _SCHEDULER = Scheduler(enable_fuzzing=False)
    return _SCHEDULER


def default_path(env: dict[str, str] | None = None) -> Path:
    """HISTQUIZ_HOME/progress.sqlite3 when set, else the user's data directory."""
    env = dict(os.environ) if env is None else env
    home = env.get("HISTQUIZ_HOME", "").strip()
    if home:
        return Path(home).expanduser() / FILE_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("histquiz", appauthor=False)) / FILE_NAME


def resolve_path(db: str | None, env: dict[str, str] | None = None) -> tuple[Path, bool]:
    """The store to use and whether its folder may be created (only for the default places)."""
    if db:
        return Path(db).expanduser(), False
    env = dict(os.environ) if env is None else env
    home = env.get("HISTQUIZ_HOME", "").strip()
    if home and Path(home).expanduser().exists() and not Path(home).expanduser().is_dir():
        raise StoreError(f"HISTQUIZ_HOME is {home}, which is a file, not a folder; set "
                         f"HISTQUIZ_HOME to a folder (histquiz keeps {FILE_NAME} in it)")
    return default_path(env), True


@dataclass(frozen=True)
class Review:
    """One answer as the store keeps it."""

    session_id: int
    item_id: str
    topic: str
    at: datetime
    answer: str
    verdict: str
    rating: int  # FSRS rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    correct: bool
    duration_ms: int
    mode: str
    retry: bool = False


@dataclass(frozen=True)
class Recorded:
    """What ``record`` changed, enough to take it back exactly with ``undo``."""

    review_id: int
    item_id: str
    card_before: tuple[Any, ...] | None  # the item's whole card row before, None if it had none
    card_after: str | None  # the card it was given (JSON), None when not scheduled
    due: datetime | None  # when the item comes back, when scheduled


@dataclass(frozen=True)
class CardInfo:
    item_id: str
    due: datetime


@dataclass(frozen=True)
class TopicStats:
    """One topic's numbers. ``answers``, ``right`` and ``close`` count first answers only:
    an answer in a retry round is never counted here."""

    topic: str
    items_seen: int  # distinct items answered at least once, in any mode
    answers: int  # first answers (retries left out)
    right: int  # first answers exactly right
    close: int  # first answers close: a date a little off, an order or match partly right
    cards: int  # items of the topic with an FSRS schedule (answered in learn mode)
    recall_in_week: float | None  # FSRS's predicted recall 7 days from now, mean over cards

    @property
    def right_rate(self) -> float:
        return self.right / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class SessionRow:
    id: int
    mode: str
    started: datetime
    last_answer: datetime | None
    answers: int  # first answers
    correct: int  # of those, exactly right


@dataclass(frozen=True)
class FlagRow:
    id: int
    item_id: str
    at: datetime
    question: str
    answer: str
    comment: str


class Store:
    """An open progress store. Use ``Store.open(path)``; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool = False) -> None:
        self.path = path
        self._conn = conn
        self.readonly = readonly

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create_folder: bool = False,
             check: bool = True, readonly: bool = False) -> Store:
        """Open (and create, unless ``readonly``) a store. Every reason it cannot be used is
        found here, before the caller shows anything, with one line naming the fix."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path} is a folder; give the progress store a file name")
        _refuse_file_as_folder(path)
        _refuse_non_regular(path)
        if readonly:
            return cls._open_for_reading(path, check)
        _refuse_non_sqlite(path)
        if not path.parent.is_dir():
            if not create_folder:
                raise StoreError(f"{path}: the folder {path.parent} does not exist; create it first")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {path.parent}: "
                                 f"{exc.strerror or exc}; set HISTQUIZ_HOME or --db to a "
                                 "folder you can write") from None
        _refuse_unwritable(path)
        if path.exists() and path.stat().st_size > 0:
            # Vet an existing file through a read-only connection first: a read-write one
            # could replay a foreign program's leftover journal into its file on close.
            probe = cls(path, _connect(path, "ro"), readonly=True)
            try:
                with probe._guard("open"):
                    probe._vet(check)
            finally:
                probe.close()
        store = cls(path, _connect(path, "rw"))
        try:
            with store._guard("open"):
                store._prepare()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _open_for_reading(cls, path: Path, check: bool) -> Store:
        if not path.exists():
            raise StoreError(f"no progress store at {path} yet; answer some questions with "
                             "'histquiz quiz' first")
        _refuse_non_sqlite(path)
        wal = Path(f"{path}-wal")
        if _unwritable(path):
            # SQLite would create a journal beside a file it cannot write, and could never
            # remove it: read the file as it is when nothing waits in its journal.
            if wal.exists() and wal.stat().st_size > 0:
                if not Path(f"{path}-shm").exists():
                    raise StoreError(
                        f"{path} is read-only and its journal {wal} holds answers not yet "
                        f"written into it; make the store writable (chmod u+w {path} "
                        f"{path.parent}) and run this again")
                how = "ro"
            else:
                how = "immutable"
            store = cls(path, _connect(path, how), readonly=True)
            vetted = False
        else:
            # A writable store: vet it read-only, then read through an ordinary connection,
            # which (the last one to close) removes the journal files as SQLite always does.
            if path.stat().st_size > 0:
                probe = cls(path, _connect(path, "ro"), readonly=True)
                try:
                    with probe._guard("open"):
                        probe._vet(check)
                finally:
                    probe.close()
            store = cls(path, _connect(path, "rw"), readonly=True)
            vetted = True
        try:
            with store._guard("open"):
                store._vet(check and not vetted)
                if store._identity()[0] != APPLICATION_ID:
                    raise StoreError(f"{path} is empty, not a histquiz progress store yet; "
                                     "answer some questions with 'histquiz quiz' first")
        except BaseException:
            store.close()
            raise
        return store

    def _vet(self, check: bool) -> None:
        """Refuse a file that is not a histquiz store, is damaged, or is too new."""
        app_id, version, tables = self._identity()
        if app_id == APPLICATION_ID:
            self._check_version(version)
            if check:
                self._check_integrity(version)
                _check_rows(self._conn, self._damaged)
        elif _foreign(app_id, version, tables):
            raise StoreError(
                f"{self.path} is an SQLite database of another program, not a histquiz "
                "progress store; it was left untouched. Choose another file with --db."
            )

    def _prepare(self) -> None:
        app_id, version, _tables = self._identity()
        if app_id != APPLICATION_ID:
            self._vet(check=False)  # replaced since it was vetted? then refuse it
            self._initialise()
        elif version < SCHEMA_VERSION:
            self._migrate()
        self._conn.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=FULL: a committed answer survives a crash and a power cut.
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")

    def _identity(self) -> tuple[int, int, set[str]]:
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        return int(app_id), int(version), tables

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer histquiz (store version {version}; this "
                f"one reads version {SCHEMA_VERSION}); it was left untouched. Upgrade histquiz."
            )

    def _check_integrity(self, version: int) -> None:
        rows = self._conn.execute("PRAGMA quick_check(1)").fetchall()
        if rows != [("ok",)]:
            raise StoreError(self._damaged(str(rows[0][0]) if rows else "no answer"))
        wanted = set(_TABLES)
        for added, tables in _TABLES_ADDED.items():
            if version >= added:
                wanted |= tables
        missing = wanted - {r[0] for r in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        if missing:
            raise StoreError(self._damaged(f"missing tables: {', '.join(sorted(missing))}"))

    def _damaged(self, detail: str) -> str:
        detail = "; ".join(part.strip(" *") for part in detail.splitlines() if part.strip(" *"))
        if len(detail) > 80:
            detail = detail[:77] + "..."
        return (f"{self.path} is damaged ({detail}); it was left untouched. Restore a backup, "
                "or move it aside and histquiz will start a new progress store.")

    def _run_script(self, script: str) -> None:
        for statement in script.split(";"):
            if statement.strip():
                self._conn.execute(statement)

    def _initialise(self) -> None:
        # WAL first: it cannot change inside a transaction. Two first runs may race to create
        # the store, so the check is repeated under the write lock.
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            app_id, version, tables = self._identity()
            if app_id == APPLICATION_ID:
                self._conn.execute("COMMIT")
                self._check_version(version)
                if version < SCHEMA_VERSION:
                    self._migrate()
                return
            if _foreign(app_id, version, tables):
                raise StoreError(f"{self.path} changed while histquiz was creating it; "
                                 "it was left untouched")
            self._run_script(_SCHEMA)
            for version in sorted(_MIGRATIONS):
                self._run_script(_MIGRATIONS[version])
            self._conn.execute("INSERT INTO meta(key, value) VALUES ('application', 'histquiz')")
            self._conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        """Bring an older store up to this version in place, in one transaction (another
        histquiz may be doing the same: the version is read again under the write lock)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            for step in sorted(v for v in _MIGRATIONS if v > version):
                self._run_script(_MIGRATIONS[step])
            if version < SCHEMA_VERSION:
                self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- errors and transactions -----------------------------------------------------------

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StoreError(f"the progress store {self.path} stayed busy for "
                                 f"{BUSY_TIMEOUT_S:.0f} s (another histquiz is writing); "
                                 "try again") from None
            if "readonly" in text or "read-only" in text:
                raise StoreError(f"cannot write the progress store {self.path}: it is "
                                 f"read-only; make it writable (chmod u+w {self.path}) or "
                                 "choose another file with --db") from None
            if "not a database" in text or "malformed" in text or "corrupt" in text:
                raise StoreError(self._damaged(text)) from None
            raise StoreError(f"the progress store {self.path} failed to {doing}: {text}") from None

    @contextlib.contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: taken with the write lock, committed on success."""
        if self.readonly:
            raise StoreError(f"the progress store {self.path} was opened for reading only")
        with self._guard(doing):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    # --- sessions and reviews --------------------------------------------------------------

    def start_session(self, mode: str, planned: int, now: datetime) -> int:
        with self._write("start a session") as conn:
            cur = conn.execute("INSERT INTO sessions(mode, started, planned) VALUES (?, ?, ?)",
                               (mode, stamp(now), planned))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def end_session(self, session_id: int, now: datetime) -> None:
        with self._write("end a session") as conn:
            conn.execute("UPDATE sessions SET ended = ? WHERE id = ?", (stamp(now), session_id))

    def record(self, review: Review, *, schedule: bool) -> Recorded:
        """Commit one answer; with ``schedule``, also move the item's FSRS card on.

        The card is read inside the write transaction, so concurrent sessions each build on
        the other's last review. Returns what changed, for ``undo``.
        """
        with self._write("save an answer") as conn:
            cur = conn.execute(
                "INSERT INTO reviews(session_id, item_id, topic, at, answer, verdict, rating, "
                "correct, duration_ms, mode, retry, scheduled) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (review.session_id, review.item_id, review.topic, stamp(review.at), review.answer,
                 review.verdict, review.rating, int(review.correct), review.duration_ms,
                 review.mode, int(review.retry), int(schedule)),
            )
            assert cur.lastrowid is not None
            review_id = cur.lastrowid
            if not schedule:
                return Recorded(review_id, review.item_id, None, None, None)
            row = conn.execute("SELECT topic, card, due, introduced, reps, lapses FROM cards "
                               "WHERE item_id = ?", (review.item_id,)).fetchone()
            if row is None:
                card = Card(card_id=card_id_for(review.item_id), due=review.at)
                introduced, reps, lapses = stamp(review.at), 0, 0
            else:
                card = _card_from_json(row[1])
                introduced, reps, lapses = row[3], row[4], row[5]
            card, _log = scheduler().review_card(card, Rating(review.rating),
                                                 review_datetime=review.at.astimezone(timezone.utc))
            text = json.dumps(card.to_dict(), sort_keys=True)
            conn.execute(
                "INSERT INTO cards(item_id, topic, card, due, introduced, reps, lapses) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(item_id) DO UPDATE SET "
                "topic = excluded.topic, card = excluded.card, due = excluded.due, "
                "reps = excluded.reps, lapses = excluded.lapses",
                (review.item_id, review.topic, text, stamp(card.due), introduced, reps + 1,
                 lapses + (review.rating == Rating.Again and row is not None)),
            )
            return Recorded(review_id, review.item_id, tuple(row) if row else None, text,
                            card.due)

    def undo(self, recorded: Recorded) -> bool:
        """Take an answer back: delete its review and put the item's card back as it was.

        Refused (False, nothing changed) when the review is gone or no longer the item's
        latest, or the card has moved since (another session reviewed the item meanwhile):
        restoring the old card then would throw that later review away.
        """
        with self._write("undo an answer") as conn:
            latest = conn.execute("SELECT MAX(id) FROM reviews WHERE item_id = ?",
                                  (recorded.item_id,)).fetchone()[0]
            if latest != recorded.review_id:
                return False
            if recorded.card_after is not None:
                now = conn.execute("SELECT card FROM cards WHERE item_id = ?",
                                   (recorded.item_id,)).fetchone()
                if now is None or now[0] != recorded.card_after:
                    return False
                if recorded.card_before is None:
                    conn.execute("DELETE FROM cards WHERE item_id = ?", (recorded.item_id,))
                else:
                    conn.execute("UPDATE cards SET topic = ?, card = ?, due = ?, introduced = ?, "
                                 "reps = ?, lapses = ? WHERE item_id = ?",
                                 (*recorded.card_before, recorded.item_id))
            conn.execute("DELETE FROM reviews WHERE id = ?", (recorded.review_id,))
            return True

    def add_flag(self, session_id: int | None, item_id: str, question: str, answer: str,
                 comment: str, now: datetime) -> int:
        """Keep a student's note that a question is wrong or unclear, for the decks' maintainers."""
        with self._write("save a flag") as conn:
            cur = conn.execute(
                "INSERT INTO flags(session_id, item_id, at, question, answer, comment) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, item_id, stamp(now), question, answer, comment))
            assert cur.lastrowid is not None
            return cur.lastrowid

    # --- reading -----------------------------------------------------------------------------

    def card_infos(self) -> dict[str, CardInfo]:
        """Every scheduled item's due time."""
        with self._guard("read the schedule"):
            return {r[0]: CardInfo(r[0], unstamp(r[1]))
                    for r in self._conn.execute("SELECT item_id, due FROM cards")}

    def card(self, item_id: str) -> Card | None:
        with self._guard("read a card"):
            row = self._conn.execute("SELECT card FROM cards WHERE item_id = ?",
                                     (item_id,)).fetchone()
        return _card_from_json(row[0]) if row else None

    def introduced_between(self, start: datetime, end: datetime) -> int:
        """How many items had their first scheduled review in [start, end)."""
        with self._guard("count new items"):
            row = self._conn.execute(
                "SELECT COUNT(*) FROM cards WHERE introduced >= ? AND introduced < ?",
                (stamp(start), stamp(end))).fetchone()
        return int(row[0])

    def reviews(self, session_id: int | None = None) -> list[Review]:
        sql = ("SELECT session_id, item_id, topic, at, answer, verdict, rating, correct, "
               "duration_ms, mode, retry FROM reviews")
        params: tuple[Any, ...] = ()
        if session_id is not None:
            sql += " WHERE session_id = ?"
            params = (session_id,)
        with self._guard("read the reviews"):
            rows = self._conn.execute(sql + " ORDER BY id", params).fetchall()
        return [Review(r[0], r[1], r[2], unstamp(r[3]), r[4], r[5], r[6], bool(r[7]), r[8],
                       r[9], bool(r[10])) for r in rows]

    def review_count(self) -> int:
        """Every answer kept, first answers and retries alike."""
        with self._guard("count the reviews"):
            return int(self._conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])

    def answer_counts(self) -> tuple[int, int]:
        """(first answers, answers in retry rounds)."""
        with self._guard("count the reviews"):
            row = self._conn.execute("SELECT COALESCE(SUM(retry = 0), 0), "
                                     "COALESCE(SUM(retry = 1), 0) FROM reviews").fetchone()
        return int(row[0]), int(row[1])

    def missed_items(self, since: datetime) -> list[str]:
        """Items missed (not exactly right) since ``since`` whose latest answer is still a
        miss, most recently missed first."""
        with self._guard("read the reviews"):
            rows = self._conn.execute(
                "SELECT r.item_id FROM reviews r "
                "WHERE r.id = (SELECT MAX(id) FROM reviews WHERE item_id = r.item_id) "
                "AND r.verdict != 'exact' AND r.at >= ? ORDER BY r.id DESC",
                (stamp(since),)).fetchall()
        return [r[0] for r in rows]

    def flags(self) -> list[FlagRow]:
        """Every flag, oldest first (none in a store older than flags)."""
        with self._guard("read the flags"):
            if not self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                      "AND name = 'flags'").fetchone():
                return []
            rows = self._conn.execute("SELECT id, item_id, at, question, answer, comment "
                                      "FROM flags ORDER BY id").fetchall()
        return [FlagRow(r[0], r[1], unstamp(r[2]), r[3], r[4], r[5]) for r in rows]

    def topic_stats(self, now: datetime) -> list[TopicStats]:
        """Per topic: items answered, first answers right and close, and FSRS's predicted
        recall of the topic's scheduled items a week from ``now``."""
        with self._guard("read the statistics"):
            answered = self._conn.execute(
                "SELECT topic, COUNT(DISTINCT item_id), SUM(retry = 0), "
                "SUM(retry = 0 AND verdict = 'exact'), SUM(retry = 0 AND verdict = 'near') "
                "FROM reviews GROUP BY topic").fetchall()
            cards = self._conn.execute("SELECT topic, card FROM cards").fetchall()
        sums: dict[str, list[float]] = {}
        sched = scheduler()
        later = (now + WEEK).astimezone(timezone.utc)
        for topic, text in cards:
            r = sched.get_card_retrievability(_card_from_json(text), later)
            sums.setdefault(topic, []).append(r)
        out = []
        for topic, seen, answers, right, close in answered:
            values = sums.get(topic, [])
            out.append(TopicStats(topic, seen, answers or 0, right or 0, close or 0, len(values),
                                  sum(values) / len(values) if values else None))
        return sorted(out, key=lambda t: t.topic)

    def due_forecast(self, now: datetime, days: int = 7) -> list[int]:
        """Cards due on each local day from today (overdue ones count for today)."""
        today = now.astimezone().date()
        end = local_midnight(today + timedelta(days=days))
        counts = [0] * days
        with self._guard("read the schedule"):
            rows = self._conn.execute("SELECT due FROM cards WHERE due < ?",
                                      (stamp(end),)).fetchall()
        for (due,) in rows:
            offset = (unstamp(due).astimezone().date() - today).days
            counts[max(0, offset)] += 1
        return counts

    def streak(self, now: datetime) -> int:
        """Consecutive local days, ending today (or yesterday), with at least one answer."""
        today = now.astimezone().date()
        window = 400
        with self._guard("read the reviews"):
            rows = self._conn.execute(
                "SELECT DISTINCT date(at, 'localtime') FROM reviews WHERE at >= ?",
                (stamp(local_midnight(today - timedelta(days=window))),)).fetchall()
        days = {date.fromisoformat(r[0]) for r in rows if r[0]}
        day = today if today in days else today - timedelta(days=1)
        count = 0
        while day in days:
            count += 1
            day -= timedelta(days=1)
        return count

    def recent_sessions(self, limit: int = 5) -> list[SessionRow]:
        """The latest sessions that got at least one first answer, newest first."""
        with self._guard("read the sessions"):
            rows = self._conn.execute(
                "SELECT s.id, s.mode, s.started, MAX(r.at), COUNT(r.id), SUM(r.correct) "
                "FROM sessions s JOIN reviews r ON r.session_id = s.id AND r.retry = 0 "
                "WHERE s.id IN (SELECT DISTINCT session_id FROM reviews WHERE retry = 0 "
                "ORDER BY session_id DESC LIMIT ?) "
                "GROUP BY s.id ORDER BY s.id DESC", (limit,)).fetchall()
        return [SessionRow(r[0], r[1], unstamp(r[2]), unstamp(r[3]) if r[3] else None,
                           r[4], r[5] or 0) for r in rows]


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day, as an aware datetime."""
    return datetime(day.year, day.month, day.day).astimezone()


def _connect(path: Path, how: str = "rw") -> sqlite3.Connection:
    """``rw``: read and write; ``ro``: read-only, with SQLite's locks (it may create the
    journal files beside the store); ``immutable``: read the file as it is, creating nothing."""
    try:
        if how == "rw":
            return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        query = "mode=ro" if how == "ro" else "mode=ro&immutable=1"
        return sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True,
                               timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the progress store {path}: {exc}") from None


def _card_from_json(text: str) -> Card:
    card: Card = Card.from_dict(json.loads(text))
    return card


def _unwritable(path: Path) -> bool:
    """True when this process may not write the store and keep its journal beside it."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK) or not os.access(path, os.W_OK):
        return True
    return any(p.exists() and not os.access(p, os.W_OK)
               for p in (Path(f"{path}-wal"), Path(f"{path}-shm")))


def _refuse_unwritable(path: Path) -> None:
    """One line naming what cannot be written and the command that fixes it."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        if not path.exists():
            raise StoreError(f"cannot create the progress store {path}: the folder {folder} is "
                             f"not writable; make it writable (chmod u+w {folder}) or choose "
                             "another place with --db or HISTQUIZ_HOME")
        raise StoreError(f"cannot write the progress store {path}: its folder {folder} is not "
                         "writable, and SQLite keeps a journal beside the store; make the "
                         f"folder writable (chmod u+w {folder}) or move the store")
    stuck = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
             if p.exists() and not os.access(p, os.W_OK)]
    if stuck:
        names = " ".join(str(p) for p in stuck)
        what = "it is read-only" if stuck == [path] else (
            f"{', '.join(p.name for p in stuck)} {'is' if len(stuck) == 1 else 'are'} read-only")
        raise StoreError(f"cannot write the progress store {path}: {what}; make "
                         f"{'it' if len(stuck) == 1 else 'them'} writable (chmod u+w {names}) "
                         "or choose another file with --db")


def _refuse_file_as_folder(path: Path) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise StoreError(f"cannot use the progress store {path}: {parent} is a file, "
                                 "not a folder")
            return


def _refuse_non_sqlite(path: Path) -> None:
    """Refuse a non-empty file that is not SQLite before SQLite ever touches it."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read the progress store {path}: {exc.strerror or exc}") from None
    if head and head != _SQLITE_MAGIC:
        raise StoreError(
            f"{path} is not a histquiz progress store (it is not an SQLite database); it was "
            "left untouched. Move it aside, or choose another file with --db."
        )


def _foreign(app_id: int, version: int, tables: set[str]) -> bool:
    """Not a histquiz store, nor an empty SQLite file that may become one: another program's
    application id, any table, or a user_version (another program's schema version) set."""
    return app_id not in (0, APPLICATION_ID) or (app_id == 0 and (bool(tables) or version != 0))


def _refuse_non_regular(path: Path) -> None:
    """Refuse a path that is not a regular file (a FIFO would block forever, a device is no
    store) or a link that leads nowhere, before anything opens it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise StoreError(f"{path} is a symbolic link to a file that does not exist; "
                             "remove the link or choose another file with --db") from None
        return
    except OSError as exc:
        raise StoreError(f"cannot use {path} as the progress store: "
                         f"{exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else (
            "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
            "not a regular file")
        raise StoreError(f"{path} is {kind}, not a progress store file; it was left untouched. "
                         "Choose another file with --db.")


# A time as ``stamp`` writes it, to the microsecond; a round trip through julianday() then
# refuses a day that does not exist (2025-02-31 comes back as 2025-03-03).
_STAMP_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]." + \
    "[0-9]" * 6 + "Z"
# every column that holds a time, and whether it may be empty
_TIMES = (("reviews", "at", False), ("sessions", "started", False), ("sessions", "ended", True),
          ("cards", "due", False), ("cards", "introduced", False))


def _check_rows(conn: sqlite3.Connection, damaged: Callable[[str], str]) -> None:
    """Refuse a store whose rows histquiz cannot read (a time that is not a time, a card that
    is not an FSRS card), before anything is written to it."""
    for table, column, nullable in _TIMES:
        fine = (f"typeof({column}) = 'text' AND {column} GLOB '{_STAMP_GLOB}' "
                f"AND date(julianday(substr({column}, 1, 10))) = substr({column}, 1, 10)")
        if nullable:
            fine = f"{column} IS NULL OR ({fine})"
        bad = conn.execute(f"SELECT rowid, {column} FROM {table} WHERE NOT ({fine}) "
                           "LIMIT 1").fetchone()
        if bad is not None:
            raise StoreError(damaged(f"{table} row {bad[0]}: {column} {str(bad[1])[:30]!r} "
                                     "is not a time"))
    for item_id, card in conn.execute("SELECT item_id, card FROM cards"):
        try:
            _card_from_json(card)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            raise StoreError(damaged(f"the card of {str(item_id)[:40]!r} is not an FSRS card")) from None


def check_now(moment: datetime) -> None:
    """Refuse a clock (HISTQUIZ_NOW) outside the years the schedule can handle: FSRS plans up to
    a hundred years ahead, and local times before 1970 are not portable."""
    if not 1970 <= moment.year <= 9000:
        raise StoreError(f"the time {moment.isoformat()} is outside 1970-9000, the years the "
                         "progress store can schedule in; set HISTQUIZ_NOW to a time in that range")
