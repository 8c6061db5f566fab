"""Simple Machines Forum 2.1 with its default theme.

Markup rendered from Themes/default/{MessageIndex, Display, Login, BoardIndex}.template.php
(branch release-2.1) and the page index of Sources/Subs.php / index.template.php, with the
variables filled in and optional parts (buttons, icons, quick moderation, scripts) left
out. URLs (``?board=1.0``, ``?topic=5.3`` offsets, ``#msg<id>``) and the default time format
``%B %d, %Y, %I:%M:%S %p`` are SMF's.
"""

from __future__ import annotations

from dataclasses import replace

from dumpwatch.testsites.engines._base import (
    Board,
    EngineSite,
    Post,
    Reply,
    Request,
    Thread,
    esc,
    pages,
)

SESSION_VAR, SESSION_ID = "b7c1e2d3f4", "8d9e0f1a2b3c4d5e6f708192a3b4c5d6"


def _date(d) -> str:
    return d.strftime("%B %d, %Y, %I:%M:%S %p")


class SmfSite(EngineSite):
    engine = "smf"
    session_cookie = "SMFCookie956"
    threads_per_page = 3
    posts_per_page = 3

    def _page(self, r: Request, title: str, body: str) -> str:
        if r.logged_in:
            top = ('<ul class="floatleft" id="top_info"><li><a href="index.php?action=profile" '
                   'id="profile_menu_top" onclick="return false;">watcher</a></li></ul>')
            menu = (f'<li class="button_logout"><a href="index.php?action=logout;{SESSION_VAR}='
                    f'{SESSION_ID}"><span class="main_icons logout"></span><span class="textmenu">'
                    f'Logout</span></a></li>')
        else:
            top = ('<ul class="floatleft welcome"><li>Welcome to <strong>Dumpwatch Community'
                   '</strong>. Please <a href="index.php?action=login" onclick="return '
                   'reqOverlayDiv(this.href, \'Log in\', \'login\');">log in</a> or <a href="'
                   'index.php?action=signup">sign up</a>.</li></ul>')
            menu = ('<li class="button_login"><a href="index.php?action=login"><span class="'
                    'main_icons login"></span><span class="textmenu">Log in</span></a></li>')
        return (f'<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8"><title>'
                f'{esc(title)}</title></head><body id="chrome" class="action_messageindex">'
                f'<div id="footerfix"><div id="top_section"><div class="inner_wrap">{top}</div>'
                f'</div><div id="wrapper"><div id="upper_section"><div id="inner_section">'
                f'<div id="inner_wrap" class="hide_720"><div id="main_menu"><ul class="dropmenu '
                f'menu_nav">{menu}</ul></div></div></div></div><div id="content_section">'
                f'<div id="main_content_section">{body}</div></div></div></div></body></html>')

    def _page_index(self, base: str, start: int, total: int, per: int) -> str:
        last = pages(total, per)
        out = ['<span class="pages">Pages</span>']
        if start > 0:
            out.append(f'<a class="nav_page" href="{base}.{start - per}"><span class="main_icons '
                       f'previous_page"></span></a> ')
        for n in range(last):
            out.append(f'<span class="current_page">{n + 1}</span> ' if n * per == start else
                       f'<a class="nav_page" href="{base}.{n * per}">{n + 1}</a> ')
        if start + per < total:
            out.append(f'<a class="nav_page" href="{base}.{start + per}"><span class="main_icons '
                       f'next_page"></span></a> ')
        return "".join(out)

    def _kick_guest(self, r: Request, error: str = "") -> Reply:
        err = f'<div class="errorbox">{esc(error)}</div>' if error else ""
        body = (
            f'<form action="index.php?action=login2" method="post" accept-charset="UTF-8" '
            f'name="frmLogin" id="frmLogin"><div class="login"><div class="cat_bar"><h3 class="'
            f'catbg">Warning!</h3></div><p class="information centertext">Sorry, only registered '
            f'members are allowed to access this section.<br>Please login below or <a href="'
            f'index.php?action=signup">register an account</a> with Dumpwatch Community.</p>{err}'
            f'<div class="cat_bar"><h3 class="catbg"><span class="main_icons login"></span> Log in'
            f'</h3></div><div class="roundframe"><dl><dt>Username:</dt><dd><input type="text" '
            f'name="user" size="20"></dd><dt>Password:</dt><dd><input type="password" '
            f'name="passwrd" size="20"></dd></dl><dl><dt>Minutes to stay logged in:</dt><dd>'
            f'<input type="number" name="cookielength" size="4" maxlength="4" value="3153600" '
            f'min="1" max="3153600"></dd></dl><p class="centertext"><input type="submit" '
            f'value="Log in" class="button"></p></div><input type="hidden" name="{SESSION_VAR}" '
            f'value="{SESSION_ID}"></div></form>')
        return Reply(200, self._page(r, "Log in", body))

    def route(self, r: Request) -> Reply:
        if r.path not in ("/", "/index.php"):
            return Reply(404, self._page(r, "Error", "<h3>404 Not Found</h3>"))
        action = r.query.get("action", "")
        if action == "login2" and r.method == "POST":
            token = self.check_login(r.form.get("user"), r.form.get("passwrd")
                                     ) if r.form.get(SESSION_VAR) == SESSION_ID else None
            if token is None:
                return self._kick_guest(r, "Password incorrect")
            return Reply(200, self._page(
                    replace(r, logged_in=True), "Log in",
                    '<div class="infobox">Welcome back</div>'),
                         headers=self.session_header(token))
        if action == "login":
            return self._kick_guest(r)
        if "board" in r.query:
            bid, _, start = r.query["board"].partition(".")
            board = self.board_by_id(int(bid)) if bid.isdigit() else None
            if board is not None:
                return self._board(r, board, int(start or 0))
        if "topic" in r.query:
            tid, _, start = r.query["topic"].partition(".")
            thread = self.thread(int(tid)) if tid.isdigit() else None
            if thread is not None:
                return self._topic(r, thread, int(start) if start.isdigit() else 0)
        if not r.query:
            return self._index(r)
        return Reply(404, self._page(r, "An Error Has Occurred!", '<div id="fatal_error">'
                     '<div class="cat_bar"><h3 class="catbg">An Error Has Occurred!</h3></div>'
                     '<div class="windowbg"><div class="padding">The topic or board you are '
                     'looking for appears to be either missing or off limits to you.</div></div>'
                     '</div>'))

    def _index(self, r: Request) -> Reply:
        rows = "".join(
            f'<div id="board_{b.id}" class="up_contain "><div class="board_icon"><a href="index.'
            f'php?board={b.id}.0" class="board_off" title="No New Posts"></a></div><div class="'
            f'info"><a class="subject mobile_subject" href="index.php?board={b.id}.0" id="b{b.id}'
            f'">{esc(b.name)}</a><div class="board_description">{esc(b.slug)}</div></div><div '
            f'class="board_stats"><p>{len(b.threads)} Topics</p></div></div>'
            for b in self.boards.values())
        body = (f'<div id="boardindex_table" class="boardindex_table"><div class="main_container">'
                f'<div class="cat_bar" id="category_1"><h3 class="catbg">General Category</h3>'
                f'</div><div id="category_1_boards" >{rows}</div></div></div>')
        return Reply(200, self._page(r, "Dumpwatch Community - Index", body))

    def _board(self, r: Request, board: Board, start: int) -> Reply:
        if not self.readable(r, board):
            return self._kick_guest(r)
        threads = self.listed(board)
        per = self.threads_per_page
        chunk = threads[start:start + per]
        index = self._page_index(f"index.php?board={board.id}", start, len(threads), per)
        rows = "".join(self._topic_row(t) for t in chunk)
        body = (f'<div id="display_head" class="information"><h2>{esc(board.name)}</h2></div>'
                f'<div class="pagesection"><div class="pagelinks floatleft"><a href="#bot" '
                f'class="button">Go Down</a> {index}</div></div><div id="messageindex">'
                f'<div id="topic_container">{rows}</div></div><div class="pagesection"><div '
                f'class="pagelinks floatleft"><a href="#main_content_section" class="button" '
                f'id="bot">Go Up</a> {index}</div></div>')
        return Reply(200, self._page(r, board.name, body))

    def _topic_row(self, t: Thread) -> str:
        first, last = t.posts[0], t.posts[-1]
        per = self.posts_per_page
        n = pages(len(t.posts), per)
        mini = "" if n == 1 else (f'<span id="pages{first.id}" class="topic_pages">' + "".join(
            f'<a class="nav_page" href="index.php?topic={t.id}.{k * per}">{k + 1}</a> '
            for k in range(n)) + "</span>")
        return (
            f'<div class="windowbg"><div class="board_icon"><img src="Themes/default/images/'
            f'topic/normal_post.png" alt=""></div><div class="info info_block"><div ><div class="'
            f'message_index_title"><span class="preview" title=""><span id="msg_{first.id}"><a '
            f'href="index.php?topic={t.id}.0">{esc(t.title)}</a></span></span></div><p class="'
            f'floatleft">Started by <a href="index.php?action=profile;u=2" title="View the '
            f'profile of {esc(first.author)}">{esc(first.author)}</a></p>{mini}</div></div>'
            f'<div class="board_stats centertext"><p>Replies: {len(t.posts) - 1}<br>Views: '
            f'{9 * len(t.posts)}</p></div><div class="lastpost"><p><a href="index.php?topic='
            f'{t.id}.msg{last.id}#new">Last post</a> by <a href="index.php?action=profile;u=3">'
            f'{esc(last.author)}</a><br>{_date(last.posted)}</p></div></div>')

    def _topic(self, r: Request, t: Thread, start: int) -> Reply:
        if not self.readable(r, t.board):
            return self._kick_guest(r)
        per = self.posts_per_page
        chunk = t.posts[start:start + per]
        index = self._page_index(f"index.php?topic={t.id}", start, len(t.posts), per)
        posts = "".join(self._message(t, p, start + i) for i, p in enumerate(chunk))
        first = t.posts[0]
        body = (
            f'<div id="display_head" class="information"><h2 class="display_title"><span '
            f'id="top_subject">{esc(t.title)}</span></h2><p>Started by {esc(first.author)}, '
            f'{_date(first.posted)}</p></div><div class="pagesection top"><div class="pagelinks '
            f'floatleft"><a href="#bot" class="button">Go Down</a> {index}</div></div>'
            f'<div id="forumposts"><form action="index.php?action=quickmod2;topic={t.id}.{start}'
            f'" method="post" accept-charset="UTF-8" name="quickModForm" id="quickModForm">'
            f'{posts}</form></div><div class="pagesection"><div class="pagelinks floatleft">'
            f'<a href="#main_content_section" class="button" id="bot">Go Up</a> {index}</div>'
            f'</div>')
        return Reply(200, self._page(r, t.title, body))

    def _message(self, t: Thread, p: Post, counter: int) -> str:
        subject = t.title if counter == 0 else f"Re: {t.title}"
        number = f'<span class="page_number floatright">#{counter}</span>' if counter else ""
        return (
            f'<div class="windowbg" id="msg{p.id}"><div class="post_wrapper"><div class="poster">'
            f'<h4><a href="index.php?action=profile;u=2" title="View the profile of '
            f'{esc(p.author)}">{esc(p.author)}</a></h4><ul class="user_info"><li class="'
            f'membergroup">Newbie</li><li class="postcount">Posts: 12</li></ul></div>'
            f'<div class="postarea"><div class="keyinfo"><div id="subject_{p.id}" class="'
            f'subject_title subject_hidden"><a href="index.php?msg={p.id}" rel="nofollow">'
            f'{esc(subject)}</a></div>{number}<div class="postinfo"><span class="messageicon" '
            f'><img src="Themes/default/images/post/xx.png" alt=""></span><a href="index.php?'
            f'topic={t.id}.msg{p.id}#msg{p.id}" rel="nofollow" title="{esc(subject)}" class="'
            f'smalltext">{_date(p.posted)}</a><span class="spacer"></span><span class="smalltext '
            f'modified floatright" id="modified_{p.id}"></span></div><div id="msg_{p.id}_quick_'
            f'mod"></div></div><div class="post"><div class="inner" data-msgid="{p.id}" '
            f'id="msg_{p.id}">{p.html_body()}</div></div></div></div></div>')
