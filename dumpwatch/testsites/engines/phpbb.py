"""phpBB 3.3 with its default style, prosilver.

Markup rendered from phpBB/styles/prosilver/template/{viewforum_body, viewtopic_body,
forumlist_body, pagination, login_body}.html (branch 3.3.x) with the variables filled in
and optional blocks (buttons, icons, profile fields, events) left out. URLs, ``start=``
offsets, the ``#p<id>`` anchors, ``<time datetime>`` and the default date format
``D M d, Y g:i a`` are phpBB's.
"""

from __future__ import annotations

from dataclasses import replace

from dumpwatch.testsites.engines._base import Board, EngineSite, Reply, Request, Thread, esc


def _date(d) -> str:
    return d.strftime("%a %b %d, %Y ") + d.strftime("%I:%M %p").lstrip("0").lower()


class PhpbbSite(EngineSite):
    engine = "phpbb"
    session_cookie = "phpbb3_abc_sid"
    threads_per_page = 3
    posts_per_page = 3

    def _page(self, r: Request, title: str, body: str) -> str:
        nav = ('<li class="rightside"><a href="./ucp.php?mode=logout&amp;sid=0" '
               'title="Logout [ watcher ]" accesskey="x" role="menuitem"><span>Logout '
               '[ watcher ]</span></a></li>') if r.logged_in else (
            '<li class="rightside"><a href="./ucp.php?mode=login" title="Login" accesskey="x" '
            'role="menuitem"><span>Login</span></a></li>')
        return (f'<!DOCTYPE html><html dir="ltr" lang="en-gb"><head><meta charset="utf-8" />'
                f'<title>{esc(title)} - dumpwatch phpBB</title></head>'
                f'<body id="phpbb" class="nojs notouch section-viewtopic ltr ">'
                f'<div id="wrap" class="wrap"><div class="navbar" role="navigation">'
                f'<ul id="nav-main" class="nav-main linklist" role="menubar">{nav}</ul></div>'
                f'<div id="page-body" class="page-body" role="main">{body}</div></div>'
                f'</body></html>')

    def _pagination(self, base: str, page: int, total: int, per: int) -> str:
        last = (max(total, 1) - 1) // per + 1
        if last == 1:
            return f'<div class="pagination">{total} topics &bull; Page <strong>1</strong> of ' \
                   f'<strong>1</strong></div>'
        items = []
        if page > 1:
            items.append(f'<li class="arrow previous"><a class="button button-icon-only" '
                         f'href="{base}&amp;start={(page - 2) * per}" rel="prev" role="button">'
                         f'<i class="icon fa-chevron-left fa-fw" aria-hidden="true"></i>'
                         f'<span class="sr-only">Previous</span></a></li>')
        for n in range(1, last + 1):
            href = base if n == 1 else f"{base}&amp;start={(n - 1) * per}"
            items.append(f'<li class="active"><span>{n}</span></li>' if n == page else
                         f'<li><a class="button" href="{href}" role="button">{n}</a></li>')
        if page < last:
            items.append(f'<li class="arrow next"><a class="button button-icon-only" '
                         f'href="{base}&amp;start={page * per}" rel="next" role="button">'
                         f'<i class="icon fa-chevron-right fa-fw" aria-hidden="true"></i>'
                         f'<span class="sr-only">Next</span></a></li>')
        return (f'<div class="pagination">{total} posts &bull; Page <strong>{page}</strong> of '
                f'<strong>{last}</strong><ul>{"".join(items)}</ul></div>')

    def _login(self, r: Request, explain: str = "", error: str = "") -> Reply:
        err = f'<div class="error">{esc(error)}</div>' if error else ""
        body = (
            '<form action="./ucp.php?mode=login" method="post" id="login" data-focus="username">'
            '<div class="panel"><div class="inner"><div class="content">'
            f'<h2 class="login-title">{esc(explain) or "Login"}</h2>'
            f'<fieldset class="fields1">{err}'
            '<dl><dt><label for="username">Username:</label></dt>'
            '<dd><input type="text" tabindex="1" name="username" id="username" size="25" '
            'value="" class="inputbox autowidth" autocomplete="username" /></dd></dl>'
            '<dl><dt><label for="password">Password:</label></dt>'
            '<dd><input type="password" tabindex="2" id="password" name="password" size="25" '
            'class="inputbox autowidth" autocomplete="current-password" /></dd></dl>'
            '<dl><dt>&nbsp;</dt><dd><label for="autologin"><input type="checkbox" '
            'name="autologin" id="autologin" tabindex="4" /> Remember me</label></dd></dl>'
            '<input type="hidden" name="redirect" value="./index.php" />'
            '<input type="hidden" name="creation_time" value="1764739320" />'
            '<input type="hidden" name="form_token" value="5f0c3b2a9e" />'
            '<dl><dt>&nbsp;</dt><dd><input type="hidden" name="sid" value="0" />'
            '<input type="submit" name="login" tabindex="6" value="Login" class="button1" />'
            '</dd></dl></fieldset></div></div></div></form>')
        return Reply(200, self._page(r, "Login", body))

    def route(self, r: Request) -> Reply:
        if r.path == "/ucp.php" and r.query.get("mode") == "login":
            if r.method == "POST":
                ok = r.form.get("form_token") == "5f0c3b2a9e" and "login" in r.form
                token = self.check_login(r.form.get("username"), r.form.get("password")
                                         ) if ok else None
                if token is None:
                    return self._login(r, error="You have specified an incorrect username.")
                return Reply(200, self._page(
                    replace(r, logged_in=True), "Login", "<p>You have been successfully logged "
                                             "in.</p>"), headers=self.session_header(token))
            return self._login(r)
        if r.path in ("/", "/index.php"):
            return self._index(r)
        if r.path == "/viewforum.php" and r.query.get("f", "").isdigit():
            board = self.board_by_id(int(r.query["f"]))
            if board is not None:
                return self._forum(r, board, int(r.query.get("start", "0") or 0))
        if r.path == "/viewtopic.php" and r.query.get("t", "").isdigit():
            thread = self.thread(int(r.query["t"]))
            if thread is not None:
                return self._topic(r, thread, int(r.query.get("start", "0") or 0))
        return Reply(404, self._page(r, "Information", '<div class="panel" id="message">'
                                     '<div class="inner"><h2 class="message-title">Information'
                                     '</h2><p>The requested topic does not exist.</p></div></div>'))

    def _index(self, r: Request) -> Reply:
        rows = "".join(
            f'<li class="row"><dl class="row-item forum_read"><dt title="No unread posts">'
            f'<div class="list-inner"><a href="./viewforum.php?f={b.id}" class="forumtitle">'
            f'{esc(b.name)}</a><br />{esc(b.slug)}</div></dt>'
            f'<dd class="topics">{len(b.threads)} <dfn>Topics</dfn></dd></dl></li>'
            for b in self.boards.values())
        body = ('<div class="forabg"><div class="inner"><ul class="topiclist"><li class="header">'
                '<dl class="row-item"><dt><div class="list-inner">Forum</div></dt></dl></li></ul>'
                f'<ul class="topiclist forums">{rows}</ul></div></div>')
        return Reply(200, self._page(r, "Index page", body))

    def _forum(self, r: Request, board: Board, start: int) -> Reply:
        if not self.readable(r, board):
            return self._login(r, "The board requires you to be registered and logged in to "
                               "view this forum.")
        threads = self.listed(board)
        per = self.threads_per_page
        chunk = threads[start:start + per]
        rows = "".join(self._topic_row(t, i) for i, t in enumerate(chunk))
        pag = self._pagination(f"./viewforum.php?f={board.id}", start // per + 1, len(threads),
                               per)
        body = (f'<h2 class="forum-title"><a href="./viewforum.php?f={board.id}">'
                f'{esc(board.name)}</a></h2><div class="action-bar bar-top">{pag}'
                '</div><div class="forumbg"><div class="inner"><ul class="topiclist">'
                '<li class="header"><dl class="row-item"><dt><div class="list-inner">Topics</div>'
                '</dt><dd class="posts">Replies</dd><dd class="views">Views</dd>'
                '<dd class="lastpost"><span>Last post</span></dd></dl></li></ul>'
                f'<ul class="topiclist topics">{rows}</ul></div></div>')
        return Reply(200, self._page(r, board.name, body))

    def _topic_row(self, t: Thread, i: int) -> str:
        first, last = t.posts[0], t.posts[-1]
        per = self.posts_per_page
        n_pages = (len(t.posts) - 1) // per + 1
        mini = ""
        if n_pages > 1:
            links = "".join(
                f'<li><a class="button" href="./viewtopic.php?t={t.id}'
                f'{"" if n == 1 else f"&amp;start={(n - 1) * per}"}">{n}</a></li>'
                for n in range(1, n_pages + 1))
            mini = f'<div class="pagination"><span><i class="icon fa-clone fa-fw" ' \
                   f'aria-hidden="true"></i></span><ul>{links}</ul></div>'
        return (
            f'<li class="row {"bg1" if i % 2 else "bg2"}"><dl class="row-item topic_read">'
            f'<dt title="No unread posts"><div class="list-inner">'
            f'<a href="./viewtopic.php?t={t.id}" class="topictitle">{esc(t.title)}</a><br />'
            f'<div class="topic-poster responsive-hide left-box">by <a href="./memberlist.php?'
            f'mode=viewprofile&amp;u=2" class="username">{esc(first.author)}</a> &raquo; '
            f'<time datetime="{first.posted.isoformat()}">{_date(first.posted)}</time></div>'
            f'{mini}</div></dt><dd class="posts">{len(t.posts) - 1} <dfn>Replies</dfn></dd>'
            f'<dd class="views">{10 * len(t.posts)} <dfn>Views</dfn></dd>'
            f'<dd class="lastpost"><span><dfn>Last post </dfn>by <a href="./memberlist.php?mode='
            f'viewprofile&amp;u=3" class="username">{esc(last.author)}</a><a href="./viewtopic.'
            f'php?p={last.id}#p{last.id}" title="Go to last post"></a><br />'
            f'<time datetime="{last.posted.isoformat()}">{_date(last.posted)}</time></span></dd>'
            f'</dl></li>')

    def _topic(self, r: Request, t: Thread, start: int) -> Reply:
        board = self.boards[t.board]
        if not self.readable(r, board):
            return self._login(r, "The board requires you to be registered and logged in to "
                               "view this forum.")
        per = self.posts_per_page
        posts = t.posts[start:start + per]
        rows = "".join(self._post(t, p, i) for i, p in enumerate(posts))
        pag = self._pagination(f"./viewtopic.php?t={t.id}", start // per + 1, len(t.posts), per)
        body = (f'<h2 class="topic-title"><a href="./viewtopic.php?t={t.id}">{esc(t.title)}'
                f'</a></h2><div class="action-bar bar-top">{pag}</div>{rows}'
                f'<div class="action-bar bar-bottom">{pag}</div>')
        return Reply(200, self._page(r, t.title, body))

    def _post(self, t: Thread, p, i: int) -> str:
        author = (f'<a href="./memberlist.php?mode=viewprofile&amp;u=2" class="username">'
                  f'{esc(p.author)}</a>')
        subject = t.title if p is t.posts[0] else f"Re: {t.title}"
        first = ' class="first"' if i == 0 else ""
        return (
            f'<div id="p{p.id}" class="post has-profile {"bg1" if i % 2 else "bg2"}">'
            f'<div class="inner"><dl class="postprofile" id="profile{p.id}">'
            f'<dt class="no-profile-rank no-avatar"><div class="avatar-container"></div>'
            f'{author}</dt><dd class="profile-posts"><strong>Posts:</strong> '
            f'<a href="./search.php?author_id=2&amp;sr=posts">12</a></dd>'
            f'<dd class="profile-joined"><strong>Joined:</strong> Mon Nov 03, 2025 9:00 am</dd>'
            f'</dl><div class="postbody"><div id="post_content{p.id}">'
            f'<h3{first}><a href="./viewtopic.php?p={p.id}#p{p.id}">'
            f'{esc(subject)}</a></h3><p class="author"><a class="unread" href="./viewtopic.php?'
            f'p={p.id}#p{p.id}" title="Post"><i class="icon fa-file fa-fw icon-lightgray icon-md" '
            f'aria-hidden="true"></i><span class="sr-only">Post</span></a><span class="'
            f'responsive-hide">by <strong>{author}</strong> &raquo; </span>'
            f'<time datetime="{p.posted.isoformat()}">{_date(p.posted)}</time></p>'
            f'<div class="content">{p.html_body()}</div></div></div>'
            f'<div class="back2top"><a href="#top" class="top" title="Top">'
            f'<i class="icon fa-chevron-circle-up fa-fw icon-gray" aria-hidden="true"></i>'
            f'<span class="sr-only">Top</span></a></div></div></div><hr class="divider" />')
