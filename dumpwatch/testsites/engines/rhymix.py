"""Rhymix 2.x with the board module's default skin.

Rhymix forked XE and kept the board skin's structure; what differs is rendered from
rhymix/rhymix modules/board/skins/default/{_read, _comment, list}.html,
modules/document/document.item.php / comment.item.php (``rhymix_content xe_content``
wrappers) and modules/member/skins/default/login_form.html (posted to ``./``). The read
header links the document with ``getUrl()`` (``?mid=..&document_srl=..``).
"""

from __future__ import annotations

from dumpwatch.testsites.engines.xpressengine import XpressEngineSite


class RhymixSite(XpressEngineSite):
    engine = "rhymix"
    session_cookie = "rx_sesskey1"
    content_class = "rhymix_content xe_content"
    login_action = "./"

    def _doc_url(self, srl: int) -> str:
        thread = self.document(srl)
        mid = thread.board if thread else ""
        return f"/index.php?mid={mid}&amp;document_srl={srl}"
