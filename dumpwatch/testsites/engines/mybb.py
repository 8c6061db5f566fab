"""MyBB 1.8 with its default theme.

Markup rendered from the templates in install/resources/mybb_theme.xml (showthread,
postbit, postbit_posturl, forumdisplay_threadlist, forumdisplay_thread, forumbit_depth2_forum,
multipage*, member_login, error_nopermission, header_welcomeblock_*) with the variables
filled in and optional parts (buttons, avatars, scripts) left out. URLs, ``page=``,
``#pid<id>`` anchors and the default date format (``m-d-Y, h:i A``) are MyBB's.
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

POST_KEY = "a1b2c3d4e5f6a7b8c9d0"


def _date(d) -> str:
    return d.strftime("%m-%d-%Y, %I:%M %p")


class MybbSite(EngineSite):
    engine = "mybb"
    session_cookie = "mybbuser"
    threads_per_page = 3
    posts_per_page = 3

    def _page(self, r: Request, title: str, body: str) -> str:
        if r.logged_in:
            welcome = ('<span class="welcome">Welcome back, <strong><a href="member.php?action='
                       'profile&amp;uid=7">watcher</a></strong>. <a href="member.php?action='
                       'logout&amp;logoutkey=0f1e2d" class="logout">Log Out</a></span>')
        else:
            welcome = ('<span class="welcome">Hello There, Guest! <a href="member.php?action='
                       'login" class="login">Login</a> <a href="member.php?action=register" '
                       'class="register">Register</a></span>')
        return (f'<html><head><title>{esc(title)}</title><meta http-equiv="Content-Type" '
                f'content="text/html; charset=UTF-8" /></head><body><div id="container">'
                f'<a name="top" id="top"></a><div id="header"><div id="panel"><div class="upper">'
                f'<div class="wrapper">{welcome}</div></div></div></div><div id="content">'
                f'<div class="wrapper"><br />{body}</div></div></div></body></html>')

    def _multipage(self, base: str, page: int, last: int) -> str:
        if last == 1:
            return ""
        parts = [f'<span class="pages">Pages ({last}):</span>']
        if page > 1:
            parts.append(f'<a href="{base}&amp;page={page - 1}" class="pagination_previous">'
                         f'&laquo; Previous</a>')
        for n in range(1, last + 1):
            parts.append(f' <span class="pagination_current">{n}</span>' if n == page else
                         f'<a href="{base}&amp;page={n}" class="pagination_page">{n}</a>')
        if page < last:
            parts.append(f'<a href="{base}&amp;page={page + 1}" class="pagination_next">'
                         f'Next &raquo;</a>')
        return f'<div class="pagination">\n{"".join(parts)}\n</div>'

    def _login_form(self, error: str = "") -> str:
        err = (f'<div class="error"><p><em>Please correct the following errors before '
               f'continuing:</em></p><ul><li>{esc(error)}</li></ul></div>') if error else ""
        return (
            f'{err}<form action="member.php" method="post"><table border="0" cellspacing="0" '
            'cellpadding="5" class="tborder"><tr><td class="thead" colspan="2"><strong>Login'
            '</strong></td></tr><tr><td class="trow1"><strong>Username:</strong></td>'
            '<td class="trow1"><input type="text" class="textbox" name="username" size="25" '
            'style="width: 200px;" value="" /></td></tr><tr><td class="trow2"><strong>Password:'
            '</strong><br /><span class="smalltext">Please note that passwords are case sensitive.'
            '</span></td><td class="trow2"><input type="password" class="textbox" name="password"'
            ' size="25" style="width: 200px;" value="" /> (<a href="member.php?action=lostpw">'
            'Lost Password?</a>)</td></tr><tr><td class="trow1" colspan="2" align="center">'
            '<label title="If ticked, your login details will be remembered on this computer">'
            '<input type="checkbox" class="checkbox" name="remember" checked="checked" '
            'value="yes" /> Remember me</label></td></tr></table><br /><div align="center">'
            '<input type="submit" class="button" name="submit" value="Login" /></div>'
            '<input type="hidden" name="action" value="do_login" />'
            '<input type="hidden" name="url" value="" />'
            f'<input name="my_post_key" type="hidden" value="{POST_KEY}" /></form>')

    def _nopermission(self, r: Request) -> Reply:
        body = ('<table border="0" cellspacing="0" cellpadding="5" class="tborder"><tr>'
                '<td class="thead"><span class="smalltext"><strong>Dumpwatch Forums</strong>'
                '</span></td></tr><tr><td class="trow1">You are either not logged in or do not '
                'have permission to view this page. This could be because one of the following:'
                '<ol><li>You are not logged in or registered. Please use the form at the bottom '
                'of this page to login. <a href="member.php?action=login">Login</a> | <a href="'
                'member.php?action=register">Register</a></li><li>You do not have permission to '
                'access this page.</li></ol></td></tr></table>' + self._login_form())
        return Reply(200, self._page(r, "Dumpwatch Forums", body))

    def route(self, r: Request) -> Reply:
        if r.path == "/member.php":
            if r.method == "POST" and r.form.get("action") == "do_login":
                token = self.check_login(r.form.get("username"), r.form.get("password")
                                         ) if r.form.get("my_post_key") == POST_KEY else None
                if token is None:
                    return Reply(200, self._page(r, "Login", self._login_form(
                        "You have entered an invalid username/password combination.")))
                return Reply(200, self._page(
                    replace(r, logged_in=True), "Login", '<div class="trow1">You have '
                                             'successfully been logged in.</div>'),
                             headers=self.session_header(token))
            if r.query.get("action") == "login":
                return Reply(200, self._page(r, "Login", self._login_form()))
        if r.path in ("/", "/index.php"):
            return self._index(r)
        page = int(r.query.get("page", "1") or 1)
        if r.path == "/forumdisplay.php" and r.query.get("fid", "").isdigit():
            board = self.board_by_id(int(r.query["fid"]))
            if board is not None:
                return self._forum(r, board, page)
        if r.path == "/showthread.php" and r.query.get("tid", "").isdigit():
            thread = self.thread(int(r.query["tid"]))
            if thread is not None:
                return self._thread(r, thread, page)
        return Reply(404, self._page(r, "Error", '<div class="error">The specified thread does '
                                     'not exist.</div>'))

    def _index(self, r: Request) -> Reply:
        rows = "".join(
            f'<tr><td class="trow1" align="center" width="1"><span class="forum_status forum_off '
            f'ajax_mark_read" title="No New Posts" id="mark_read_{b.id}"></span></td>'
            f'<td class="trow1"><strong><a href="forumdisplay.php?fid={b.id}">{esc(b.name)}'
            f'</a></strong><div class="smalltext">{esc(b.slug)}</div></td><td class="trow1" '
            f'align="center" style="white-space: nowrap">{len(b.threads)}</td></tr>'
            for b in self.boards.values())
        body = (f'<table border="0" cellspacing="0" cellpadding="5" class="tborder">'
                f'<thead><tr><td class="thead" colspan="5"><strong>Dumpwatch Forums</strong></td>'
                f'</tr></thead><tbody>{rows}</tbody></table>')
        return Reply(200, self._page(r, "Dumpwatch Forums", body))

    def _forum(self, r: Request, board: Board, page: int) -> Reply:
        if not self.readable(r, board):
            return self._nopermission(r)
        chunk, last = self.page_of(self.listed(board), page, self.threads_per_page)
        multipage = self._multipage(f"forumdisplay.php?fid={board.id}", page, last)
        rows = "".join(self._thread_row(t, i) for i, t in enumerate(chunk))
        body = (f'<div class="float_left">{multipage}</div><table border="0" cellspacing="0" '
                f'cellpadding="5" class="tborder clear"><tr><td class="thead" colspan="6">'
                f'<div><strong>{esc(board.name)}</strong></div></td></tr>{rows}</table>'
                f'<div class="float_left">{multipage}</div>')
        return Reply(200, self._page(r, board.name, body))

    def _thread_row(self, t: Thread, i: int) -> str:
        first, last = t.posts[0], t.posts[-1]
        bg = "trow1" if i % 2 == 0 else "trow2"
        n = pages(len(t.posts), self.posts_per_page)
        mp = "" if n == 1 else (' <span class="smalltext">(Pages: ' + "".join(
            f'<a href="showthread.php?tid={t.id}&amp;page={k}">{k}</a> '
            for k in range(1, n + 1)) + ")</span>")
        return (
            f'<tr class="inline_row"><td align="center" class="{bg}" width="2%"><span class="'
            f'thread_status folder" title="No new posts.">&nbsp;</span></td><td align="center" '
            f'class="{bg}" width="2%">&nbsp;</td><td class="{bg}"><div><span> <span class=" '
            f'subject_old" id="tid_{t.id}"><a href="showthread.php?tid={t.id}">{esc(t.title)}'
            f'</a></span>{mp}</span><div><span class="author smalltext"><a href="member.php?'
            f'action=profile&amp;uid=2">{esc(first.author)}</a>, </span><span class="'
            f'thread_start_datetime smalltext">{_date(first.posted)}</span></div></div></td>'
            f'<td align="center" class="{bg}"><a href="misc.php?action=whoposted&tid={t.id}">'
            f'{len(t.posts) - 1}</a></td><td align="center" class="{bg}">{7 * len(t.posts)}</td>'
            f'<td class="{bg}" style="white-space: nowrap; text-align: right;"><span class="'
            f'lastpost smalltext">{_date(last.posted)}<br /><a href="showthread.php?tid={t.id}'
            f'&amp;action=lastpost">Last Post</a>: <a href="member.php?action=profile&amp;uid=3">'
            f'{esc(last.author)}</a></span></td></tr>')

    def _thread(self, r: Request, t: Thread, page: int) -> Reply:
        if not self.readable(r, t.board):
            return self._nopermission(r)
        per = self.posts_per_page
        chunk, last = self.page_of(t.posts, page, per)
        multipage = self._multipage(f"showthread.php?tid={t.id}", page, last)
        posts = "".join(self._postbit(t, p, (page - 1) * per + i + 1)
                        for i, p in enumerate(chunk))
        body = (f'<div class="float_left">{multipage}</div><table border="0" cellspacing="0" '
                f'cellpadding="5" class="tborder tfixed clear"><tr><td class="thead"><div>'
                f'<strong>{esc(t.title)}</strong></div></td></tr><tr><td id="posts_container">'
                f'<div id="posts">{posts}</div></td></tr></table>'
                f'<div class="float_left">{multipage}</div>')
        return Reply(200, self._page(r, t.title, body))

    def _postbit(self, t: Thread, p: Post, number: int) -> str:
        return (
            f'<a name="pid{p.id}" id="pid{p.id}"></a><div class="post " style="" '
            f'id="post_{p.id}"><div class="post_author"><div class="author_information">'
            f'<strong><span class="largetext"><a href="member.php?action=profile&amp;uid=2">'
            f'{esc(p.author)}</a></span></strong> <br /><span class="smalltext">Member<br />'
            f'</span></div><div class="author_statistics">Posts: 12<br />Threads: 3<br />'
            f'Joined: Nov 2025</div></div><div class="post_content"><div class="post_head">'
            f'<div class="float_right" style="vertical-align: top"><strong><a href="'
            f'showthread.php?tid={t.id}&amp;pid={p.id}#pid{p.id}" title="{esc(t.title)}">'
            f'#{number}</a></strong></div><span class="post_date">{_date(p.posted)} <span '
            f'class="post_edit" id="edited_by_{p.id}"></span></span></div>'
            f'<div class="post_body scaleimages" id="pid_{p.id}">{p.html_body()}</div>'
            f'<div class="post_meta" id="post_meta_{p.id}"><div class="float_right"></div></div>'
            f'</div><div class="post_controls"><div class="postbit_buttons author_buttons '
            f'float_left"></div></div></div>')
