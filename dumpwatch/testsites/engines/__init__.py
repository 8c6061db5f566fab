"""Local forums in the markup of real engines, one module per engine, for the presets' tests.

``SITES[engine]`` is the site class; each serves boards, threads over several pages,
posts with the engine's ids, dates and paging, a members-only board and the engine's login
form. FlaskBB is not here: its tests run the real software
(dumpwatch/testsites/flaskbb_real.py).
"""

from __future__ import annotations

from dumpwatch.testsites.engines._base import EngineSite
from dumpwatch.testsites.engines.discourse import DiscourseSite
from dumpwatch.testsites.engines.mybb import MybbSite
from dumpwatch.testsites.engines.phpbb import PhpbbSite
from dumpwatch.testsites.engines.rhymix import RhymixSite
from dumpwatch.testsites.engines.smf import SmfSite
from dumpwatch.testsites.engines.xenforo import XenforoSite
from dumpwatch.testsites.engines.xpressengine import XpressEngineSite

SITES: dict[str, type[EngineSite]] = {
    s.engine: s for s in (PhpbbSite, MybbSite, SmfSite, XenforoSite, XpressEngineSite,
                          RhymixSite, DiscourseSite)}

__all__ = ["SITES", "EngineSite"]
