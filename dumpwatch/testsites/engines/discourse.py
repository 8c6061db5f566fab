"""Discourse, as its JSON API answers (what dumpwatch reads from a Discourse forum).

Shapes follow discourse/discourse_api_docs (responses/topics/latest_topics_response.json,
topic_response.json, categories): ``/latest.json`` and ``/c/SLUG/ID/l/latest.json`` list
``topic_list.topics`` (``more_topics_url`` while there are more, ``?page=N`` from 0);
``/t/ID.json`` holds ``post_stream.posts`` (the first ``chunk_size`` posts) and
``post_stream.stream`` (every post id); the rest come from
``/t/ID/posts.json?post_ids[]=…``. Posts carry id, username, created_at (ISO, UTC),
post_number and ``cooked`` HTML. A read-restricted category answers guests 404 with
Discourse's error body. Sizes are small so that paging is exercised.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from dumpwatch.testsites.engines._base import Board, EngineSite, Post, Reply, Request, Thread

PER_PAGE = 3  # topic_list per_page (30 on a real site)
CHUNK = 3  # post_stream chunk_size (20 on a real site)
NOT_FOUND = {"errors": ["The requested URL or resource could not be found."],
             "error_type": "not_found"}


def _ts(d) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "topic"


def _json(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data), "application/json; charset=utf-8")


class DiscourseSite(EngineSite):
    engine = "discourse"
    session_cookie = "_t"
    api_key = "d1sc0urse-api-key-for-tests"

    def route(self, r: Request) -> Reply:
        authed = r.logged_in or self._api_user(r) is not None
        path = r.path
        page = int(r.query.get("page", "0") or 0)
        if path == "/categories.json":
            cats = [self._category(b) for b in self.boards.values()
                    if authed or not b.members_only]
            return _json({"category_list": {"can_create_category": False,
                                            "categories": cats}})
        if path == "/latest.json":
            threads = sorted((t for b in self.boards.values() if authed or not b.members_only
                              for t in b.threads), key=lambda t: -t.posts[-1].id)
            return self._topic_list(threads, page, "/latest")
        m = re.fullmatch(r"/c/(?:[\w-]+/)*(\d+)/l/latest\.json", path)
        if m:
            board = self.board_by_id(int(m.group(1)))
            if board is None or (board.members_only and not authed):
                return _json(NOT_FOUND, 404)
            base = path.removesuffix(".json")
            return self._topic_list(self.listed(board), page, base)
        m = re.fullmatch(r"/t/(?:[\w-]+/)?(\d+)(/posts)?\.json", path)
        if m:
            thread = self.thread(int(m.group(1)))
            if thread is None or (self.boards[thread.board].members_only and not authed):
                return _json(NOT_FOUND, 404)
            if m.group(2):
                wanted = {int(v) for v in parse_qs(r.raw_query).get("post_ids[]", [])
                          if v.isdigit()}
                posts = [self._post(thread, p) for p in thread.posts if p.id in wanted]
                return _json({"post_stream": {"posts": posts}, "id": thread.id})
            return _json(self._topic(thread))
        return _json(NOT_FOUND, 404)

    def _api_user(self, r: Request) -> str | None:
        headers = {k.lower(): v for k, v in r.headers.items()}
        key, user = headers.get("api-key"), headers.get("api-username")
        return user if key == self.api_key and user == self.username else None

    def _category(self, b: Board) -> dict:
        return {"id": b.id, "name": b.name, "slug": b.slug, "topic_count": len(b.threads),
                "post_count": sum(len(t.posts) for t in b.threads),
                "read_restricted": b.members_only, "description": None,
                "topic_url": f"/t/about-the-{b.slug}-category/{1000 + b.id}"}

    def _topic_list(self, threads: list[Thread], page: int, base: str) -> Reply:
        chunk = threads[page * PER_PAGE:(page + 1) * PER_PAGE]
        users = {p.author for t in chunk for p in (t.posts[0], t.posts[-1])}
        topic_list: dict = {
            "can_create_topic": False, "per_page": PER_PAGE,
            "topics": [self._topic_row(t) for t in chunk]}
        if len(threads) > (page + 1) * PER_PAGE:
            topic_list["more_topics_url"] = f"{base}?page={page + 1}"
        return _json({"users": [{"id": 10 + i, "username": u,
                                 "avatar_template": f"/letter_avatar_proxy/v4/letter/{u[0]}/"
                                                    "8e7dd6/{size}.png"}
                                for i, u in enumerate(sorted(users))],
                      "topic_list": topic_list})

    def _topic_row(self, t: Thread) -> dict:
        first, last = t.posts[0], t.posts[-1]
        board = self.boards[t.board]
        return {"id": t.id, "title": t.title, "fancy_title": t.title, "slug": _slug(t.title),
                "posts_count": len(t.posts), "reply_count": len(t.posts) - 1,
                "highest_post_number": len(t.posts), "image_url": None,
                "created_at": _ts(first.posted), "last_posted_at": _ts(last.posted),
                "bumped": True, "bumped_at": _ts(last.posted), "archetype": "regular",
                "unseen": False, "pinned": False, "visible": True, "closed": False,
                "archived": False, "views": 5 * len(t.posts), "like_count": 0,
                "last_poster_username": last.author, "category_id": board.id,
                "pinned_globally": False}

    def _post(self, t: Thread, p: Post) -> dict:
        return {"id": p.id, "name": "", "username": p.author,
                "avatar_template": f"/letter_avatar_proxy/v4/letter/{p.author[0]}/8e7dd6/"
                                   "{size}.png",
                "created_at": _ts(p.posted),
                "cooked": "<p>" + p.html_body() + "</p>",
                "post_number": t.posts.index(p) + 1, "post_type": 1,
                "updated_at": _ts(p.posted), "reply_count": 0, "reply_to_post_number": None,
                "topic_id": t.id, "topic_slug": _slug(t.title), "display_username": "",
                "yours": False, "user_id": 10, "hidden": False, "deleted_at": None,
                "user_deleted": False, "wiki": False}

    def _topic(self, t: Thread) -> dict:
        return {"post_stream": {"posts": [self._post(t, p) for p in t.posts[:CHUNK]],
                                "stream": [p.id for p in t.posts]},
                "id": t.id, "title": t.title, "fancy_title": t.title,
                "posts_count": len(t.posts), "created_at": _ts(t.posts[0].posted),
                "slug": _slug(t.title), "category_id": self.boards[t.board].id,
                "archetype": "regular", "highest_post_number": len(t.posts),
                "chunk_size": CHUNK,
                "details": {"created_by": {"id": 10, "username": t.posts[0].author}}}
