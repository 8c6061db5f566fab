"""Sample leak documents for the demo: what turns up on paste sites and forums."""

from __future__ import annotations

import random
from pathlib import Path

from dumpwatch.evaluation import LAYOUTS, _person_row
from dumpwatch.synth import people


def write_sample_leaks(folder: Path, corpus_size: int, seed: int = 3) -> list[Path]:
    """A dense dump, a masked sale post, a JSON export, a phone list and chatter."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    corpus = people(0, corpus_size)
    decoys = people(corpus_size, 200)
    docs: dict[str, str] = {}
    rows = [_person_row(p, ("name", "phone", "email", "address", "order"), rng, "clean")
            for p in rng.sample(corpus, 40)]
    docs["paste-7f3a-coupang-fresh.csv"] = LAYOUTS["csv_header"](rows, rng)
    rows = [_person_row(p, ("name", "phone", "email"), rng, "masked")
            for p in rng.sample(corpus, 8)]
    docs["forum-thread-5521-sale.txt"] = LAYOUTS["post"](rows, rng)
    rows = [_person_row(p, ("name", "phone", "address"), rng, "typo_name")
            for p in rng.sample(corpus, 15)]
    docs["paste-91bc-export.json"] = LAYOUTS["json_nested"](rows, rng)
    phones = [p.phone for p in rng.sample(corpus, 30)] + [p.phone for p in decoys[:10]]
    rng.shuffle(phones)
    docs["paste-c0de-smishing-list.txt"] = "010 list, fresh, 2025\n" + "\n".join(phones) + "\n"
    docs["forum-thread-5522-chatter.txt"] = (
        "배송 언제 오나요? 문의는 010-0000-0000 말고 고객센터로 하세요.\n"
        "김민준 님 이서연 님 모두 감사합니다.\n")
    paths = []
    for name, text in docs.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
