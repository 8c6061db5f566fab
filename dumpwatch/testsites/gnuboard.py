"""A Gnuboard 5 site: the markup of G5's own default templates, served on 127.0.0.1.

Reproduced from gnuboard/gnuboard5 (5.6.x): head.sub.php + head.php (top links, the
site search form ``fsearchbox`` before anything else, the ``gnb`` menu of boards),
index.php with latest-post boxes (skin/latest/basic), the basic board skin
(list.skin.php: ``#bo_list`` table, ``td.td_subject div.bo_tit a``, ``span.cnt_cmt``,
``get_paging()`` with ``strong.pg_current``; view.skin.php: ``article#bo_v``,
``#bo_v_con``; view_comment.skin.php: ``section#bo_vc article#c_N`` with
``<time datetime="...+09:00">``), the basic member login skin (``form[name=flogin]``,
``mb_id`` / ``mb_password`` posted to bbs/login_check.php) and bbs/alert.php (a
``<script>alert(...)</script>`` page with a ``<noscript>`` fallback).

Like G5, every board has its own write table: ``wr_id`` counts per board and comments
take ids from the same sequence, so the same wr_id exists on every board. Dates are
Asia/Seoul: lists print ``H:i`` (today) or ``m-d``, views ``y-m-d H:i``, comments
``y-m-d H:i`` plus ISO with +09:00. A board can be members-only (guests get the alert
page) or served in CP949 with only ``<meta charset="euc-kr">`` (no charset header).
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

from dumpwatch.testsites.server import send

SEOUL = ZoneInfo("Asia/Seoul")
PAGE_ROWS = 15  # bo_page_rows
WRITE_PAGES = 10  # cf_write_pages
EMPTY_LATEST = '<li class="empty_li">게시물이 없습니다.</li>'


@dataclass
class Comment:
    wr_id: int
    name: str
    content: str
    when: datetime
    mb_id: str = ""


@dataclass
class Post:
    wr_id: int
    subject: str
    name: str
    content: str
    when: datetime
    mb_id: str = ""
    html: bool = False  # wr_option html1: content is HTML (tables), else text + nl2br
    notice: bool = False
    hit: int = 0
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Board:
    bo_table: str
    subject: str
    members_only: bool = False  # bo_list_level / bo_read_level 2
    charset: str = "utf-8"
    posts: list[Post] = field(default_factory=list)
    next_id: int = 1


@dataclass
class GnuboardSite:
    username: str = "watcher"
    password: str = "s3cret-pass"
    title: str = "그누보드5"
    boards: dict[str, Board] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    logins: int = 0
    _sessions: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _clock: datetime = field(default_factory=lambda: datetime.now(SEOUL).replace(
        second=0, microsecond=0) - timedelta(days=3))

    # ------------------------------------------------------------ content

    def add_board(self, bo_table: str, subject: str, *, members_only: bool = False,
                  charset: str = "utf-8") -> Board:
        board = Board(bo_table, subject, members_only, charset)
        self.boards[bo_table] = board
        return board

    def _tick(self) -> datetime:
        self._clock += timedelta(minutes=7)
        return min(self._clock, datetime.now(SEOUL))

    def add_post(self, bo_table: str, subject: str, name: str, content: str, *,
                 html_content: bool = False, notice: bool = False, mb_id: str = "") -> Post:
        with self._lock:
            board = self.boards[bo_table]
            post = Post(board.next_id, subject, name, content, self._tick(), mb_id,
                        html_content, notice)
            board.next_id += 1
            board.posts.append(post)
            return post

    def add_comment(self, bo_table: str, wr_id: int, name: str, content: str) -> Comment:
        with self._lock:
            board = self.boards[bo_table]
            post = next(p for p in board.posts if p.wr_id == wr_id)
            comment = Comment(board.next_id, name, content, self._tick())
            board.next_id += 1
            post.comments.append(comment)
            return comment

    def document_requests(self) -> list[str]:
        """Post views fetched (``wr_id=`` in the query): what a re-run must not repeat."""
        return [r for r in self.requests if "wr_id=" in r and "board.php" in r]

    # ------------------------------------------------------------ HTTP

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(req.path)
        self.requests.append(req.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        member = self._member(req)
        if url.path in ("/", "/index.php"):
            return self._send(req, self._index(member))
        if url.path == "/bbs/login.php":
            return self._send(req, self._login_page(member, q.get("url", "/")))
        if url.path == "/bbs/login_check.php" and method == "POST":
            return self._login_check(req)
        if url.path == "/bbs/logout.php":
            return self._redirect(req, "/", "PHPSESSID=deleted; Path=/; Max-Age=0")
        if url.path == "/bbs/board.php":
            board = self.boards.get(q.get("bo_table", ""))
            if board is None:
                return self._send(req, self._alert("존재하지 않는 게시판입니다.", "/"))
            wr_id = q.get("wr_id", "")
            if board.members_only and not member:
                target = f"/bbs/board.php?bo_table={board.bo_table}" + (
                    f"&wr_id={wr_id}" if wr_id else "")
                what = "글을 읽을" if wr_id else "목록을 볼"
                return self._send(req, self._alert(
                    f"{what} 권한이 없습니다.\\n\\n회원이시라면 로그인 후 이용해 보십시오.",
                    f"/bbs/login.php?url={quote(target, safe='')}"))
            if wr_id:
                post = next((p for p in board.posts if str(p.wr_id) == wr_id), None)
                if post is None:
                    return self._send(req, self._alert("글이 존재하지 않습니다.", "/"))
                post.hit += 1
                return self._send(req, self._view(board, post, member), board.charset)
            page = int(q["page"]) if q.get("page", "").isdigit() else 1
            return self._send(req, self._list(board, max(page, 1), member), board.charset)
        return send(req, 404, "<h1>404 Not Found</h1>")

    def _member(self, req: BaseHTTPRequestHandler) -> bool:
        cookie = req.headers.get("Cookie", "")
        token = next((c.split("=", 1)[1] for c in cookie.split("; ")
                      if c.startswith("PHPSESSID=")), None)
        return token is not None and token in self._sessions

    def _login_check(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(req.rfile.read(length).decode()).items()}
        if not form.get("mb_id") or not form.get("mb_password"):
            return self._send(req, self._alert("회원아이디나 비밀번호가 공백이면 안됩니다."))
        if form["mb_id"] != self.username or form["mb_password"] != self.password:
            return self._send(req, self._alert(
                "가입된 회원아이디가 아니거나 비밀번호가 틀립니다.\\n비밀번호는 대소문자를 "
                "구분합니다."))
        token = secrets.token_hex(13)
        with self._lock:
            self._sessions.add(token)
            self.logins += 1
        target = form.get("url") or "/"
        self._redirect(req, target if target.startswith("/") else "/",
                       f"PHPSESSID={token}; path=/")

    def _redirect(self, req: BaseHTTPRequestHandler, location: str, cookie: str) -> None:
        req.send_response(302)
        req.send_header("Location", location)
        req.send_header("Set-Cookie", cookie)
        req.send_header("Content-Length", "0")
        req.end_headers()

    def _send(self, req: BaseHTTPRequestHandler, page: str, charset: str = "utf-8") -> None:
        if charset == "utf-8":
            return send(req, 200, page, "text/html; charset=utf-8")
        # old boards: the bytes in CP949, the charset only in <meta>, none in the header
        page = page.replace('<meta charset="utf-8">', '<meta charset="euc-kr">')
        return send(req, 200, page.encode("cp949"), "text/html")

    # ------------------------------------------------------------ templates

    def _head_sub(self, title: str, member: bool) -> str:
        return (
            '<!doctype html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="imagetoolbar" content="no">\n'
            '<meta http-equiv="X-UA-Compatible" content="IE=Edge">\n'
            f"<title>{html.escape(title)}</title>\n"
            '<link rel="stylesheet" href="/css/default.css?ver=171222">\n'
            "<script>\n// 자바스크립트에서 사용하는 전역변수 선언\n"
            'var g5_url       = "";\nvar g5_bbs_url   = "/bbs";\n'
            f'var g5_is_member = "{1 if member else ""}";\nvar g5_is_admin  = "";\n'
            'var g5_is_mobile = "";\nvar g5_bo_table  = "";\nvar g5_sca       = "";\n'
            'var g5_editor    = "";\nvar g5_cookie_domain = "";\n</script>\n'
            '<script src="/js/jquery-1.12.4.min.js?ver=171222"></script>\n'
            '<script src="/js/common.js?ver=171222"></script>\n</head>\n<body>\n')

    def _head(self, title: str, member: bool) -> str:
        if member:
            login = ('<li><a href="/bbs/member_confirm.php?url=/bbs/register_form.php">정보수정'
                     '</a></li>\n<li><a href="/bbs/logout.php">로그아웃</a></li>')
        else:
            login = ('<li><a href="/bbs/register.php">회원가입</a></li>\n'
                     '<li><a href="/bbs/login.php">로그인</a></li>')
        menu = "".join(
            f'<li class="gnb_1dli" style="z-index:{999 - i}">\n<a href="/bbs/board.php?bo_table='
            f'{b.bo_table}" target="_self" class="gnb_1da">{html.escape(b.subject)}</a>\n</li>\n'
            for i, b in enumerate(self.boards.values()))
        return self._head_sub(title, member) + f"""
<!-- 상단 시작 {{ -->
<div id="hd">
    <h1 id="hd_h1">{html.escape(title)}</h1>
    <div id="skip_to_container"><a href="#container">본문 바로가기</a></div>
    <div id="tnb">
        <div class="inner">
            <ul id="hd_define">
                <li class="active"><a href="/">커뮤니티</a></li>
            </ul>
            <ul id="hd_qnb">
                <li><a href="/bbs/faq.php">FAQ</a></li>
                <li><a href="/bbs/qalist.php">Q&amp;A</a></li>
                <li><a href="/bbs/new.php">새글</a></li>
                <li><a href="/bbs/current_connect.php" class="visit">접속자<strong class="visit-num">3</strong></a></li>
            </ul>
        </div>
    </div>
    <div id="hd_wrapper">
        <div id="logo">
            <a href="/"><img src="/img/logo.png" alt="{html.escape(self.title)}"></a>
        </div>
        <div class="hd_sch_wr">
            <fieldset id="hd_sch">
                <legend>사이트 내 전체검색</legend>
                <form name="fsearchbox" method="get" action="/bbs/search.php" onsubmit="return fsearchbox_submit(this);">
                <input type="hidden" name="sfl" value="wr_subject||wr_content">
                <input type="hidden" name="sop" value="and">
                <label for="sch_stx" class="sound_only">검색어 필수</label>
                <input type="text" name="stx" id="sch_stx" maxlength="20" placeholder="검색어를 입력해주세요">
                <button type="submit" id="sch_submit" value="검색"><i class="fa fa-search" aria-hidden="true"></i><span class="sound_only">검색</span></button>
                </form>
                <script>
                function fsearchbox_submit(f)
                {{
                    var stx = f.stx.value.trim();
                    if (stx.length < 2) {{
                        alert("검색어는 두글자 이상 입력하십시오.");
                        f.stx.select();
                        f.stx.focus();
                        return false;
                    }}
                    f.stx.value = stx;
                    return true;
                }}
                </script>
            </fieldset>
        </div>
        <ul class="hd_login">
            {login}
        </ul>
    </div>
    <nav id="gnb">
        <h2>메인메뉴</h2>
        <div class="gnb_wrap">
            <ul id="gnb_1dul">
                <li class="gnb_1dli gnb_mnal"><button type="button" class="gnb_menu_btn" title="전체메뉴"><i class="fa fa-bars" aria-hidden="true"></i><span class="sound_only">전체메뉴열기</span></button></li>
                {menu}
            </ul>
        </div>
    </nav>
</div>
<!-- }} 상단 끝 -->
<hr>
<!-- 콘텐츠 시작 {{ -->
<div id="wrapper">
    <div id="container_wr">
    <div id="container">
        <h2 id="container_title"><span title="{html.escape(title)}">{html.escape(title)}</span></h2>
"""

    def _tail(self) -> str:
        return """
    </div>
    <div id="aside"></div>
</div>
</div>
<!-- } 콘텐츠 끝 -->
<hr>
<!-- 하단 시작 { -->
<div id="ft">
    <div id="ft_wr">
        <div id="ft_link" class="ft_cnt">
            <a href="/bbs/content.php?co_id=company">회사소개</a>
            <a href="/bbs/content.php?co_id=privacy">개인정보처리방침</a>
            <a href="/bbs/content.php?co_id=provision">서비스이용약관</a>
        </div>
    </div>
    <div id="ft_copy">Copyright &copy; <b>소유하신 도메인.</b> All rights reserved.</div>
</div>
<!-- } 하단 끝 -->
</body>
</html>
"""

    def _sideview(self, name: str, mb_id: str, bo_table: str) -> str:
        n = html.escape(name)
        if mb_id:
            tag = (f'<a href="/bbs/profile.php?mb_id={mb_id}" class="sv_member" title="{n} 자기소개"'
                   f' target="_blank" rel="nofollow" onclick="return false;">{n}</a>')
            menu = (f'<a href="/bbs/profile.php?mb_id={mb_id}" onclick="win_profile(this.href);'
                    ' return false;" rel="nofollow">자기소개</a>')
        else:
            tag = (f'<a href="/bbs/board.php?bo_table={bo_table}&amp;sca=&amp;sfl=wr_name,1&amp;'
                   f'stx={quote(name)}" title="{n} 이름으로 검색" class="sv_guest" rel="nofollow" '
                   f'onclick="return false;">{n}</a>')
            menu = ""
        return (f'<span class="sv_wrap">{tag}<span class="sv">{menu}</span>'
                f'<noscript class="sv_nojs"><span class="sv">{menu}</span></noscript></span>')

    @staticmethod
    def _datetime2(when: datetime) -> str:
        """get_list(): today -> "H:i", otherwise "m-d"."""
        today = datetime.now(SEOUL).date()
        return when.strftime("%H:%M") if when.date() == today else when.strftime("%m-%d")

    def _index(self, member: bool) -> str:
        boxes = []
        for b in self.boards.values():
            if b.members_only and not member:
                continue  # latest() only lists boards the visitor may read
            items = "".join(
                f'<li class="basic_li">\n<a href="/bbs/board.php?bo_table={b.bo_table}&amp;'
                f'wr_id={p.wr_id}"> {html.escape(p.subject)}</a>'
                + (f'<span class="lt_cmt"><span class="sound_only">댓글</span>{len(p.comments)}'
                   '</span>' if p.comments else "")
                + f'\n<div class="lt_info">\n<span class="lt_nick">'
                f'{self._sideview(p.name, p.mb_id, b.bo_table)}</span>\n'
                f'<span class="lt_date">{self._datetime2(p.when)}</span>\n</div>\n</li>\n'
                for p in sorted(b.posts, key=lambda p: -p.wr_id)[:5])
            boxes.append(
                f'<div class="lat">\n<h2 class="lat_title"><a href="/bbs/board.php?bo_table='
                f'{b.bo_table}">{html.escape(b.subject)}</a></h2>\n<ul>\n'
                f'{items or EMPTY_LATEST}</ul>\n'
                f'<a href="/bbs/board.php?bo_table={b.bo_table}" class="lt_more"><span class='
                f'"sound_only">{html.escape(b.subject)}</span>더보기</a>\n</div>\n')
        return (self._head(self.title, member) + '<h2 class="sound_only">최신글</h2>\n'
                '<div class="latest_wr">\n<!-- 최신글 시작 { -->\n' + "".join(boxes)
                + "<!-- } 최신글 끝 -->\n</div>\n" + self._tail())

    def _login_page(self, member: bool, url: str) -> str:
        return self._head("로그인", member) + f"""
<!-- 로그인 시작 {{ -->
<div id="mb_login" class="mbskin">
    <div class="mbskin_box">
        <h1>로그인</h1>
        <div class="mb_log_cate">
            <h2><span class="sound_only">회원</span>로그인</h2>
            <a href="/bbs/register.php" class="join">회원가입</a>
        </div>
        <form name="flogin" action="/bbs/login_check.php" onsubmit="return flogin_submit(this);" method="post">
        <input type="hidden" name="url" value="{html.escape(url)}">
        <fieldset id="login_fs">
            <legend>회원로그인</legend>
            <label for="login_id" class="sound_only">회원아이디<strong class="sound_only"> 필수</strong></label>
            <input type="text" name="mb_id" id="login_id" required class="frm_input required" size="20" maxLength="20" placeholder="아이디">
            <label for="login_pw" class="sound_only">비밀번호<strong class="sound_only"> 필수</strong></label>
            <input type="password" name="mb_password" id="login_pw" required class="frm_input required" size="20" maxLength="20" placeholder="비밀번호">
            <button type="submit" class="btn_submit">로그인</button>
            <div id="login_info">
                <div class="login_if_auto chk_box">
                    <input type="checkbox" name="auto_login" id="login_auto_login" class="selec_chk">
                    <label for="login_auto_login"><span></span> 자동로그인</label>
                </div>
                <div class="login_if_lpl">
                    <a href="/bbs/password_lost.php">아이디/비밀번호 찾기</a>
                </div>
            </div>
        </fieldset>
        </form>
    </div>
</div>
<script>
function flogin_submit(f)
{{
    return true;
}}
</script>
<!-- }} 로그인 끝 -->
""" + self._tail()

    def _alert(self, msg: str, url: str = "") -> str:
        """bbs/alert.php: head.sub.php only, a script that alerts and moves on, noscript."""
        js_msg = msg.replace('"', '\\"')
        go = (f'document.location.replace("{url.replace("/", chr(92) + "/")}");' if url
              else "history.back();")
        shown = html.escape(msg.replace("\\n", "\n")).replace("\n", "<br>")
        return (self._head_sub("오류안내 페이지 | " + self.title, False)
                + f'\n<script>\nalert("{js_msg}");\n{go}\n</script>\n\n<noscript>\n'
                '<div id="validation_check">\n    <h1>다음 항목에 오류가 있습니다.</h1>\n'
                f'    <p class="cbg">\n        {shown}\n    </p>\n'
                f'    <div class="btn_confirm">\n        <a href="{html.escape(url)}">돌아가기</a>\n'
                "    </div>\n\n</div>\n</noscript>\n\n</body>\n</html>\n")

    def _paging(self, cur: int, total: int, bo_table: str) -> str:
        """lib/common.lib.php get_paging()."""
        url = f"/bbs/board.php?bo_table={bo_table}&amp;page="
        out = []
        if cur > 1:
            out.append(f'<a href="{url}1" class="pg_page pg_start">처음</a>')
        start = ((cur - 1) // WRITE_PAGES) * WRITE_PAGES + 1
        end = min(start + WRITE_PAGES - 1, total)
        if start > 1:
            out.append(f'<a href="{url}{start - 1}" class="pg_page pg_prev">이전</a>')
        if total > 1:
            for k in range(start, end + 1):
                out.append(f'<a href="{url}{k}" class="pg_page">{k}<span class="sound_only">페이지'
                           '</span></a>' if k != cur else '<span class="sound_only">열린</span>'
                           f'<strong class="pg_current">{k}</strong><span class="sound_only">'
                           '페이지</span>')
        if total > end:
            out.append(f'<a href="{url}{end + 1}" class="pg_page pg_next">다음</a>')
        if cur < total:
            out.append(f'<a href="{url}{total}" class="pg_page pg_end">맨끝</a>')
        return f'<nav class="pg_wrap"><span class="pg">{chr(10).join(out)}</span></nav>' if (
            out) else ""

    def _list(self, board: Board, page: int, member: bool) -> str:
        with self._lock:
            notices = [p for p in board.posts if p.notice]
            posts = sorted((p for p in board.posts if not p.notice), key=lambda p: -p.wr_id)
        total = len(posts)
        pages = max(1, -(-total // PAGE_ROWS))
        chunk = posts[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
        rows = []
        for i, (p, num) in enumerate([(n, None) for n in notices] + [
                (p, total - (page - 1) * PAGE_ROWS - j) for j, p in enumerate(chunk)]):
            cnt = (f'<span class="sound_only">댓글</span><span class="cnt_cmt">{len(p.comments)}'
                   '</span><span class="sound_only">개</span>') if p.comments else ""
            rows.append(f"""
        <tr class="{"bo_notice" if num is None else ""} {"even" if i % 2 == 0 else ""}">
            <td class="td_num2">
            {'<strong class="notice_icon">공지</strong>' if num is None else num}
            </td>
            <td class="td_subject" style="padding-left:0px">
                <div class="bo_tit">
                    <a href="/bbs/board.php?bo_table={board.bo_table}&amp;wr_id={p.wr_id}&amp;page={page}">
                        {html.escape(p.subject)}
                    </a>
                    {cnt}
                </div>
            </td>
            <td class="td_name sv_use">{self._sideview(p.name, p.mb_id, board.bo_table)}</td>
            <td class="td_num">{p.hit}</td>
            <td class="td_datetime">{self._datetime2(p.when)}</td>
        </tr>""")
        if not rows:
            rows.append('<tr><td colspan="5" class="empty_table">게시물이 없습니다.</td></tr>')
        body = f"""
<!-- 게시판 목록 시작 {{ -->
<div id="bo_list" style="width:100%">
    <form name="fboardlist" id="fboardlist" action="/bbs/board_list_update.php" onsubmit="return fboardlist_submit(this);" method="post">
    <input type="hidden" name="bo_table" value="{board.bo_table}">
    <input type="hidden" name="sfl" value="">
    <input type="hidden" name="stx" value="">
    <input type="hidden" name="spt" value="">
    <input type="hidden" name="sca" value="">
    <input type="hidden" name="sst" value="">
    <input type="hidden" name="sod" value="">
    <input type="hidden" name="page" value="{page}">
    <input type="hidden" name="sw" value="">
    <div id="bo_btn_top">
        <div id="bo_list_total">
            <span>Total {total:,}건</span>
            {page} 페이지
        </div>
        <ul class="btn_bo_user">
            <li><a href="/bbs/rss.php?bo_table={board.bo_table}" class="btn_b01 btn" title="RSS"><i class="fa fa-rss" aria-hidden="true"></i><span class="sound_only">RSS</span></a></li>
            <li>
                <button type="button" class="btn_bo_sch btn_b01 btn" title="게시판 검색"><i class="fa fa-search" aria-hidden="true"></i><span class="sound_only">게시판 검색</span></button>
            </li>
        </ul>
    </div>
    <div class="tbl_head01 tbl_wrap">
        <table>
        <caption>{html.escape(board.subject)} 목록</caption>
        <thead>
        <tr>
            <th scope="col">번호</th>
            <th scope="col">제목</th>
            <th scope="col">글쓴이</th>
            <th scope="col"><a href="/bbs/board.php?bo_table={board.bo_table}&amp;sst=wr_hit&amp;sod=desc">조회 </a></th>
            <th scope="col"><a href="/bbs/board.php?bo_table={board.bo_table}&amp;sst=wr_datetime&amp;sod=desc">날짜  </a></th>
        </tr>
        </thead>
        <tbody>{"".join(rows)}
        </tbody>
        </table>
    </div>
    <!-- 페이지 -->
    {self._paging(page, pages, board.bo_table)}
    <!-- 페이지 -->
    </form>
    <div class="bo_sch_wrap">
        <fieldset class="bo_sch">
            <h3>검색</h3>
            <form name="fsearch" method="get">
            <input type="hidden" name="bo_table" value="{board.bo_table}">
            <input type="hidden" name="sca" value="">
            <input type="hidden" name="sop" value="and">
            <label for="sfl" class="sound_only">검색대상</label>
            <select name="sfl" id="sfl">
                <option value="wr_subject">제목</option>
                <option value="wr_content">내용</option>
            </select>
            <div class="sch_bar">
                <input type="text" name="stx" value="" required id="stx" class="sch_input" size="25" maxlength="20" placeholder=" 검색어를 입력해주세요">
                <button type="submit" value="검색" class="sch_btn"><i class="fa fa-search" aria-hidden="true"></i><span class="sound_only">검색</span></button>
            </div>
            </form>
        </fieldset>
    </div>
</div>
<!-- }} 게시판 목록 끝 -->
"""
        return self._head(board.subject + " 1 페이지", member) + body + self._tail()

    def _content(self, text: str, is_html: bool) -> str:
        """conv_content(): HTML posts as written, text posts escaped with nl2br."""
        if is_html:
            return text
        return html.escape(text).replace("\n", "<br/>\n")

    def _view(self, board: Board, p: Post, member: bool) -> str:
        comments = "".join(f"""
    <article id="c_{c.wr_id}" >
        <div class="pf_img"><img src="/img/no_profile.gif" alt="no_profile" width="20" height="20"/></div>
        <div class="cm_wrap">
            <header style="z-index:{len(p.comments) - i + 1}">
                <h2>{html.escape(c.name)}님의  댓글</h2>
                {self._sideview(c.name, c.mb_id, board.bo_table)}
                <span class="sound_only">작성일</span>
                <span class="bo_vc_hdinfo"><i class="fa fa-clock-o" aria-hidden="true"></i> <time datetime="{c.when.strftime('%Y-%m-%dT%H:%M:%S')}+09:00">{c.when.strftime('%y-%m-%d %H:%M')}</time></span>
            </header>
            <!-- 댓글 출력 -->
            <div class="cmt_contents">
                <p>
                    {self._content(c.content, False)}
                </p>
            </div>
            <span id="edit_{c.wr_id}" class="bo_vc_w"></span><!-- 수정 -->
            <span id="reply_{c.wr_id}" class="bo_vc_w"></span><!-- 답변 -->
            <input type="hidden" value="" id="secret_comment_{c.wr_id}">
            <textarea id="save_comment_{c.wr_id}" style="display:none">{html.escape(c.content)}</textarea>
        </div>
    </article>""" for i, c in enumerate(p.comments))
        if not p.comments:
            comments = '\n    <p id="bo_vc_empty">등록된 댓글이 없습니다.</p>'
        body = f"""
<script src="/js/viewimageresize.js"></script>
<!-- 게시물 읽기 시작 {{ -->
<article id="bo_v" style="width:100%">
    <header>
        <h2 id="bo_v_title">
            <span class="bo_v_tit">
            {html.escape(p.subject)}</span>
        </h2>
    </header>
    <section id="bo_v_info">
        <h2>페이지 정보</h2>
        <div class="profile_info">
            <div class="pf_img"><img src="/img/no_profile.gif" alt="no_profile" width="20" height="20"/></div>
            <div class="profile_info_ct">
                <span class="sound_only">작성자</span> <strong>{self._sideview(p.name, p.mb_id, board.bo_table)}</strong><br>
                <span class="sound_only">댓글</span><strong><a href="#bo_vc"> <i class="fa fa-commenting-o" aria-hidden="true"></i> {len(p.comments)}건</a></strong>
                <span class="sound_only">조회</span><strong><i class="fa fa-eye" aria-hidden="true"></i> {p.hit}회</strong>
                <strong class="if_date"><span class="sound_only">작성일</span><i class="fa fa-clock-o" aria-hidden="true"></i> {p.when.strftime('%y-%m-%d %H:%M')}</strong>
            </div>
        </div>
        <div id="bo_v_top">
            <ul class="btn_bo_user bo_v_com">
                <li><a href="/bbs/board.php?bo_table={board.bo_table}&amp;page=1" class="btn_b01 btn" title="목록"><i class="fa fa-list" aria-hidden="true"></i><span class="sound_only">목록</span></a></li>
            </ul>
        </div>
    </section>
    <section id="bo_v_atc">
        <h2 id="bo_v_atc_title">본문</h2>
        <div id="bo_v_share">
        </div>
        <!-- 본문 내용 시작 {{ -->
        <div id="bo_v_con">{self._content(p.content, p.html)}</div>
        <!-- }} 본문 내용 끝 -->
    </section>
    <button type="button" class="cmt_btn"><span class="total"><b>댓글</b> {len(p.comments)}</span><span class="cmt_more"></span></button>
<!-- 댓글 시작 {{ -->
<section id="bo_vc">
    <h2>댓글목록</h2>{comments}
</section>
<!-- }} 댓글 끝 -->
</article>
<!-- }} 게시판 읽기 끝 -->
"""
        return self._head(f"{p.subject} > {board.subject}", member) + body + self._tail()
