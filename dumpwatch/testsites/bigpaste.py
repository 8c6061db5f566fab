"""A busy paste site for distributed-crawl tests and benchmarks: thousands of pastes, a few
of them leaks of synthetic corpus records, and a profile that walks its whole archive."""

from __future__ import annotations

from pathlib import Path

from dumpwatch.synth import people
from dumpwatch.testsites.paste import PER_PAGE, PasteSite

PROFILE = """\
name: {name}
kind: paste
base_url: {base}
listing:
  urls: [/archive]
  item_links: a.paste
  item_id: /view/(?P<id>[\\w-]+)
  next_page: a.next
  max_pages: {pages}
raw_url: /raw/{{id}}
politeness:
  delay: 0
  concurrency: {concurrency}
  pages_per_run: 100000
  timeout: 10
"""


def populate(site: PasteSite, posts: int, leak_every: int = 25, per_leak: int = 5,
             first_person: int = 8000) -> set[str]:
    """Add ``posts`` pastes; every ``leak_every``-th holds ``per_leak`` corpus records.
    Returns the record ids a complete crawl must find."""
    expected: set[str] = set()
    person = first_person
    for i in range(posts):
        if i % leak_every == 0:
            ps = people(person, per_leak)
            person += per_leak
            expected |= {p.id for p in ps}
            text = "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps)
        else:
            text = f"build log {i}\nstep {i % 7} ok\nnothing to see in paste number {i}\n"
        site.add(f"paste {i}", text)
    return expected


def write_profile(config: Path, name: str, base_url: str, posts: int,
                  concurrency: int = 8) -> Path:
    folder = config / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    pages = -(-posts // PER_PAGE)
    path.write_text(PROFILE.format(name=name, base=base_url, pages=pages,
                                   concurrency=concurrency))
    return path
