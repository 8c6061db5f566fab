"""How much of a screenshot of a leaked spreadsheet comes back through --ocr.

    python benchmarks/eval_ocr.py --records 40 --sizes 18 24 32

Renders tables of synthetic records (Pillow + NanumGothic, as tests/test_containers.py
does), runs them through matcher.containers (Tesseract kor+eng, --psm 6) and the real
scanner, and prints per font size: records found, and how many phones / emails / names
came through character-exact in the OCR text (what a confusion-aware normaliser
would have to repair). Run on demand; needs tesseract-ocr, tesseract-ocr-kor, fonts-nanum.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import small_scanner
from dumpwatch.synth import people
from dumpwatch.testsites.files import table_image
from matcher.containers import Limits, ocr_image


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--sizes", type=int, nargs="+", default=[18, 24, 32])
    ap.add_argument("--lang", default="kor+eng", help="Tesseract languages, e.g. eng+kor")
    args = ap.parse_args()
    from matcher.scan import decide

    with small_scanner() as scanner:
        ps = people(1000, args.records)
        for size in args.sizes:
            found, phones, emails, names, secs = set(), 0, 0, 0, 0.0
            for i in range(0, len(ps), 10):  # ten rows a screenshot, as sale posts show
                batch = ps[i:i + 10]
                png = table_image([["이름", "연락처", "이메일"]]
                                  + [[p.name, p.phone, p.email] for p in batch], font_size=size)
                t = time.perf_counter()
                text = ocr_image(png, Limits(), args.lang)
                secs += time.perf_counter() - t
                flat = re.sub(r"\s+", " ", text)
                phones += sum(p.phone in flat for p in batch)
                emails += sum(p.email in flat for p in batch)
                names += sum(p.name in flat for p in batch)
                res = scanner.scan_text(text, "shot.png")
                for r in res.results.values():
                    _, _, reported = decide(r, scanner.config)
                    found |= {m.record_id for m in reported}
            want = {p.id for p in ps}
            n = len(ps)
            print(f"font {size}px: {len(found & want)}/{n} records found "
                  f"({len(found - want)} wrong); exact in OCR text: phones {phones}/{n}, "
                  f"emails {emails}/{n}, names {names}/{n}; {secs / (n / 10):.2f} s/image")


if __name__ == "__main__":
    main()
