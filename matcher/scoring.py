"""Fellegi–Sunter scoring of candidate/record pairs and the base-rate-aware verdict.

For a candidate c and a corpus record r the match weight is the sum over fields of
log2(m/u) at the level the field reached (exact, typo, masked, partial, disagree):

* m — how often a *redistributed* copy of the record shows that level (perturbation
  rates: a typo'd name, a masked phone);
* u — how often a line that is *not* from the corpus would show it by chance, taken
  from the corpus's own frequency tables (김민준 is common, 남궁별 is not) or from the
  size of the value space (10^8 mobile numbers).

Posterior odds that c is a copy of r are 2^W / N (N = records in the corpus, or the
assumed population for density tests), normalised over every record c could be, so a
masked line that fits three records attributes to none of them.

A document's verdict weighs the number of matched candidates against the number
expected by chance (per candidate, the chance that exactly one of the N x prod(u)
records its shape fits by chance agrees with it): one phone number in chatter
against a 33.7M-record corpus is a coin flip, a hundred of them all matching is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matcher.fields import F

PHONE_SPACE = 1e8  # 010-XXXX-XXXX
EMAIL_SPACE = 1e9
BLOCK_SPACE = 1e4  # one 4-digit phone block


@dataclass(frozen=True)
class ScoringConfig:
    """The model's parameters: m-probabilities and decision thresholds."""

    m_name_exact: float = 0.92
    m_name_typo: float = 0.05
    m_name_masked: float = 0.90
    m_name_disagree: float = 0.01
    m_phone_exact: float = 0.95
    m_phone_partial: float = 0.01
    m_phone_masked: float = 0.95
    m_phone_disagree: float = 0.02
    m_phone_ocr: float = 0.30  # read only after undoing OCR confusions: less sure
    m_email_exact: float = 0.92
    m_email_masked: float = 0.90
    m_email_disagree: float = 0.05
    m_email_ocr: float = 0.30
    m_addr_full: float = 0.80
    m_addr_road: float = 0.85
    m_addr_district: float = 0.85
    m_addr_unit: float = 0.60  # district + unit equal, the buildings written in two forms
    m_addr_disagree: float = 0.05
    m_order: float = 0.40
    m_order_dated: float = 0.60  # the same item on the same day
    match_threshold: float = 0.8  # posterior to count as a match; below, the line is ambiguous
    strong_threshold: float = 0.99  # posterior reported even when the document is not
    alpha: float = 1e-6  # chance probability below which a document is redistribution
    assume_records: int = 0  # score as if the corpus had this many records (density tests)


FIELD_NAMES = ("name", "phone", "email", "address", "order")


def _log2(x: np.ndarray | float) -> np.ndarray:
    return np.log2(np.maximum(x, 1e-300))


@dataclass
class PairScores:
    weight: np.ndarray  # (pairs,) total log2 Bayes factor
    agreed: np.ndarray  # (pairs, 5) bool: which fields agreed, for reporting


# A legal dong or complex name narrows a district down by at most this factor (log2):
# frequencies of rare values in a small corpus must not pass for proof.
MAX_REFINE = math.log2(50)
_Q = slice(F["Q0"], F["Q3"] + 1)


def compare(cs: np.ndarray, cl: np.ndarray, rs: np.ndarray, rl: np.ndarray,
            logf: np.ndarray, cfg: ScoringConfig, phone_space: float = PHONE_SPACE,
            email_space: float = EMAIL_SPACE, phone_ocr: np.ndarray | None = None,
            email_ocr: np.ndarray | None = None, half_eq: np.ndarray | None = None,
            phone_digits: np.ndarray | None = None) -> PairScores:
    """Score pairs. cs/rs: (P, F) 16-bit sketches; cl/rl: name lengths; logf: (P, F)
    log2 relative frequency of the candidate's value of each feature; phone_ocr /
    email_ocr: (P,) whether the candidate's value was read through OCR repairs.
    half_eq: (P, 4) for a masked number, whether each half-block that shows one digit
    agrees (True where the half shows two or none); phone_digits: (P,) digits it shows."""
    P = cs.shape[0]
    no = np.zeros(P, dtype=bool)
    phone_ocr = no if phone_ocr is None else phone_ocr
    email_ocr = no if email_ocr is None else email_ocr
    present_c = cs != 0
    present_r = rs != 0
    eq = (cs == rs) & present_c & present_r
    w = np.zeros(P)
    agreed = np.zeros((P, 5), dtype=bool)

    # --- name
    cN, rN = present_c[:, F["N"]], present_r[:, F["N"]]
    pos = slice(F["N0"], F["N3"] + 1)
    vis = present_c[:, pos]
    pos_eq = eq[:, pos]
    n_vis = vis.sum(1)
    n_eq = pos_eq.sum(1)
    has_name_c = n_vis > 0
    has_name_r = rl > 0
    both = has_name_c & has_name_r
    exact = both & cN & rN & eq[:, F["N"]]
    same_len = cl == rl
    # One syllable off, never the surname: 이준호 and 강준호 are two people, and a random
    # name agrees with a record on all but one of its syllables far more often than the
    # syllables' frequencies alone suggest (any of them may be the odd one out).
    typo = both & cN & rN & ~exact & same_len & (cl >= 3) & (n_eq >= cl - 1) & eq[:, F["N0"]]
    masked_c = has_name_c & ~cN
    masked_agree_same = masked_c & same_len & (n_vis > 0) & (n_eq == n_vis)
    ends_eq = eq[:, F["N0"]] & (eq[:, F["NL"]] | ~present_c[:, F["NL"]])
    # A mask may stand for several syllables (김* for 김민준), never for none: 정*연 is no
    # spelling of 정연.
    masked_agree_diff = masked_c & (rl > cl) & ends_eq & has_name_r
    masked_agree = both & (masked_agree_same | masked_agree_diff)
    # u: frequency of the full name, or product of the agreeing syllables' frequencies.
    lf_pos = np.where(pos_eq, logf[:, pos], 0.0).sum(1)
    lf_ends = logf[:, F["N0"]] + np.where(present_c[:, F["NL"]], logf[:, F["NL"]], 0.0)
    w_name = np.select(
        [exact, typo, masked_agree & same_len, masked_agree],
        [math.log2(cfg.m_name_exact) - logf[:, F["N"]],
         math.log2(cfg.m_name_typo) - lf_pos - np.log2(np.maximum(cl - 1, 1)),
         math.log2(cfg.m_name_masked) - lf_pos,
         math.log2(cfg.m_name_masked) - lf_ends],
        default=math.log2(cfg.m_name_disagree),
    )
    w += np.where(both, w_name, 0.0)
    agreed[:, 0] = exact | typo | masked_agree

    # --- phone: a full number, or the halves of blocks a mask leaves visible
    cP, rP = present_c[:, F["P"]], present_r[:, F["P"]]
    cq = present_c[:, _Q]
    n_q = cq.sum(1)
    has_phone_r = present_r[:, _Q].any(1) | present_r[:, F["PL"]] | present_r[:, F["PM"]]
    shows = n_q > 0 if phone_digits is None else (n_q > 0) | (phone_digits > 0)
    p_both = (cP | shows) & has_phone_r
    p_exact = cP & rP & eq[:, F["P"]]
    p_partial = cP & rP & ~p_exact & (eq[:, F["PM"]] | eq[:, F["PL"]])
    p_masked = ~cP & shows & (eq[:, _Q] | ~cq).all(1)
    # each visible digit is worth a factor 10 (u = 1/10 per digit of a random number)
    masked_bits = n_q * math.log2(100)
    if half_eq is not None and phone_digits is not None:
        p_masked &= half_eq.all(1)
        masked_bits = np.maximum(masked_bits, phone_digits * math.log2(10))
    m_exact = np.where(phone_ocr, cfg.m_phone_ocr, cfg.m_phone_exact)
    w_phone = np.select(
        [p_exact, p_partial, p_masked],
        [np.log2(m_exact * phone_space),
         math.log2(cfg.m_phone_partial * BLOCK_SPACE / 2),
         math.log2(cfg.m_phone_masked) + masked_bits],
        default=math.log2(cfg.m_phone_disagree),
    )
    w += np.where(p_both, w_phone, 0.0)
    agreed[:, 1] = p_both & (p_exact | p_partial | p_masked)

    # --- email
    cE, rE = present_c[:, F["E"]], present_r[:, F["E"]]
    e_both = present_c[:, F["ED"]] & present_r[:, F["ED"]]
    e_exact = cE & rE & eq[:, F["E"]]
    # a masked address compares on its longest visible prefix (EP3, EP2, EP1) + domain
    ep = [F["EP3"], F["EP2"], F["EP1"], F["ED"]]
    masked_e = ~cE & e_both
    e_masked = np.zeros(P, dtype=bool)
    lf_e = np.zeros(P)
    decided = np.zeros(P, dtype=bool)
    for col in ep:
        here = masked_e & present_c[:, col] & ~decided
        e_masked |= here & eq[:, col]
        lf_e = np.where(here, logf[:, col], lf_e)
        decided |= here
    m_e = np.where(email_ocr, cfg.m_email_ocr, cfg.m_email_exact)
    w_email = np.select(
        [e_exact, e_masked],
        [np.log2(m_e * email_space), math.log2(cfg.m_email_masked) - lf_e],
        default=math.log2(cfg.m_email_disagree),
    )
    w += np.where(e_both & (cE & rE | masked_e), w_email, 0.0)
    agreed[:, 2] = e_exact | e_masked

    # --- address: road form against road form, lot against lot; across forms only the
    # levels both share (district, unit, legal dong, complex), never the numbers.
    def both_eq(f: str) -> tuple[np.ndarray, np.ndarray]:
        i = F[f]
        return present_c[:, i] & present_r[:, i], eq[:, i]

    ar_both, ar_eq = both_eq("AR")
    ax_both, ax_eq = both_eq("AX")
    al_both, al_eq = both_eq("AL")
    ad_both, ad_eq = both_eq("AD")
    au_both, au_eq = both_eq("AU")
    an_both, an_eq = both_eq("AN")
    ac_both, ac_eq = both_eq("AC")
    lot = ~ar_both & al_both
    cross = ~ar_both & ~al_both
    cross_ok = cross & ~(an_both & ~an_eq) & ~(ad_both & ~ad_eq)
    a_full = ar_both & ar_eq & ax_both & ax_eq
    a_road = ar_both & ar_eq & ~ax_both
    a_detail_differs = ar_both & ar_eq & ax_both & ~ax_eq
    l_full = lot & al_eq & au_both & au_eq
    l_lot = lot & al_eq & ~au_both
    l_detail_differs = lot & al_eq & au_both & ~au_eq
    x_unit = cross_ok & au_both & au_eq
    x_district = cross_ok & ~au_both & ad_both & ad_eq
    refine = np.maximum(
        np.where(an_both & an_eq, np.clip(logf[:, F["AD"]] - logf[:, F["AN"]], 0, MAX_REFINE), 0),
        np.where(ac_both & ac_eq, np.clip(logf[:, F["AD"]] - logf[:, F["AC"]], 0, MAX_REFINE), 0))
    a_compared = ar_both | al_both | ad_both | au_both
    w_addr = np.select(
        [a_full, a_road, a_detail_differs, l_full, l_lot, l_detail_differs, x_unit, x_district],
        [math.log2(cfg.m_addr_full / 0.02) - logf[:, F["AR"]],
         math.log2(cfg.m_addr_road) - logf[:, F["AR"]],
         math.log2(0.05) - logf[:, F["AR"]],
         math.log2(cfg.m_addr_full / 0.02) - logf[:, F["AL"]],
         math.log2(cfg.m_addr_road) - logf[:, F["AL"]],
         math.log2(0.05) - logf[:, F["AL"]],
         math.log2(cfg.m_addr_unit) - logf[:, F["AU"]] + refine,
         math.log2(cfg.m_addr_district) - logf[:, F["AD"]] + refine],
        default=math.log2(cfg.m_addr_disagree),
    )
    w += np.where(a_compared, w_addr, 0.0)
    agreed[:, 3] = a_full | a_road | l_full | l_lot | x_unit | x_district

    # --- order: corroborates when equal, says nothing when not (people keep ordering)
    ot_both, ot_eq = both_eq("OT")
    o_eq = eq[:, F["O"]]
    w += np.where(ot_eq, math.log2(cfg.m_order_dated) - logf[:, F["OT"]],
                  np.where(o_eq & ~ot_both, math.log2(cfg.m_order) - logf[:, F["O"]], 0.0))
    agreed[:, 4] = o_eq | ot_eq
    return PairScores(w, agreed)


def chance_log2(cs: np.ndarray, logf: np.ndarray, phone_space: float = PHONE_SPACE,
                email_space: float = EMAIL_SPACE, phone_digits: np.ndarray | None = None
                ) -> np.ndarray:
    """log2 of the chance that a random line of this candidate's shape matches a record.

    N x 2^this is the expected number of corpus records such a line fits by chance. A
    full phone or email can carry a match alone, so when one is present only those
    count (a name or district beside it must not make one phone look significant);
    otherwise the line needs all it shows — masked name, masked phone, address.
    """
    present = cs != 0
    lu_ident = np.where(present[:, F["P"]], -math.log2(phone_space), 0.0) + np.where(
        present[:, F["E"]], -math.log2(email_space), 0.0)
    has_ident = present[:, F["P"]] | present[:, F["E"]]
    lu = np.zeros(cs.shape[0])
    has_n = present[:, F["N"]]
    pos = slice(F["N0"], F["N3"] + 1)
    lu += np.where(has_n, logf[:, F["N"]], np.where(present[:, pos], logf[:, pos], 0.0).sum(1))
    q_bits = present[:, _Q].sum(1) * math.log2(100)
    if phone_digits is not None:  # masked numbers: every digit shown, not just whole halves
        q_bits = np.where(present[:, F["P"]], q_bits,
                          np.maximum(q_bits, phone_digits * math.log2(10)))
    lu -= q_bits
    lu += np.select([present[:, F["EP3"]], present[:, F["EP2"]], present[:, F["EP1"]],
                     present[:, F["ED"]]],
                    [logf[:, F["EP3"]], logf[:, F["EP2"]], logf[:, F["EP1"]],
                     logf[:, F["ED"]]], 0.0)
    lu += np.select([present[:, F["AX"]], present[:, F["AR"]],
                     present[:, F["AL"]] & present[:, F["AU"]], present[:, F["AL"]],
                     present[:, F["AU"]], present[:, F["AD"]]],
                    [logf[:, F["AR"]] + math.log2(0.02), logf[:, F["AR"]],
                     logf[:, F["AL"]] + math.log2(0.02), logf[:, F["AL"]],
                     logf[:, F["AU"]], logf[:, F["AD"]]], 0.0)
    # A dated order is what a name + order line rests on; beside a phone or an address it
    # only corroborates, and a line needs not show it to match.
    located = present[:, _Q].any(1) | present[:, F["AR"]] | present[:, F["AL"]] | present[
        :, F["AU"]]
    lu += np.where(present[:, F["OT"]] & ~located, logf[:, F["OT"]], 0.0)
    return np.where(has_ident, lu_ident, lu)


def chance_hits(log2_fits: np.ndarray) -> np.ndarray:
    """Probability that a line *not* from the corpus still hits one record, per line.

    ``log2_fits`` is log2 of the records the line's shape fits by chance (N x prod(u)),
    lambda. A hit is a line attributed to one record, which needs exactly one chance fit:
    lambda e^-lambda under Poisson. min(1, lambda) counted a line fitting several records
    as a sure hit, although such a line is never attributed; a dump of masked lines, most of
    which fit several customers, then looked like chance however many lines it did pin down.
    """
    lam = np.exp2(np.minimum(log2_fits, 64.0))
    return lam * np.exp(-lam)


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean): how surprising k chance matches would be."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if k <= mean:
        lower = sum(math.exp(-mean + i * math.log(mean) - math.lgamma(i + 1)) for i in range(k))
        return max(0.0, 1.0 - lower)
    total, i = 0.0, k
    while True:
        t = math.exp(-mean + i * math.log(mean) - math.lgamma(i + 1))
        total += t
        if t < total * 1e-12 or i > k + 10_000:
            return min(1.0, total)
        i += 1


def verdict(matched: int, expected: float, cfg: ScoringConfig) -> tuple[str, float]:
    if matched == 0:
        return "none", 1.0
    p = poisson_tail(matched, expected)
    return ("redistribution" if p <= cfg.alpha else "inconclusive"), p
