"""What a source remembers between runs: paste ids fetched, per thread (keyed by source +
canonical thread URL) the newest post and comment processed and its reply count."""

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
        self._dirty: dict[str, ThreadState] = {}
        with db.session() as s:
            self.seen = set(s.exec(select(SeenItem.item_id).where(SeenItem.source == source)))
        self.reload_threads()

    def reload_threads(self) -> None:
        """Read every thread's (channel's) progress again: other workers advance them."""
        with self.db.session() as s:
            self.threads = {t.thread_url: t for t in s.exec(
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

    def thread(self, thread_url: str) -> ThreadState | None:
        return self.threads.get(thread_url)

    def last_post(self, thread_url: str) -> tuple[int, int, int]:
        """(newest post id, newest comment id, page it was on) processed in the thread."""
        t = self.threads.get(thread_url)
        return (t.last_post_id, t.last_comment_id, t.last_page) if t else (0, 0, 1)

    def _progress(self, thread_url: str) -> ThreadState:
        """The thread's state as this run has advanced it (written by :meth:`flush`)."""
        t = self._dirty.get(thread_url)
        if t is None:
            known = self.threads.get(thread_url)
            t = ThreadState(source=self.source, thread_url=thread_url) if known is None else (
                ThreadState(**known.model_dump(exclude={"id"})))
            self._dirty[thread_url] = t
        return t

    def advance_thread(self, thread_url: str, post_id: int, page: int, *,
                       comment: bool = False) -> None:
        """Remember the newest post stored; called once the post is safely persisted.
        Kept in memory and written per thread (one write, not one per post)."""
        t = self._progress(thread_url)
        if comment and post_id > t.last_comment_id:
            t.last_comment_id = post_id
        elif not comment and post_id > t.last_post_id:
            t.last_post_id = post_id
        else:
            return
        t.last_page = max(page, 1)

    def finish_thread(self, thread_url: str, replies: int | None) -> None:
        """The thread was read to its last page: store its progress and reply count."""
        self._progress(thread_url).replies = replies
        self.flush([thread_url])

    def flush(self, urls: list[str] | None = None) -> None:
        """Write the progress of the given threads (default: all advanced this run)."""
        urls = list(self._dirty) if urls is None else [u for u in urls if u in self._dirty]
        if not urls:
            return
        with self.db.session() as s:
            for url in urls:
                new = self._dirty.pop(url)
                row = s.exec(select(ThreadState).where(ThreadState.source == self.source,
                                                       ThreadState.thread_url == url)).first()
                row = row or ThreadState(source=self.source, thread_url=url)
                row.last_post_id = max(row.last_post_id, new.last_post_id)
                row.last_comment_id = max(row.last_comment_id, new.last_comment_id)
                row.last_page = max(row.last_page, new.last_page)
                row.replies = new.replies
                row.updated_at = utcnow()
                s.add(row)
                self.threads[url] = row
            s.commit()
