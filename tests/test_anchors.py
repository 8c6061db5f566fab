"""The sparse-text prefilter: which lines may hold a record, and only those."""

from __future__ import annotations

import pytest

from matcher.extract.anchors import anchored_windows, trace_lines

CHATTER = "오늘 서울 날씨 정말 좋네요. 강남구 쪽에 새로 생긴 카페 가보신 분?"


@pytest.mark.parametrize("line", [
    "김민준 010-1234-5678 팝니다",
    "연락 +82 10 1234 5678",
    "김민준 010-12**-5678",
    "minjun.kim@naver.com",
    "minjun.kim [at] naver.com",
    "minjun.kim(골뱅이)naver.com",
    "write to minjun at naver dot com",
    "서울 강남구 테헤란로 123",
    "세종대로 지하12",
    "부산 중구 광복로 55번길 3",
    "종로3가 7",
    "문화의거리 5",
    "역삼동 123-4",
    "봉천동 산 12번지",
    "O1O-l234-5678 김민준",
])
def test_a_trace_makes_its_line_hot(line: str) -> None:
    text = "\n".join([CHATTER, CHATTER, line, CHATTER])
    assert trace_lines(text) == {2}


@pytest.mark.parametrize("line", [
    CHATTER,
    "주문번호 20251103-1234567 배송 조회가 안 됩니다.",
    "The meeting moved to 3pm, room 402. Bring the Q3 numbers.",
    "meet me at noon, then dot the i's",  # " at " and " dot " on one line, no address
    "새로운 소식",
    "새로 3pm, 배송 새로 300g, 택배로 3개 보냈어요",  # the particle 로 before a number
    "새로 20251103-1234567 주문",
])
def test_chatter_leaves_no_trace(line: str) -> None:
    assert trace_lines("\n".join([CHATTER, line])) == set()


def test_a_trace_that_starts_a_line_or_ends_the_text() -> None:
    assert trace_lines("010-1234-5678") == {0}
    assert trace_lines("x\n테헤란로 1") == {1}
    assert trace_lines("x\nO1O-l234-5678") == {1}


def test_windows_take_short_neighbours_and_skip_long_chatter() -> None:
    lines = [CHATTER, "성명: 김민준", "010-1234-5678", "주소: 서울", CHATTER, CHATTER,
             CHATTER, CHATTER, "minjun@naver.com"]
    assert anchored_windows(lines, list(range(len(lines)))) == [[1, 2, 3], [8]]


def _plain_trace_lines(text: str) -> set[int]:
    """The prefilter written the obvious way: one pattern per trace, every match kept."""
    import re

    from matcher.extract.anchors import _OCR_TRACE, _PHONE_TRACE
    from matcher.extract.spans import OCR_PHONE, PHONE

    def line(pos: int) -> int:
        return text.count("\n", 0, pos)

    hot = {line(f.start()) for m in _PHONE_TRACE.finditer(text)
           if (f := PHONE.search(text, max(m.start() - 4, 0), m.end() + 16))}
    phones = set(hot)
    for m in _OCR_TRACE.finditer(text):
        if line(m.start()) not in phones and (
                f := OCR_PHONE.search(text, max(m.start() - 1, 0), m.end() + 20)):
            hot.add(line(f.start()))
    for p in (r"@|[\[\(\{] ?(?:at|AT|골뱅이) ?[\]\)\}]| at \S+ dot ",
              r"(?:[로길]|거리|\d가) ?(?:지하)?\d{1,5}(?:-\d+)?(?:[번길가]|(?![\dA-Za-z가-힣]))",
              r"[동리] (?:산 ?)?\d{1,5}(?:-\d|번지)"):
        hot.update(line(m.start()) for m in re.finditer(p, text))
    return hot


@pytest.fixture(params=["hyperscan", "regex"])
def prefilter(request, monkeypatch):
    """Both ways of finding traces: Hyperscan proposing (where its wheel exists) and the
    regex passes alone. Small texts go to the regex passes; here every text takes the
    path under test."""
    from matcher.extract import anchors

    if request.param == "hyperscan":
        if anchors._hs is None:
            pytest.skip("hyperscan is not installed on this platform")
        monkeypatch.setattr(anchors, "PREFILTER_MIN_CHARS", 0)
    else:
        monkeypatch.setattr(anchors, "_hs", None)
    return request.param


def test_fast_prefilter_finds_exactly_what_the_plain_patterns_find(prefilter) -> None:
    import random

    rng = random.Random(7)
    pieces = [*"0123456789 -.)(*●○#xX@[]{}\n0O1lI|+가나동리로길거산", " at ", " dot ", "골뱅이",
              "010", "82", "거리", "3가", "로 ", "지하", "번지", "AT", "테헤란로 ", "역삼동 ", "pm",
              "개", "번길", "-", "\u00a0", "\u3000", "(010) ", "+82 ", "김민준 ", "a" * 30, "O1O",
              " l234 "]
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 50)))
        plain = _plain_trace_lines(text)
        assert trace_lines(text) == plain, repr(text)


def test_both_prefilters_agree_on_a_large_post(prefilter) -> None:
    """A chunk-sized text: chatter with records of every kind at random places."""
    import random

    from matcher.extract.anchors import PREFILTER_MIN_CHARS, _trace_lines_re

    rng = random.Random(11)
    records = ["김민준 010-1234-5678 팝니다", "minjun.kim@naver.com", "서울 강남구 테헤란로 152",
               "역삼동 736-1", "O1O-l234-5678", "연락 +82 10 1234 5678", "minjun [at] naver.com",
               "새로 3pm, 택배로 3개", "주문번호 20251103-1234567"]
    lines = [rng.choice(records) if rng.random() < 0.05 else CHATTER for _ in range(3000)]
    text = "\n".join(lines)
    assert len(text) >= PREFILTER_MIN_CHARS
    hot = trace_lines(text)
    assert hot == _trace_lines_re(text) == _plain_trace_lines(text)
    assert trace_lines(text, utf8=text.encode()) == hot  # bytes a worker already had
    assert len(hot) > 50
