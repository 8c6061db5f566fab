"""Expansion throughput of matcher.containers: a large workbook and a large zip.

    python benchmarks/bench_containers.py --xlsx-rows 200000 --zip-mb 300

Measures what ``dumpwatch scan`` and the crawler pay before matching starts: reading
every sheet of an .xlsx and rendering it as a table (python-calamine), and inflating a
zip of CSV through the bomb counters. Figures are MB of text produced per second (and
rows/s for the workbook); inputs are synthetic and kept under benchmarks/out/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import OUT, machine
from dumpwatch.synth import people
from matcher.containers import expand_path

HEADER = ["이름", "연락처", "이메일", "주소", "주문", "가입일", "포인트"]


def _rows(n: int):
    import datetime as dt

    step = 50_000
    for start in range(0, n, step):
        for i, p in enumerate(people(start, min(step, n - start))):
            yield [p.name, p.phone, p.email, p.address, p.order,
                   dt.date(2020, 1, 1) + dt.timedelta(days=(start + i) % 1800),
                   float((start + i) % 9000)]


def big_xlsx(rows: int) -> Path:
    path = OUT / f"containers-{rows}.xlsx"
    if not path.exists():
        import xlsxwriter

        OUT.mkdir(exist_ok=True)
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet("고객")
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_row(0, 0, HEADER)
        for r, row in enumerate(_rows(rows), start=1):
            ws.write_row(r, 0, row[:5])
            ws.write_datetime(r, 5, row[5], date_fmt)
            ws.write_number(r, 6, row[6])
        wb.close()
    return path


def big_zip(megabytes: int) -> Path:
    path = OUT / f"containers-{megabytes}mb.zip"
    if not path.exists():
        import zipfile

        OUT.mkdir(exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf, \
                zf.open("dump/customers.csv", "w", force_zip64=True) as fh:
            fh.write((",".join(HEADER) + "\n").encode())
            written = 0
            for row in _rows(10**9):
                line = ",".join(f'"{c}"' if isinstance(c, str) and "," in c else str(c)
                                for c in row).encode() + b"\n"
                fh.write(line)
                written += len(line)
                if written >= megabytes << 20:
                    break
    return path


def measure(path: Path) -> tuple[float, int, int]:
    t = time.perf_counter()
    produced = members = 0
    for m in expand_path(path):
        members += 1
        if m.stream is not None:
            while chunk := m.stream.read(8 << 20):
                produced += len(chunk)
    return time.perf_counter() - t, produced, members


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xlsx-rows", type=int, default=200_000)
    ap.add_argument("--zip-mb", type=int, default=300)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    for label, path in (("xlsx", big_xlsx(args.xlsx_rows)), ("zip", big_zip(args.zip_mb))):
        secs, produced, members = measure(path)
        size = path.stat().st_size
        extra = f", {args.xlsx_rows / secs:,.0f} rows/s" if label == "xlsx" else ""
        print(f"{label}: {size / 2**20:.1f} MiB file -> {produced / 2**20:.1f} MiB text in "
              f"{members} document(s), {secs:.2f} s: {produced / 2**20 / secs:.1f} MB/s "
              f"of text{extra}")


if __name__ == "__main__":
    main()
