"""What a source remembers between runs: paste ids fetched, newest post per thread."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select

from dumpwatch.storage import Database, SeenItem, ThreadState
from dumpwatch.storage.models import utcnow


def insert_ignore_stmt(db: Database, model: type, rows: list[dict], keys: list[str]):
    """INSERT ... ON CONFLICT DO NOTHING, in the dialect of the database at hand."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)


class CrawlState:
    def __init__(self, db: Database, source: str) -> None:
        self.db = db
        self.source = source
        with db.session() as s:
            self.seen = set(s.exec(select(SeenItem.item_id).where(SeenItem.source == source)))
        self.reload_threads()

    def reload_threads(self) -> None:
        """Read every thread's (channel's) newest post again: other workers advance them."""
        with self.db.session() as s:
            self.threads = {t.thread_id: t for t in s.exec(
                select(ThreadState).where(ThreadState.source == self.source))}

    def seen_stmt(self, item_id: str):
        self.seen.add(item_id)
        return insert_ignore_stmt(self.db, SeenItem, [{"source": self.source,
                                                       "item_id": item_id,
                                                       "seen_at": utcnow()}],
                                  ["source", "item_id"])

    def mark_seen(self, item_id: str) -> None:
        if item_id not in self.seen:
            with self.db.session() as s:
                s.exec(self.seen_stmt(item_id))  # type: ignore[call-overload]
                s.commit()

    def unseen_in_db(self, item_ids: list[str]) -> set[str]:
        """Of these ids, those no process has stored yet (the database is the truth when
        several workers share a source; the in-memory set is only this process's view)."""
        if not item_ids:
            return set()
        with self.db.session() as s:
            stored = set(s.exec(select(SeenItem.item_id).where(
                SeenItem.source == self.source,
                SeenItem.item_id.in_(item_ids))))  # type: ignore[attr-defined]
        self.seen |= stored
        return set(item_ids) - stored

    def last_post(self, thread_id: str) -> tuple[int, int]:
        t = self.threads.get(thread_id)
        return (t.last_post_id, t.last_page) if t else (0, 1)

    def advance_thread(self, thread_id: str, post_id: int, page: int) -> None:
        """Remember the newest post stored; called once the post is safely persisted."""
        with self.db.session() as s:
            t = s.exec(select(ThreadState).where(ThreadState.source == self.source,
                                                 ThreadState.thread_id == thread_id)).first()
            if t is None:
                t = ThreadState(source=self.source, thread_id=thread_id)
            if post_id > t.last_post_id:
                t.last_post_id = post_id
                t.last_page = max(page, 1)
                t.updated_at = utcnow()
                s.add(t)
                s.commit()
            self.threads[thread_id] = t
