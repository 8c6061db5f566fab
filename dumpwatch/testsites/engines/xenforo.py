"""XenForo 2 with its default style.

XenForo is commercial: its templates are not public. This markup follows what XenForo 2
serves publicly, as recorded by public scrapers of it (TUVIMEN/forumscraper's
extractors/xenforo.py selectors: ``article.message`` with ``id="js-post-N"`` and
``data-author``, ``h4.message-name a.username[data-user-id]``, ``.message-attribution-main
time.u-dt[datetime]``, ``article.message-body div.bbWrapper``, ``.structItem-title a``,
``.node-title a``, ``a.pageNav-jump--next``, ``h1.p-title-value``, ``html[data-csrf]``),
with XenForo's URL scheme (``/forums/slug.4/page-2``, ``/threads/slug.12/page-2``,
``/posts/N/``, ``/login/login``) and ISO 8601 times with a ``+0000`` offset. It is NOT
rendered from XenForo's own template source.
"""

from __future__ import annotations

import re

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

CSRF = "1764739320,4f2b9c0d1e2f3a4b5c6d7e8f90a1b2c3"


def _iso(d) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _shown(d) -> str:
    return d.strftime("%b ") + str(d.day) + d.strftime(", %Y")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "thread"


class XenforoSite(EngineSite):
    engine = "xenforo"
    session_cookie = "xf_session"
    threads_per_page = 3
    posts_per_page = 3

    def _page(self, r: Request, title: str, body: str, template: str = "forum_view") -> str:
        nav = ('<a href="/account/" class="p-navgroup-link p-navgroup-link--iconic '
               'p-navgroup-link--user" data-xf-click="menu"><span class="p-navgroup-linkText">'
               'watcher</span></a><a href="/logout/?t=' + CSRF + '" class="menu-linkRow">'
               'Log out</a>') if r.logged_in else (
            '<a href="/login/" class="p-navgroup-link p-navgroup-link--textual '
            'p-navgroup-link--logIn" data-xf-click="overlay"><span class="p-navgroup-linkText">'
            'Log in</span></a><a href="/register/" class="p-navgroup-link p-navgroup-link--'
            'textual p-navgroup-link--register" data-xf-click="overlay"><span class="'
            'p-navgroup-linkText">Register</span></a>')
        return (f'<!DOCTYPE html><html id="XF" lang="en-US" dir="LTR" data-app="public" '
                f'data-template="{template}" data-logged-in="{str(r.logged_in).lower()}" '
                f'data-csrf="{CSRF}" class="has-no-js template-{template}"><head>'
                f'<meta charset="utf-8" /><title>{esc(title)} | Dumpwatch Forums</title></head>'
                f'<body data-template="{template}"><div class="p-pageWrapper" id="top">'
                f'<header class="p-header" id="header"><div class="p-navgroup p-account '
                f'p-navgroup--{"member" if r.logged_in else "guest"}">{nav}</div></header>'
                f'<div class="p-body"><div class="p-body-inner"><div class="p-body-header">'
                f'<div class="p-title "><h1 class="p-title-value">{esc(title)}</h1></div></div>'
                f'<div class="p-body-main"><div class="p-body-content"><div class="'
                f'p-body-pageContent">{body}</div></div></div></div></div></div></body></html>')

    def _page_nav(self, base: str, page: int, last: int) -> str:
        if last == 1:
            return ""
        def href(n: int) -> str:
            return base if n == 1 else f"{base}page-{n}"
        items = "".join(
            f'<li class="pageNav-page {"pageNav-page--current" if n == page else ""}">'
            f'<a href="{href(n)}">{n}</a></li>' for n in range(1, last + 1))
        prev = (f'<a href="{href(page - 1)}" class="pageNav-jump pageNav-jump--prev">Prev</a>'
                if page > 1 else "")
        nxt = (f'<a href="{href(page + 1)}" class="pageNav-jump pageNav-jump--next">Next</a>'
               if page < last else "")
        return (f'<div class="block-outer"><div class="block-outer-main"><nav class="'
                f'pageNavWrapper pageNavWrapper--mixed "><div class="pageNav  ">{prev}'
                f'<ul class="pageNav-main">{items}</ul>{nxt}</div></nav></div></div>')

    def _login(self, r: Request, error: str = "", status: int = 200) -> Reply:
        err = (f'<div class="blockMessage blockMessage--error blockMessage--iconic">'
               f'{esc(error)}</div>') if error else ""
        body = (
            f'{err}<form action="/login/login" method="post" class="block" data-xf-init='
            f'"ajax-submit"><input type="hidden" name="_xfToken" value="{CSRF}" /><div class="'
            f'block-container"><div class="block-body"><dl class="formRow formRow--input"><dt>'
            f'<div class="formRow-labelWrapper"><label class="formRow-label" for="_xfUid-1">Your '
            f'name or email address</label></div></dt><dd><input type="text" class="input" '
            f'name="login" autocomplete="username" required="required" id="_xfUid-1" /></dd></dl>'
            f'<dl class="formRow formRow--input"><dt><div class="formRow-labelWrapper"><label '
            f'class="formRow-label" for="_xfUid-2">Password</label></div></dt><dd><input type="'
            f'password" class="input" name="password" autocomplete="current-password" required='
            f'"required" id="_xfUid-2" /></dd></dl><dl class="formRow"><dt></dt><dd><ul class="'
            f'inputChoices"><li class="inputChoices-choice"><label class="iconic"><input type="'
            f'checkbox" name="remember" value="1" checked="checked" /><i aria-hidden="true"></i>'
            f'<span class="iconic-label">Stay logged in</span></label></li></ul></dd></dl></div>'
            f'<dl class="formRow formSubmitRow"><dt></dt><dd><div class="formSubmitRow-main">'
            f'<div class="formSubmitRow-controls"><button type="submit" class="button--primary '
            f'button button--icon button--icon--login"><span class="button-text">Log in</span>'
            f'</button></div></div></dd></dl></div><input type="hidden" name="_xfRedirect" '
            f'value="/" /></form>')
        return Reply(status, self._page(r, "Log in", body, "login"))

    def route(self, r: Request) -> Reply:
        path = r.path
        if path == "/login/login" and r.method == "POST":
            token = self.check_login(r.form.get("login"), r.form.get("password")
                                     ) if r.form.get("_xfToken") == CSRF else None
            if token is None:
                return self._login(r, "Incorrect password. Please try again.", 400)
            return Reply(303, "", headers={"Location": "/", **self.session_header(token)})
        if path == "/login/":
            return self._login(r)
        if path in ("/", "/forums/"):
            return self._index(r)
        m = re.fullmatch(r"/(forums|threads)/[^/]*?\.?(\d+)/(?:page-(\d+))?", path)
        if m:
            page = int(m.group(3) or 1)
            if m.group(1) == "forums":
                board = self.board_by_id(int(m.group(2)))
                if board is not None:
                    return self._forum(r, board, page)
            else:
                thread = self.thread(int(m.group(2)))
                if thread is not None:
                    return self._thread(r, thread, page)
        return Reply(404, self._page(r, "Oops! We ran into some problems.", '<div class="'
                     'blockMessage">The requested page could not be found.</div>', "error"))

    def _forum_url(self, b: Board) -> str:
        return f"/forums/{_slug(b.name)}.{b.id}/"

    def _thread_url(self, t: Thread) -> str:
        return f"/threads/{_slug(t.title)}.{t.id}/"

    def _index(self, r: Request) -> Reply:
        nodes = "".join(
            f'<div class="node node--id{b.id} node--depth2 node--forum node--read"><div class="'
            f'node-body"><span class="node-icon" aria-hidden="true"><i class="fa--xf far '
            f'fa-comments" aria-hidden="true"></i></span><div class="node-main js-nodeMain">'
            f'<h3 class="node-title"><a href="{self._forum_url(b)}" data-xf-init="element-'
            f'tooltip" data-shortcut="node-description">{esc(b.name)}</a></h3><div class="'
            f'node-description node-description--tooltip js-nodeDescTooltip">{esc(b.slug)}</div>'
            f'</div></div></div>' for b in self.boards.values())
        body = (f'<div class="block block--category block--category1"><div class="block-'
                f'container"><h2 class="block-header"><a href="/#main-category.1">Main category'
                f'</a></h2><div class="block-body">{nodes}</div></div></div>')
        return Reply(200, self._page(r, "Forums", body, "forum_list"))

    def _forum(self, r: Request, board: Board, page: int) -> Reply:
        if not self.readable(r, board):
            return self._login(r, "You must be logged-in to do that.", 403)
        threads = self.listed(board)
        per = self.threads_per_page
        chunk, last = self.page_of(threads, page, per)
        nav = self._page_nav(self._forum_url(board), page, last)
        items = "".join(self._struct_item(t) for t in chunk)
        body = (f'{nav}<div class="block" data-xf-init="" data-type="thread"><div class="block-'
                f'container"><div class="block-body"><div class="structItemContainer"><div class'
                f'="structItemContainer-group js-threadList">{items}</div></div></div></div></div>'
                f'{nav}')
        return Reply(200, self._page(r, board.name, body, "forum_view"))

    def _struct_item(self, t: Thread) -> str:
        first, last = t.posts[0], t.posts[-1]
        n = pages(len(t.posts), self.posts_per_page)
        url = self._thread_url(t)
        minis = "" if n == 1 else ('<span class="structItem-pageJump">' + "".join(
            f'<a href="{url}page-{k}">{k}</a>' for k in range(2, n + 1)) + "</span>")
        return (
            f'<div class="structItem structItem--thread js-inlineModContainer js-threadListItem-'
            f'{t.id}" data-author="{esc(first.author)}"><div class="structItem-cell structItem-'
            f'cell--main" data-xf-init="touch-proxy"><div class="structItem-title"><a href="{url}'
            f'" class="" data-tp-primary="on" data-xf-init="preview-tooltip" data-preview-url="'
            f'{url}preview">{esc(t.title)}</a></div><div class="structItem-minor"><ul class="'
            f'structItem-parts"><li><a href="/members/{_slug(first.author)}.2/" class="username'
            f' " dir="auto" data-user-id="2" data-xf-init="member-tooltip">{esc(first.author)}'
            f'</a></li><li class="structItem-startDate"><a href="{url}" rel="nofollow"><time '
            f'class="u-dt" dir="auto" datetime="{_iso(first.posted)}" data-timestamp="'
            f'{int(first.posted.timestamp())}">{_shown(first.posted)}</time></a></li></ul>'
            f'{minis}</div></div><div class="structItem-cell structItem-cell--meta" title="First'
            f' message reaction score: 0"><dl class="pairs pairs--justified"><dt>Replies</dt><dd>'
            f'{len(t.posts) - 1}</dd></dl></div><div class="structItem-cell structItem-cell--'
            f'latest "><a href="{url}latest" rel="nofollow"><time class="structItem-latestDate '
            f'u-dt" dir="auto" datetime="{_iso(last.posted)}" data-timestamp="'
            f'{int(last.posted.timestamp())}">{_shown(last.posted)}</time></a></div></div>')

    def _thread(self, r: Request, t: Thread, page: int) -> Reply:
        if not self.readable(r, t.board):
            return self._login(r, "You must be logged-in to do that.", 403)
        per = self.posts_per_page
        chunk, last = self.page_of(t.posts, page, per)
        nav = self._page_nav(self._thread_url(t), page, last)
        posts = "".join(self._message(t, p, (page - 1) * per + i + 1)
                        for i, p in enumerate(chunk))
        body = (f'{nav}<div class="block block--messages" data-xf-init="" data-type="post" '
                f'data-href="/inline-mod/" data-search-target="*"><div class="block-container '
                f'lbContainer"><div class="block-body js-replyNewMessageContainer">{posts}</div>'
                f'</div></div>{nav}')
        return Reply(200, self._page(r, t.title, body, "thread_view"))

    def _message(self, t: Thread, p: Post, number: int) -> str:
        return (
            f'<article class="message message--post js-post js-inlineModContainer  " data-author'
            f'="{esc(p.author)}" data-content="post-{p.id}" id="js-post-{p.id}" itemscope="" '
            f'itemtype="https://schema.org/Comment" itemid="/posts/{p.id}/"><span class="u-anchor'
            f'Target" id="post-{p.id}"></span><div class="message-inner"><div class="message-cell'
            f' message-cell--user"><section class="message-user" itemprop="author" itemscope="" '
            f'itemtype="https://schema.org/Person"><div class="message-userDetails"><h4 class="'
            f'message-name"><a href="/members/{_slug(p.author)}.2/" class="username " dir="auto"'
            f' data-user-id="2" data-xf-init="member-tooltip"><span itemprop="name">'
            f'{esc(p.author)}</span></a></h4><h5 class="userTitle message-userTitle" dir="auto">'
            f'Member</h5></div></section></div><div class="message-cell message-cell--main">'
            f'<div class="message-main js-quickEditTarget"><header class="message-attribution '
            f'message-attribution--split"><ul class="message-attribution-main listInline ">'
            f'<li class="u-concealed"><a href="{self._thread_url(t)}post-{p.id}" rel="nofollow" '
            f'itemprop="url"><time class="u-dt" dir="auto" datetime="{_iso(p.posted)}" data-'
            f'timestamp="{int(p.posted.timestamp())}" itemprop="datePublished">'
            f'{_shown(p.posted)}</time></a></li></ul><ul class="message-attribution-opposite '
            f'message-attribution-opposite--list "><li><a href="/posts/{p.id}/" rel="nofollow">'
            f'#{number}</a></li></ul></header><div class="message-content js-messageContent">'
            f'<div class="message-userContent lbContainer js-lbContainer " data-lb-id="post-'
            f'{p.id}"><article class="message-body js-selectToQuote"><div itemprop="text">'
            f'<div class="bbWrapper">{p.html_body()}</div></div></article></div></div></div>'
            f'</div></div></article>')
