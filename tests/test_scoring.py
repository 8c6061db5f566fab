"""The verdict depends on the corpus's density: what is proof at 20k records is chance at 33.7M."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dumpwatch.synth import people
from matcher.keys import SecretKey
from matcher.scan import ODDS_LOW, Scanner, decide, document_prior, odds_histogram
from matcher.scoring import ScoringConfig, chance_hits, poisson_tail, verdict
from tests.conftest import CORPUS_SIZE

COUPANG = 33_700_000


def _verdict(home: Path, key: SecretKey, text: str, assume: int = 0) -> tuple[str, set[str]]:
    scanner = Scanner(home, key, config=ScoringConfig(assume_records=assume))
    res = scanner.scan_text(text, "doc").results["coupang"]
    label, _, reported = decide(res, scanner.config)
    return label, {m.record_id for m in reported}


def test_phone_list_is_redistribution_only_when_improbable(built_home: Path, key: SecretKey
                                                           ) -> None:
    ps = people(0, 200)
    phones = "\n".join(p.phone for p in ps)
    # At Coupang's density a third of all 010 numbers are customers: 200 of 200 still is not
    # chance, and every one is reported.
    label, found = _verdict(built_home, key, phones, COUPANG)
    assert label == "redistribution" and found == {p.id for p in ps}
    # Three numbers in chatter: about one expected by chance at that density — not proof.
    chatter = "연락처 " + ", ".join(p.phone for p in ps[:3]) + " 로 연락 주세요"
    label, found = _verdict(built_home, key, chatter, COUPANG)
    assert label == "inconclusive" and found == set()
    # In a small corpus the same three numbers are far beyond chance.
    label, found = _verdict(built_home, key, chatter)
    assert label == "redistribution" and len(found) == 3


def test_half_matching_phone_list_at_coupang_density_is_not_flagged(built_home: Path,
                                                                    key: SecretKey) -> None:
    # 100 numbers of which 34 are customers: exactly what chance gives at 33.7M records.
    ps = people(0, 34) + people(CORPUS_SIZE, 66)
    label, found = _verdict(built_home, key, "\n".join(p.phone for p in ps), COUPANG)
    assert label != "redistribution" and found == set()


def test_full_records_are_proof_even_at_coupang_density(built_home: Path, key: SecretKey) -> None:
    ps = people(500, 3)
    text = "\n".join(f"{p.name} {p.phone} {p.email} {p.address}" for p in ps)
    label, found = _verdict(built_home, key, text, COUPANG)
    assert label == "redistribution" and found == {p.id for p in ps}


def test_a_lone_name_or_decoys_never_match(built_home: Path, key: SecretKey) -> None:
    assert _verdict(built_home, key, "\n".join(p.name for p in people(0, 50)))[0] == "none"
    decoys = people(CORPUS_SIZE, 20)
    text = "\n".join(f"{p.name},{p.phone},{p.email}" for p in decoys)
    assert _verdict(built_home, key, text) == ("none", set())


def test_masked_line_attributes_only_when_unique(built_home: Path, key: SecretKey) -> None:
    corpus = people(0, CORPUS_SIZE)
    by_template: dict[tuple, list] = {}
    for p in corpus:
        by_template.setdefault((p.name[0], p.name[-1], len(p.name), p.phone[-4:]), []).append(p)
    unique = [v[0] for v in by_template.values() if len(v) == 1][:5]
    text = "\n".join(f"{p.name[0]}*{p.name[-1]} 010-****-{p.phone[-4:]}" for p in unique
                     if len(p.name) == 3)
    label, found = _verdict(built_home, key, text)
    assert label == "redistribution" and found == {p.id for p in unique if len(p.name) == 3}
    # The same masked lines against Coupang's density fit dozens of customers each.
    assert _verdict(built_home, key, text, COUPANG)[1] == set()


def test_lines_fitting_several_records_are_not_chance_hits() -> None:
    # A line whose shape fits lambda records by chance is attributed ("hits") only when
    # exactly one of them agrees: lambda e^-lambda, not min(1, lambda).
    hits = chance_hits(np.log2(np.array([0.01, 1.0, 8.0])))
    assert abs(hits[0] - 0.0099) < 1e-4 and abs(hits[1] - 0.3679) < 1e-4 and hits[2] < 0.003
    # A masked dump: 300 lines like 김*준|ha****@naver.com that each fit ~8 customers, and
    # 30 rarer ones that each pinned down one customer. The 30 are far beyond chance.
    expected = float(chance_hits(np.log2(np.full(300, 8.0))).sum()
                     + chance_hits(np.log2(np.full(30, 0.01))).sum())
    assert verdict(30, expected, ScoringConfig())[0] == "redistribution"
    assert verdict(30, 300 + 30 * 0.01, ScoringConfig())[0] != "redistribution"  # the old sum


def test_document_prior_counts_ambiguous_lines_by_their_odds() -> None:
    # A masked dump: 300 lines pinned to one customer (odds 2^10), 600 that fit a few
    # customers about as well as chance would (summed odds ~1.4), 100 that fit no one.
    lines = np.array([2.0 ** 10] * 300 + [1.4] * 600 + [0.0] * 100)
    prior = document_prior(300, 250.0, 1000, odds_histogram(lines))
    assert 4 < prior < 6  # ~83% copies; the hit ratio alone said 300/701
    assert document_prior(300, 250.0, 1000) == 1.0  # the bound without the lines' odds
    # Decoys: nearly every line fits no one; a few fit like chance.
    decoys = np.array([0.0] * 950 + [1.4] * 50)
    assert document_prior(0, 30.0, 1000, odds_histogram(decoys)) == 1.0
    # summed odds under 2^ODDS_LOW count as fitting no one
    assert odds_histogram(np.array([2.0 ** (ODDS_LOW - 1), 0.0]))[0] == 2


def test_poisson_tail() -> None:
    assert poisson_tail(0, 3.0) == 1.0
    assert abs(poisson_tail(1, 0.5) - (1 - 2.718281828 ** -0.5)) < 1e-9
    assert 1e-21 < poisson_tail(100, 33.7) < 1e-19  # 2.15e-20


def test_repeated_identifiers_weigh_less(tmp_path: Path, key: SecretKey) -> None:
    """Emails drawn from a small pool (as some generators and real sources do) are weak
    evidence; the corpus's own duplicate rate says so at ingest."""
    import random

    from matcher.index import Corpus
    from matcher.ingest import add_corpus
    from matcher.scoring import EMAIL_SPACE

    rng = random.Random(2)
    pool = [f"user{i}@hanmail.net" for i in range(500)]
    ps = people(0, 3000)
    rows = ["id,name,phone,email"] + [f"{p.id},{p.name},{p.phone},{rng.choice(pool)}"
                                      for p in ps]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n")
    add_corpus(tmp_path / "home", "pooled", tmp_path / "c.csv", key, workers=1)
    pooled = Corpus(tmp_path / "home", "pooled", key)
    assert 100 < pooled.value_space("E", EMAIL_SPACE) < 5_000  # ~500 distinct in truth
    assert pooled.value_space("P", 1e8) == 1e8  # unique phones: nothing to estimate
    scanner = Scanner(tmp_path / "home", key)
    # another person who happens to use a pooled address: not a finding
    stranger = people(CORPUS_SIZE, 1)[0]
    res = scanner.scan_text(f"{stranger.name},{pool[7]}", "doc").results["pooled"]
    assert decide(res, scanner.config)[2] == []
    # the real record (name + email) still is
    row = rows[1].split(",")
    res = scanner.scan_text(f"{row[1]},{row[3]},{row[2]}", "doc").results["pooled"]
    assert [m.record_id for m in decide(res, scanner.config)[2]] == [row[0]]


def _name_agrees(written: str, record: str) -> bool:
    from matcher.fields import hash_rows, parse_row, sketch16
    from matcher.keys import FeatureHasher
    from matcher.scoring import compare

    h = FeatureHasher(SecretKey(bytes(32)))
    feats, nlen = hash_rows([parse_row({"name": written}), parse_row({"name": record})], h)
    s = sketch16(feats)
    return bool(compare(s[:1], nlen[:1].astype(int), s[1:], nlen[1:].astype(int),
                        np.zeros((1, s.shape[1])), ScoringConfig()).agreed[0, 0])


def test_a_mask_hides_at_least_one_syllable() -> None:
    assert _name_agrees("정*연", "정수연") and _name_agrees("김*", "김민준")
    assert _name_agrees("김*", "김준") and _name_agrees("*민준", "이민준")
    assert not _name_agrees("정*연", "정연")  # three characters written, two in the name
    assert not _name_agrees("정*연", "정수민")
