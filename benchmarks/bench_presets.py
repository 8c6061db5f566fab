"""Every engine preset against its local site: first crawl, then a re-run.

    python benchmarks/bench_presets.py

The sites and content are those of tests/test_presets.py (three boards, seven market
threads over three listing pages, a thread over three pages, a members-only board; FlaskBB
is the real software). The home is linked to a 20,000-record synthetic corpus, so the
figures include matching. Prints pages fetched, documents, new findings and seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dumpwatch.synth import write_corpus_csv  # noqa: E402
from dumpwatch.testsites.engines import SITES  # noqa: E402
from matcher.ingest import add_corpus  # noqa: E402
from matcher.keys import load_key  # noqa: E402
from tests.conftest import TEST_KEY  # noqa: E402
from tests.test_presets import profile, serve  # noqa: E402


def main() -> None:
    os.environ.setdefault("DUMPWATCH_KEY", TEST_KEY)
    tmp = Path(tempfile.mkdtemp())
    write_corpus_csv(tmp / "corpus.csv", 20_000)
    base = tmp / "base"
    add_corpus(base, "coupang", tmp / "corpus.csv", load_key(), workers=1)
    for engine in [*sorted(SITES), "flaskbb"]:
        home = tmp / engine / "home"
        (home / "corpora").mkdir(parents=True)
        os.symlink(base / "corpora" / "coupang", home / "corpora" / "coupang")
        with serve(engine) as (_site, _expected, url):
            name = profile(tmp / engine / "config", engine, url)
            runs = []
            for _ in range(2):
                proc = subprocess.run(
                    [sys.executable, "-m", "dumpwatch", "--home", str(home), "--config",
                     str(tmp / engine / "config"), "crawl", name, "--json"],
                    capture_output=True, text=True, check=True)
                s = json.loads(proc.stdout)
                runs.append(f"{s['pages']:3d} pages {s['documents']:3d} docs "
                            f"{s['new_findings']:3d} findings {s['duration']:5.2f} s")
            print(f"{engine:13s} first: {runs[0]} | re-run: {runs[1]}", flush=True)


if __name__ == "__main__":
    main()
