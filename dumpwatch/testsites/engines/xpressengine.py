"""XpressEngine 1.x (xe-core) with the board module's default skin.

Markup rendered from modules/board/skins/default/{list, _read, _comment, message}.html and
modules/member/skins/default/login_form.html, with the variables filled in and optional
parts (extra vars, tags, SNS links, scripts) left out. As in XE: a post is a *document*
(``document_srl``) and replies are *comments* (``comment_srl``) drawn from the same
sequence; the read view shows the document, its comments (``cpage``; without it, the LAST
comment page, as comment.model.php does) and the board list below; list links keep the
current ``page`` in the document URL; dates are ``Y.m.d H:i`` in the server's time (KST).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

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

KST = timezone(timedelta(hours=9))


def _date(d, fmt: str = "%Y.%m.%d %H:%M") -> str:
    return d.astimezone(KST).strftime(fmt)


class XpressEngineSite(EngineSite):
    engine = "xpressengine"
    session_cookie = "PHPSESSID"
    threads_per_page = 3  # list_count
    posts_per_page = 3  # comment_count (comments per cpage)
    content_class = "xe_content"
    login_action = "/index.php?act=procMemberLogin"

    # document_srl is the number of the thread's first post (one sequence for both)
    def document(self, srl: int) -> Thread | None:
        return next((t for b in self.boards.values() for t in b.threads
                     if t.posts[0].id == srl), None)

    def _page(self, r: Request, title: str, body: str) -> str:
        account = ('<li><a href="/index.php?act=dispMemberInfo">회원정보</a></li><li><a '
                   'href="/index.php?act=dispMemberLogout">로그아웃</a></li>') if r.logged_in else (
            '<li><a href="/index.php?act=dispMemberLoginForm">로그인</a></li><li><a href="'
            '/index.php?act=dispMemberSignUpForm">회원가입</a></li>')
        return (f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>'
                f'{esc(title)}</title></head><body><div class="header"><ul class="account">'
                f'{account}</ul></div><div class="body">{body}</div></body></html>')

    def _message(self, r: Request, message: str) -> Reply:
        login = ('' if r.logged_in else '<a class="btn" href="/index.php?act=dispMemberLoginForm'
                 '" rel="nofollow">로그인</a>')
        body = (f'<div class="board"><div class="context_message"><h1>{esc(message)}</h1>'
                f'<div class="btnArea">{login}<button type="button" class="btn" onclick="'
                f'history.back()">뒤로</button></div></div></div>')
        return Reply(200, self._page(r, message, body))

    def _login_form(self, message: str = "") -> str:
        msg = f'<div class="message error"><p>{esc(message)}</p></div>' if message else ""
        return (f'<div class="signin"><div class="login-header"><h1><i class="icon-user"></i> '
                f'로그인</h1></div><div class="login-body">{msg}<form action="{self.login_action}"'
                f' method="post" id="fo_member_login"><input type="hidden" name="'
                f'success_return_url" value="" /><input type="hidden" name="act" value="'
                f'procMemberLogin" /><input type="hidden" name="xe_validator_id" value="modules/'
                f'member/skins" /><fieldset><div class="control-group"><input type="text" name="'
                f'user_id" id="uid" required placeholder="아이디" title="아이디" /><input type="'
                f'password" name="password" id="upw" required placeholder="비밀번호" title="'
                f'비밀번호" /></div><div class="control-group"><label for="keepid_opt"><input '
                f'type="checkbox" name="keep_signed" id="keepid_opt" value="Y" /> 로그인 유지'
                f'</label><input type="submit" value="로그인" class="submit btn btn-inverse" />'
                f'</div></fieldset></form></div></div>')

    def route(self, r: Request) -> Reply:
        act = r.query.get("act") or r.form.get("act", "")
        if act == "procMemberLogin" and r.method == "POST":
            token = self.check_login(r.form.get("user_id"), r.form.get("password"))
            if token is None:
                return Reply(200, self._page(r, "로그인", self._login_form(
                    "잘못된 비밀번호입니다.")))
            return Reply(200, self._page(
                    replace(r, logged_in=True), "로그인", "<p>로그인되었습니다.</p>"),
                         headers=self.session_header(token))
        if act == "dispMemberLoginForm":
            return Reply(200, self._page(r, "로그인", self._login_form()))
        if r.path not in ("/", "/index.php"):
            return Reply(404, self._page(r, "404", "<h1>404 Not Found</h1>"))
        mid = r.query.get("mid")
        srl = r.query.get("document_srl", "")
        thread = self.document(int(srl)) if srl.isdigit() else None
        board = self.boards.get(mid or "") or (self.boards[thread.board] if thread else None)
        if board is None:
            return self._index(r)
        if not self.readable(r, board):
            return self._message(r, "권한이 없습니다.")
        if srl and thread is None:
            return self._message(r, "대상을 찾을 수 없습니다.")
        page = int(r.query.get("page", "1") or 1)
        cpage = r.query.get("cpage", "")
        return self._list(r, board, page, thread, int(cpage) if cpage.isdigit() else 0)

    def _index(self, r: Request) -> Reply:
        links = "".join(f'<li><a href="/index.php?mid={b.slug}">{esc(b.name)}</a></li>'
                        for b in self.boards.values())
        return Reply(200, self._page(r, "Dumpwatch", f'<ul class="gnb">{links}</ul>'))

    def _url(self, board: Board, page: int, **extra: object) -> str:
        q = f"/index.php?mid={board.slug}" + (f"&amp;page={page}" if page > 1 else "")
        return q + "".join(f"&amp;{k}={v}" for k, v in extra.items())

    def _list(self, r: Request, board: Board, page: int, doc: Thread | None, cpage: int
              ) -> Reply:
        threads = self.listed(board)
        per = self.threads_per_page
        chunk, last = self.page_of(threads, page, per)
        n = len(threads)
        rows = "".join(self._row(board, page, t, n - (page - 1) * per - i)
                       for i, t in enumerate(chunk))
        nav = "".join(f'<strong>{k}</strong>' if k == page else
                      f'<a href="{self._url(board, k)}">{k}</a>' for k in range(1, last + 1))
        read = self._read(board, page, doc, cpage) if doc else ""
        body = (
            f'<div class="board">{read}<div class="board_list" id="board_list"><table width="100%'
            f'" border="1" cellspacing="0" summary="List of Articles"><thead><tr><th scope="col">'
            f'<span>번호</span></th><th scope="col" class="title"><span>제목</span></th><th '
            f'scope="col"><span>글쓴이</span></th><th scope="col"><span>날짜</span></th></tr>'
            f'</thead><tbody>{rows}</tbody></table></div><div class="pagination"><a href="'
            f'/index.php?mid={board.slug}" class="direction prev"><span></span><span></span> 첫 '
            f'페이지</a>{nav}<a href="{self._url(board, last)}" class="direction next">끝 페이지 '
            f'<span></span><span></span></a></div></div>')
        return Reply(200, self._page(r, doc.title if doc else board.name, body))

    def _row(self, board: Board, page: int, t: Thread, no: int) -> str:
        srl = t.posts[0].id
        replies = len(t.posts) - 1
        reply = (f' <a href="{self._url(board, page, document_srl=srl)}#comment" class="replyNum" '
                 f'title="Replies">[{replies}]</a>') if replies else ""
        return (f'<tr><td class="no">{no}</td><td class="title"><a href="'
                f'{self._url(board, page, document_srl=srl)}" rel="nofollow">{esc(t.title)}</a>'
                f'{reply}</td><td class="author"><a href="#popup_menu_area" class="member_4" '
                f'onclick="return false">{esc(t.posts[0].author)}</a></td><td class="time">'
                f'{_date(t.posts[0].posted, "%Y.%m.%d")}</td></tr>')

    def _content(self, kind: str, srl: int, body: str) -> str:
        return (f'<!--Before{kind}({srl},4)--><div class="{kind.lower()}_{srl}_4 '
                f'{self.content_class}">{body}</div><!--After{kind}({srl},4)-->')

    def _read(self, board: Board, page: int, t: Thread, cpage: int) -> str:
        doc, comments = t.posts[0], t.posts[1:]
        per = self.posts_per_page
        last = pages(len(comments), per)
        cpage = min(cpage or last, last)  # no cpage: the last comment page, as XE does
        shown = comments[(cpage - 1) * per: cpage * per]
        items = "".join(self._comment(c) for c in shown)
        base = self._url(board, page, document_srl=doc.id)
        cnav = "" if last == 1 else (
            f'<div class="pagination"><a href="{base}&amp;cpage=1#comment" class="direction '
            f'prev"><span></span><span></span> 첫 페이지</a>' + "".join(
                f'<strong>{k}</strong>' if k == cpage else
                f'<a href="{base}&amp;cpage={k}#comment">{k}</a>' for k in range(1, last + 1))
            + f'<a href="{base}&amp;cpage={last}#comment" class="direction next">끝 페이지 '
              f'<span></span><span></span></a></div>')
        flist = f'<ul class="fbList">{items}</ul>' if comments else ""
        return (
            f'<div class="board_read"><div class="read_header"><h1><a href="{self._doc_url(doc.id)}'
            f'">{esc(t.title)}</a></h1><p class="time">{_date(doc.posted)}</p><p class="meta">'
            f'<a href="#popup_menu_area" class="member_4 author" onclick="return false">'
            f'{esc(doc.author)}</a><span class="sum"><span class="read">조회 수:12</span></span>'
            f'</p></div><div class="read_body">{self._content("Document", doc.id, doc.html_body())}'
            f'</div><div class="read_footer"><div class="tns"><a class="document_{doc.id} action"'
            f' href="#popup_menu_area" onclick="return false">이 게시물을</a></div></div></div>'
            f'<div class="feedback" id="comment"><div class="fbHeader"><h2>댓글 <em>'
            f'{len(comments)}</em></h2></div>{flist}{cnav}</div>')

    def _doc_url(self, srl: int) -> str:
        return f"/index.php?document_srl={srl}"  # getPermanentUrl()

    def _comment(self, c: Post) -> str:
        return (f'<li class="fbItem" id="comment_{c.id}"><div class="fbMeta"><span class="'
                f'profile"></span><h3 class="author"><a href="#popup_menu_area" class="member_5" '
                f'onclick="return false">{esc(c.author)}</a></h3><p class="time">{_date(c.posted)}'
                f'</p></div>{self._content("Comment", c.id, c.html_body())}<p class="action">'
                f'<a href="#popup_menu_area" class="comment_{c.id} this" onclick="return false">'
                f'이 댓글을</a></p></li>')
