"""How much of a screenshot that is more than a table comes back through --ocr.

    python benchmarks/eval_screen_layouts.py --images 6 --seed 1

Sale posts as they are screenshotted: a title and a pitch (one record written in a
sentence), a table, a footer with the seller's handle; two tables of different columns
with text between; a messenger screen of one record per bubble. Columns, sizes and
fonts vary by seed; each table carries a stranger (not in the corpus). Renders with
dumpwatch.testsites.screens, reads with matcher.containers.ocr_image (Tesseract kor+eng),
scans with the real Scanner on a 5,000-record corpus; prints per layout: records found,
wrong findings (strangers or anyone not shown), s per image. Needs tesseract-ocr,
tesseract-ocr-kor, fonts-nanum.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import small_scanner
from dumpwatch.synth import Person, people
from dumpwatch.testsites.screens import chat_image, post_image
from matcher.containers import Limits, ocr_image

HEADINGS = {"name": ["이름", "고객명", "성명"], "phone": ["연락처", "휴대폰", "전화번호"],
            "email": ["이메일", "E-mail", "메일주소"], "address": ["주소", "배송지"],
            "seq": ["번호", "No"], "grade": ["등급", "회원등급"]}
LAYOUTS = [["name", "phone"], ["name", "email"], ["seq", "name", "phone", "address"],
           ["email", "name", "grade"], ["name", "phone", "email"], ["phone", "address"]]
TITLES = ["[판매] 쿠팡 고객 DB 33,700,000건 최신 추출본 샘플 공개합니다",
          "쿠팡 VIP 회원 명단 일부 (1차 샘플) 실제 주문 고객 데이터에서 발췌했습니다",
          "2025년 11월 쇼핑몰 회원정보 풀디비 판매 중복 제거 완료 샘플 첨부"]
PITCH = ["전체 데이터는 이름, 연락처, 이메일, 주소, 주문내역까지 모두 포함되어 있습니다",
         "샘플 확인 후 구매 가능, 대량 구매 할인 가능합니다 에스크로 거래만 합니다"]
FOOTERS = ["텔레그램 @coupang_db_seller 문의 / 선입금 후 전송, 샘플 외 추가 제공 없음",
           "가격은 건당 협의 문의는 텔레그램 @db_shop_kr 로만 받습니다"]


def cell(p: Person, kind: str, k: int) -> str:
    return {"name": p.name, "phone": p.phone, "email": p.email, "address": p.address,
            "seq": str(k), "grade": "골드"}[kind]


def table(ps: list[Person], kinds: list[str], rng: random.Random) -> list[list[str]]:
    return [[rng.choice(HEADINGS[k]) for k in kinds]] + [
        [cell(p, k, i) for k in kinds] for i, p in enumerate(ps, 1)]


def post(rng: random.Random, ps: list[Person], strangers: list[Person], size: int) -> bytes:
    told, rows = ps[0], ps[1:] + strangers[:1]
    rng.shuffle(rows)
    return post_image([rng.choice(TITLES), rng.choice(PITCH),
                       f"확인용 샘플 고객 {told.name} {told.phone} 으로 직접 검증해 보셔도 됩니다",
                       table(rows, rng.choice(LAYOUTS), rng), rng.choice(FOOTERS)], size)


def two_tables(rng: random.Random, ps: list[Person], strangers: list[Person],
               size: int) -> bytes:
    a, b = rng.sample(LAYOUTS, 2)
    half = len(ps) // 2
    return post_image([rng.choice(TITLES), table(ps[:half] + strangers[:1], a, rng),
                       "두번째 표는 배송 고객 목록이며 열 순서가 다릅니다 (일부 정보만 있음)",
                       table(strangers[1:2] + ps[half:], b, rng), rng.choice(FOOTERS)], size)


def chat(rng: random.Random, ps: list[Person], strangers: list[Person], size: int) -> bytes:
    shown = ps + strangers[:1]
    rng.shuffle(shown)
    lines = [f"{p.name} {p.phone} {p.email}" if rng.random() < 0.5 else
             f"{p.name} / {p.phone} / {p.address}" for p in shown]
    times = [f"오후 {rng.randint(1, 11)}:{rng.randint(0, 59):02d}" for _ in shown]
    return chat_image("DB 거래방 (3)", list(zip(lines, times, strict=True)),
                      "메시지를 입력하세요", size)


KINDS: dict[str, Callable[[random.Random, list[Person], list[Person], int], bytes]] = {
    "post": post, "two-tables": two_tables, "chat": chat}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=6, help="images per layout")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from matcher.scan import decide

    rng = random.Random(args.seed)
    with small_scanner() as scanner:
        start = 1000
        for kind, render in KINDS.items():
            want: set[str] = set()
            found: set[str] = set()
            secs = 0.0
            for _ in range(args.images):
                ps = people(start, rng.randint(5, 8))
                start += len(ps)
                strangers = people(100_000 + start, 2)
                png = render(rng, ps, strangers, rng.choice([18, 20, 24]))
                t = time.perf_counter()
                text = ocr_image(png, Limits())
                secs += time.perf_counter() - t
                res = scanner.scan_text(text, "shot.png")
                got = set()
                for r in res.results.values():
                    _, _, reported = decide(r, scanner.config)
                    got |= {m.record_id for m in reported}
                mine = {p.id for p in ps}
                want |= mine
                found |= got & mine
                wrong = got - mine
                if wrong:
                    print(f"  {kind}: wrong {sorted(wrong)}")
                found |= {f"wrong:{w}" for w in wrong}
            right = {f for f in found if not f.startswith("wrong:")}
            print(f"{kind:<11} {len(right)}/{len(want)} records found "
                  f"({len(found) - len(right)} wrong); {secs / args.images:.2f} s/image")


if __name__ == "__main__":
    main()
