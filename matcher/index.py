"""The corpus index: immutable segments of keyed hashes, nothing else.

A segment holds, for N records:

* ``keys.bin``   sorted uint64: the high bits of a blocking key, the record ordinal in
                 the low ``ord_bits``. One ``searchsorted`` finds every record of a key,
                 with no separate postings array (8 bytes per key). Only keys that fit
                 few records are stored so; a key that fits many (a phone block, a
                 building, an e-mail's head) is stored once, with a list of ordinals:
* ``lists16.dir`` + ``lists16.bin``  such keys (by column: sorted uint64 high bits,
                 uint64 start, uint32 count, uint32 first ordinal) and their ordinals as
                 uint16 gaps, where every gap of the list fits;
* ``lists32.dir`` + ``lists32.bin``  the same with uint32 ordinals. Which form a key
                 takes is decided per key, by which is smaller (``_list_form``).
* ``sketch.bin`` per record, 16 bits of each feature hash (see :mod:`matcher.fields`):
                 enough to compare every field once a key has pointed at the record.
* ``freq.bin``   (hash, count) of feature values seen at least twice, for u-probabilities.
* ``ids.bin`` + ``ids.off`` the owner's record ids, as given, or the 8 bytes of their
                 keyed hash (``--hash-ids``, shown as 16 hex digits). Duplicates are
                 found from the ids themselves when a segment is sealed.

A corpus is a manifest listing its segments; ``corpus add`` writes a new segment and
swaps the manifest atomically, so a crash mid-ingest leaves the corpus as it was.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from dumpwatch.errors import ConfigError, IndexError_
from matcher import key_directory
from matcher.fields import N_FEATURES, SKETCH_DTYPE
from matcher.keys import SecretKey, derive_array

# A list of ordinals: the key's high bits, where its ordinals start in the data file, how
# many there are, and the first (a uint16 list holds gaps, the first gap slot unused).
LIST_DTYPE = np.dtype([("hi", "<u8"), ("start", "<u8"), ("count", "<u4"), ("first", "<u4")])
_LIST_ENTRY = LIST_DTYPE.itemsize  # bytes a list costs beyond its ordinals

MANIFEST = "manifest.json"
# 2: phone halves, OCR-folded email hash, lot/unit/dong/complex address and dated-order features,
#    four more blocking keys. An index of another version is refused, never misread.
# 3: masked name + middle phone block keys (N0+PM, NL+PM).
# 4: the four masked-name keys (N0|NL + PL|PM) become two phone-block keys (PL, PM); the
#    phone and the address-with-detail digests are derived from the block and road digests
#    (keys.derive) instead of hashed again.
# 5: keys that fit many records as ordinal lists (lists16/lists32); no idhash.bin; hashed
#    ids as 8 bytes. 145 -> ~112 bytes a record at 33.7M (BENCHMARKS.md).
FORMAT_VERSION = 5


def corpora_dir(home: Path) -> Path:
    return home / "corpora"


def validate_corpus_name(name: str) -> str:
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise ConfigError(f"corpus name {name!r}: use letters, digits, '-', '_' or '.'")
    return name


@dataclass
class FileEntry:
    name: str
    sha256: str
    added: str
    records: int
    rejected: int
    duplicates: int


@dataclass
class SegmentInfo:
    dir: str
    records: int
    ord_bits: int
    keys: int
    hashed_ids: bool
    id_width: int = 0  # when every id has the same length, no offsets are stored
    value_space: dict[str, float] = field(default_factory=dict)  # P/E: estimated distinct
    lists: int = 0  # keys stored as ordinal lists (their records are not in ``keys``)


@dataclass
class Manifest:
    name: str
    key_fingerprint: str
    created: str
    version: int = FORMAT_VERSION
    segments: list[SegmentInfo] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(s.records for s in self.segments)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text())
            return cls(
                name=data["name"], key_fingerprint=data["key_fingerprint"],
                created=data["created"], version=data.get("version", 1),
                segments=[SegmentInfo(**s) for s in data.get("segments", [])],  # type: ignore
                files=[FileEntry(**f) for f in data.get("files", [])],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexError_(f"{path}: damaged corpus manifest ({exc})") from None

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1))
        os.replace(tmp, path)


def check_version(manifest: Manifest, name: str) -> None:
    if manifest.version != FORMAT_VERSION:
        raise IndexError_(
            f"corpus {name!r} has index format {manifest.version}, this dumpwatch reads "
            f"format {FORMAT_VERSION}: remove it (dumpwatch corpus remove {name}) and add "
            "its files again")


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def ord_bits_for(n: int) -> int:
    return max(8, int(n).bit_length())


class Segment:
    """Read side of one segment; arrays are memory-mapped, so opening is instant."""

    def __init__(self, path: Path, info: SegmentInfo) -> None:
        self.path = path
        self.info = info
        self.records = info.records
        self.ord_bits = info.ord_bits
        self._ord_mask = np.uint64((1 << info.ord_bits) - 1)
        self.keys = _map(path / "keys.bin", np.uint64)
        self._directory: key_directory.KeyDirectory | None = None
        self._lists = [_Lists(path / f"lists{w}.dir", _map(path / f"lists{w}.bin", dtype),
                              w == 16) for w, dtype in ((16, np.uint16), (32, np.uint32))]
        self.sketch = _map(path / "sketch.bin", SKETCH_DTYPE)
        freq = _map(path / "freq.bin", np.uint64)
        self.freq_keys, self.freq_counts = freq[0::2], freq[1::2]
        self._id_width = info.id_width
        self._hashed_ids = info.hashed_ids
        self._ids_off = None if info.id_width else _map(path / "ids.off", np.uint64)
        self._ids = path / "ids.bin"
        self._ids_blob: mmap.mmap | bytes | None = None

    def lookup(self, queries: np.ndarray, max_records: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``queries``, record ordinal) for every record a key points at,
        ordered by query (within a query, by ordinal unless two keys share its high bits).
        ``max_records``: leave out keys that fit more records than that (a caller that would
        discard them anyway saves their decoding); the limit applies per structure, so where
        two keys share the high bits a large one is dropped and a small one kept."""
        empty = np.empty(0, np.int64), np.empty(0, np.int64)
        if queries.size == 0:
            return empty
        hi = queries & ~self._ord_mask
        order = np.argsort(hi)  # sorted queries walk the index in order: far fewer cache misses
        hs = hi[order]
        # no limit by default: keys sharing high bits may add up to more than the records
        limit = max_records if max_records is not None else np.iinfo(np.int64).max
        found = [self._lookup_keys(hs, order, limit)] + [lists.lookup(hs, order, limit)
                                                          for lists in self._lists]
        found = [f for f in found if f[1].size]
        if not found:
            return empty
        if len(found) == 1:
            return found[0][1], found[0][2]
        # A key lives in one structure, so each query's records come from one: place each
        # structure's (query-ordered) results in the query's block of the output.
        counts = [f[0] for f in found]
        total = np.sum(counts, axis=0)
        if int(np.count_nonzero(total)) != sum(int(np.count_nonzero(c)) for c in counts):
            # two keys sharing their high bits across structures (a 2^-38 chance per pair
            # of keys; at 33.7M records about one query in a thousand): merge by ordinal
            packed = np.concatenate([(f[1] << 32) | f[2] for f in found])  # ordinals < 2^32
            packed.sort()
            return packed >> 32, packed & 0xFFFF_FFFF
        start = np.zeros(queries.size, dtype=np.int64)
        offset = 0
        for c, _, o in found:  # where each query's block starts in the results, joined
            start += np.where(c > 0, offset + np.cumsum(c) - c, 0)
            offset += o.size
        ords = _take_ranges(np.concatenate([f[2] for f in found]), start, total)
        return np.repeat(np.arange(queries.size), total), ords

    def _lookup_keys(self, hs: np.ndarray, order: np.ndarray, limit: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(records per query, query, ordinal) from keys.bin; ``hs`` = sorted queries."""
        n = order.size
        if self.keys.size == 0:
            return np.zeros(n, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
        first = self._searchsorted(n)(hs, side="left")
        left = np.empty(n, dtype=np.int64)
        left[order] = first
        counts = np.empty(n, dtype=np.int64)
        counts[order] = self._run_lengths(hs, first)
        counts[counts > limit] = 0
        ords = (_take_ranges(self.keys, left, counts) & self._ord_mask).astype(np.int64)
        return counts, np.repeat(np.arange(n), counts), ords

    def _run_lengths(self, hs: np.ndarray, first: np.ndarray) -> np.ndarray:
        """How many keys from ``first`` on carry each query's high bits. A key fits few
        records in keys.bin (more go to a list), so stepping forward a key at a time takes
        a few rounds over a shrinking set instead of a second search of the whole array."""
        keys, high = self.keys, ~self._ord_mask
        length = np.zeros(first.size, dtype=np.int64)
        live = np.flatnonzero(first < keys.size)
        while live.size:
            at = first[live] + length[live]
            live = live[(keys[at] & high) == hs[live]]
            length[live] += 1
            live = live[first[live] + length[live] < keys.size]
        return length

    def _searchsorted(self, queries: int) -> Callable[..., np.ndarray]:
        """Sorted search over keys.bin: through a bucket directory once keys.bin is too
        large for the caches and the batch large enough to pay for building it."""
        if self.keys.size < key_directory.MIN_KEYS or queries < key_directory.MIN_QUERIES:
            return lambda q, side: np.searchsorted(self.keys, q, side=side)
        if self._directory is None:
            self._directory = key_directory.KeyDirectory(self.keys, self.ord_bits)
        return self._directory.searchsorted

    def counts(self, hashes: np.ndarray) -> np.ndarray:
        """How often each feature value occurs here (values seen once are not stored)."""
        out = np.zeros(hashes.shape, dtype=np.int64)
        if self.freq_keys.size:
            pos = np.searchsorted(self.freq_keys, hashes)
            pos[pos >= self.freq_keys.size] = 0
            found = (self.freq_keys[pos] == hashes) & (hashes != 0)
            out[found] = self.freq_counts[pos[found]].astype(np.int64)
        return out

    def _id_blob(self) -> mmap.mmap | bytes:
        if self._ids_blob is None:
            with open(self._ids, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                self._ids_blob = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return self._ids_blob

    def record_id(self, ordinal: int) -> str:
        blob = self._id_blob()
        if self._ids_off is None:
            a, b = ordinal * self._id_width, (ordinal + 1) * self._id_width
        else:
            a, b = int(self._ids_off[ordinal]), int(self._ids_off[ordinal + 1])
        raw = blob[a:b]
        return raw.hex() if self._hashed_ids else raw.decode("utf-8")

    def record_ids(self, ordinals: np.ndarray) -> list[str]:
        """``record_id`` of every ordinal, gathered at once: a dense dump reports every
        row, and one call per id cost as much as a row's key lookups."""
        if ordinals.size == 0:
            return []
        blob = self._id_blob()
        if self._ids_off is not None:
            spans = zip(self._ids_off[ordinals].tolist(), self._ids_off[ordinals + 1].tolist(),
                        strict=True)
            if self._hashed_ids:
                return [blob[a:b].hex() for a, b in spans]
            return [blob[a:b].decode("utf-8") for a, b in spans]
        w = self._id_width
        rows = np.frombuffer(blob, np.uint8).reshape(-1, w)[ordinals]
        if self._hashed_ids and w == 8:
            return [f"{v:016x}" for v in rows.view(">u8").ravel().tolist()]
        raw = rows.tobytes()
        if self._hashed_ids:
            return [raw[i:i + w].hex() for i in range(0, len(raw), w)]
        return [raw[i:i + w].decode("utf-8") for i in range(0, len(raw), w)]


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(which range, position) for every position of the ranges [start, start + count)."""
    hit = np.nonzero(counts)[0]
    if hit.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    counts = counts[hit].astype(np.int64)
    which = np.repeat(hit, counts)
    pos = np.repeat(starts[hit].astype(np.int64) - np.cumsum(counts) + counts, counts)
    return which, pos + np.arange(which.size)


_LONG = 512  # a range at least this long is copied as a slice


def _take_ranges(data: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """data[start:start + count] for every range, joined: long ranges slice by slice
    (a copy each), short ones by one vectorised gather."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    long_ = np.flatnonzero(counts >= _LONG)
    if long_.size == 0:
        return data[_expand(starts, counts)[1]]
    out = np.empty(total, dtype=data.dtype)
    at = np.cumsum(counts) - counts
    for i, a, c in zip(at[long_].tolist(), starts[long_].tolist(), counts[long_].tolist(),
                       strict=True):
        out[i:i + c] = data[a:a + c]
    short = counts.copy()
    short[long_] = 0
    if short.any():
        which, pos = _expand(starts, short)
        out[at[which] + (pos - starts[which])] = data[pos]
    return out


class _Lists:
    """Keys stored once with their ordinals, as uint16 gaps or as uint32 ordinals. The
    directory is stored by column (high bits, start, count, first), so the high bits are
    one contiguous sorted array to search."""

    def __init__(self, path: Path, data: np.ndarray, gaps: bool) -> None:
        size = path.stat().st_size if path.exists() else 0
        m = size // LIST_DTYPE.itemsize
        if size != m * LIST_DTYPE.itemsize:
            raise IndexError_(f"{path}: damaged index file; remove and re-add the corpus")
        if m:
            self.hi = np.memmap(path, np.uint64, "r", 0, (m,))
            self.start = np.memmap(path, np.uint64, "r", 8 * m, (m,))
            self.count = np.memmap(path, np.uint32, "r", 16 * m, (m,))
            self.first = np.memmap(path, np.uint32, "r", 20 * m, (m,))
        else:
            _map(path, np.uint64)  # a missing file is an error
            self.hi = np.empty(0, np.uint64)
        self.data = data
        self.gaps = gaps

    def lookup(self, hs: np.ndarray, order: np.ndarray, limit: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(records per query, query, ordinal); ``hs`` = the sorted queries."""
        n = order.size
        if self.hi.size == 0:
            return np.zeros(n, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
        pos = np.searchsorted(self.hi, hs, side="left")
        m = self.hi.size
        found = self.hi[np.minimum(pos, m - 1)] == hs
        # a second entry with the same high bits (two keys: 2^-38 per pair, so it happens
        # in a large segment; scoring drops the stranger's records)
        more = found & (self.hi[np.minimum(pos + 1, m - 1)] == hs) & (pos + 1 < m)
        left = np.empty(n, dtype=np.int64)
        span = np.empty(n, dtype=np.int64)
        left[order] = pos
        span[order] = found
        if more.any():
            span[order] = np.searchsorted(self.hi, hs, side="right") - pos
        qidx, entry = _expand(left, span)
        counts = np.zeros(n, np.int64)
        if qidx.size:
            count = self.count[entry].astype(np.int64)
            np.add.at(counts, qidx, count)
            small = counts[qidx] <= limit
            if not small.all():
                counts[counts > limit] = 0
                qidx, entry, count = qidx[small], entry[small], count[small]
        if qidx.size == 0:
            return counts, qidx, entry
        ords = _take_ranges(self.data, self.start[entry].astype(np.int64), count)
        ords = ords.astype(np.int64)
        if self.gaps:  # a running sum of the gaps, each list restarting at its first
            first = self.first[entry].astype(np.int64)
            heads = np.cumsum(count) - count
            ords[heads] = 0
            last = first + np.add.reduceat(ords, heads)  # each list's last ordinal
            ords[heads] = first - np.r_[0, last[:-1]]
            np.cumsum(ords, out=ords)
        return counts, np.repeat(qidx, count), ords


def write_lists(path: Path, entries: np.ndarray) -> None:
    """A list directory (LIST_DTYPE rows sorted by ``hi``), column by column."""
    with open(path, "wb") as fh:
        for name in ("hi", "start", "count", "first"):
            np.ascontiguousarray(entries[name]).tofile(fh)


def _map(path: Path, dtype: np.dtype | type) -> np.ndarray:
    if not path.exists():
        raise IndexError_(f"{path}: missing index file; remove and re-add the corpus")
    if path.stat().st_size == 0:
        return np.empty(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r")


class Corpus:
    """An ingested corpus: its manifest and open segments."""

    def __init__(self, home: Path, name: str, key: SecretKey) -> None:
        self.name = validate_corpus_name(name)
        self.dir = corpora_dir(home) / name
        manifest_path = self.dir / MANIFEST
        if not manifest_path.exists():
            raise IndexError_(f"no corpus named {name!r} in {home} (see: dumpwatch corpus list)")
        self.manifest = Manifest.load(manifest_path)
        key.check(self.manifest.key_fingerprint, f"corpus {name!r}")
        check_version(self.manifest, name)
        self.segments = [Segment(self.dir / s.dir, s) for s in self.manifest.segments]
        self.records = self.manifest.records

    def counts(self, hashes: np.ndarray) -> np.ndarray:
        total = np.zeros(hashes.shape, dtype=np.int64)
        for seg in self.segments:
            total += seg.counts(hashes)
        return total

    def value_space(self, feature: str, default: float) -> float:
        """Distinct values of an identifier: the smaller of the default and the estimate
        from duplicates, so repeats can only weaken a field's evidence."""
        estimates = [s.info.value_space[feature] for s in self.segments
                     if feature in s.info.value_space]
        return min([default, *estimates])


def list_corpora(home: Path) -> list[Manifest]:
    root = corpora_dir(home)
    if not root.is_dir():
        return []
    return [Manifest.load(p / MANIFEST) for p in sorted(root.iterdir()) if (p / MANIFEST).exists()]


def remove_corpus(home: Path, name: str) -> None:
    path = corpora_dir(home) / validate_corpus_name(name)
    if not (path / MANIFEST).exists():
        raise IndexError_(f"no corpus named {name!r} in {home}")
    shutil.rmtree(path)


# ---------------------------------------------------------------- write side


# Keyed digests of raw record ids (ingest's id hasher): only for a corpus whose segments
# store ids both as given and hashed, where duplicates are found by comparing digests.
IdDigests = Callable[[list[bytes]], np.ndarray]
_TAG_ID = 0x5245_4344_49_000003  # "RECDI": the in-memory hash of an id's bytes
SEAL_THREADS = 2  # key columns sorted at once while sealing (the machine has two cores)


class SegmentWriter:
    """Accumulates batches on disk (spill files, one pair per blocking key column), then
    sorts and seals a segment.

    Spilling keeps peak memory at the size of one key column during the sort, which is
    what lets 33.7M records index within a few GB.
    """

    def __init__(self, directory: Path, hashed_ids: bool) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True)
        self.hashed_ids = hashed_ids
        self.records = 0
        self._spills: list[tuple[BinaryIO, BinaryIO]] = []  # (keys, ordinals) per column
        self._sketch = open(directory / "sketch.bin", "wb")  # noqa: SIM115
        self._ids = open(directory / "ids.bin", "wb")  # noqa: SIM115
        self._id_lengths: list[np.ndarray] = []
        self._freq = _Counts()
        self._id_present: dict[str, int] = {}
        self._id_samples: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}

    def _files(self) -> list[BinaryIO]:
        return [self._sketch, self._ids, *(f for pair in self._spills for f in pair)]

    def add(self, keys: np.ndarray, sketch: np.ndarray, ids: bytes, id_lengths: np.ndarray,
            freq: tuple[np.ndarray, np.ndarray],
            identifiers: dict[str, tuple[int, np.ndarray, np.ndarray]] | None = None) -> None:
        """One batch: (rows, columns) blocking keys (0 = absent), sketches, the ids as
        stored (hashed ids: 8 bytes each) and their lengths, counted feature values."""
        n = sketch.shape[0]
        if n == 0:
            return
        if self.records + n >= 1 << 32:
            raise IndexError_("a segment holds at most 2^32 - 1 records: split the file")
        ords = np.arange(self.records, self.records + n, dtype=np.uint32)
        while len(self._spills) < keys.shape[1]:
            k = len(self._spills)
            self._spills.append((open(self.dir / f"keys{k}.spill", "wb"),  # noqa: SIM115
                                 open(self.dir / f"ords{k}.spill", "wb")))  # noqa: SIM115
        for k, (kf, of) in enumerate(self._spills):
            col = keys[:, k]
            present = col != 0
            col[present].tofile(kf)
            ords[present].tofile(of)
        sketch.tofile(self._sketch)
        self._ids.write(ids)
        self._id_lengths.append(id_lengths.astype(np.uint32))
        self._freq.add(*freq)
        for name, (present_n, uniq, counts) in (identifiers or {}).items():
            self._id_present[name] = self._id_present.get(name, 0) + present_n
            self._id_samples.setdefault(name, []).append((uniq, counts))
        self.records += n

    def seal(self, previous: list[tuple[Path, SegmentInfo]] | None = None,
             id_digests: IdDigests | None = None) -> tuple[SegmentInfo, int]:
        """Drop ids seen earlier in the file or in ``previous`` segments, sort the keys,
        write the read-side files; returns (info, duplicates). ``id_digests`` is needed
        only when ``previous`` store their ids in the other form (hashed / as given)."""
        for fh in self._files():
            fh.close()
        d = self.dir
        n = self.records
        lengths = np.concatenate(self._id_lengths) if self._id_lengths else \
            np.empty(0, np.uint32)
        offsets = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(lengths, out=offsets[1:])
        previous = previous or []
        keyed = id_digests if any(i.hashed_ids != self.hashed_ids for _, i in previous) \
            else None
        ident = _id_identities(np.fromfile(d / "ids.bin", dtype=np.uint8), offsets[:-1],
                               lengths, self.hashed_ids, keyed)
        keep = _first_occurrences(ident)
        for path, info in previous:
            prev = np.sort(_segment_identities(path, info, keyed))
            if prev.size and ident.size:
                pos = np.searchsorted(prev, ident)
                pos[pos >= prev.size] = 0
                keep &= prev[pos] != ident
        del ident
        duplicates = int(n - keep.sum())
        remap = None
        if duplicates:
            remap = (np.cumsum(keep) - 1).astype(np.uint32)
            offsets = self._drop(keep, offsets)
            n = int(keep.sum())
        bits = ord_bits_for(n)
        mask = np.uint64((1 << bits) - 1)
        nkeys, nlists = self._seal_keys(mask, keep if duplicates else None, remap)
        new_lengths = np.diff(offsets)
        id_width = int(new_lengths[0]) if n and (new_lengths == new_lengths[0]).all() else 0
        if not id_width:
            offsets.tofile(d / "ids.off")
        uniq, cnt = self._freq.result()
        multi = cnt > 1
        table = np.empty(int(multi.sum()) * 2, dtype=np.uint64)
        table[0::2], table[1::2] = uniq[multi], cnt[multi]
        table.tofile(d / "freq.bin")
        return SegmentInfo(d.name, n, bits, nkeys, self.hashed_ids, id_width,
                           self._value_spaces(), nlists), duplicates

    def _seal_keys(self, mask: np.ndarray, keep: np.ndarray | None,
                   remap: np.ndarray | None) -> tuple[int, int]:
        """Per key column: sort, then store each key as single keys or as a list. Columns
        are prepared two at a time in threads (numpy's sorts release the GIL) and written
        in column order, so the files do not depend on which thread finished first."""
        d = self.dir

        def prepare(k: int) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
            keys = np.fromfile(d / f"keys{k}.spill", dtype=np.uint64)
            ords = np.fromfile(d / f"ords{k}.spill", dtype=np.uint32)
            (d / f"keys{k}.spill").unlink()
            (d / f"ords{k}.spill").unlink()
            if keep is not None and remap is not None:
                kept = keep[ords]
                keys, ords = keys[kept], remap[ords[kept]]
            keys &= ~mask
            keys |= ords
            del ords
            keys.sort()
            return _split_lists(keys, mask)

        dirs: dict[int, list[np.ndarray]] = {16: [], 32: []}
        sizes = {16: 0, 32: 0}
        with open(d / "singles.spill", "wb") as singles, \
                open(d / "lists16.bin", "wb") as l16, open(d / "lists32.bin", "wb") as l32, \
                ThreadPoolExecutor(SEAL_THREADS) as pool:
            data = {16: l16, 32: l32}
            columns = range(len(self._spills))
            for lo in range(0, len(columns), SEAL_THREADS):  # bounded: two columns in memory
                for single, lists in pool.map(prepare, columns[lo:lo + SEAL_THREADS]):
                    single.tofile(singles)
                    for width, (entries, values) in lists.items():
                        entries["start"] += sizes[width]
                        sizes[width] += values.size
                        values.tofile(data[width])
                        dirs[width].append(entries)
                    del single, lists
        nlists = 0
        for width, parts in dirs.items():
            entries = np.concatenate(parts) if parts else np.empty(0, LIST_DTYPE)
            entries = entries[np.argsort(entries["hi"], kind="stable")]
            write_lists(d / f"lists{width}.dir", entries)
            nlists += entries.size
        keys = _sort_halves(np.fromfile(d / "singles.spill", dtype=np.uint64))
        keys.tofile(d / "keys.bin")
        (d / "singles.spill").unlink()
        return int(keys.size), nlists

    def _value_spaces(self, sample_rate: int = 16, min_pairs: int = 3) -> dict[str, float]:
        """Birthday estimate of how many distinct phones / emails exist, from how often
        the corpus repeats them: n values with D duplicate pairs suggest n^2 / 2D. Too few
        sampled pairs to tell (the normal case: identifiers unique) estimates nothing."""
        out: dict[str, float] = {}
        for name, parts in self._id_samples.items():
            _, counts = _merge_counts(parts)
            pairs = float((counts * (counts - 1) // 2).sum())
            if pairs >= min_pairs:
                n = self._id_present.get(name, 0)
                out[name] = n * n / (2.0 * pairs * sample_rate)
        return out

    def _drop(self, keep: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Remove duplicate records from the sketch and the ids (rare: only on overlapping
        files), in slices; returns the new id offsets."""
        d = self.dir
        step = 1 << 20
        src = _map(d / "sketch.bin", SKETCH_DTYPE)
        with open(d / "sketch.tmp", "wb") as out:
            for lo in range(0, keep.size, step):
                src[lo:lo + step][keep[lo:lo + step]].tofile(out)
        del src
        os.replace(d / "sketch.tmp", d / "sketch.bin")
        blob = _map(d / "ids.bin", np.uint8)
        lengths = np.diff(offsets).astype(np.int64)
        with open(d / "ids.tmp", "wb") as out:
            for lo in range(0, keep.size, step):
                sel = np.flatnonzero(keep[lo:lo + step]) + lo
                _, pos = _expand(offsets[sel].astype(np.int64), lengths[sel])
                blob[pos].tofile(out)
        del blob
        os.replace(d / "ids.tmp", d / "ids.bin")
        new = np.zeros(int(keep.sum()) + 1, dtype=np.uint64)
        np.cumsum(lengths[keep], out=new[1:])
        return new

    def abort(self) -> None:
        for fh in self._files():
            fh.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _sort_halves(keys: np.ndarray) -> np.ndarray:
    """Sorted copy of uint64 keys: the halves below and above 2^63 sorted in two threads."""
    if keys.size < 1 << 20:
        keys.sort()
        return keys
    top = keys >= np.uint64(1 << 63)
    halves = [keys[~top], keys[top]]
    del keys, top
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(np.ndarray.sort, halves))
    return np.concatenate(halves)


def _split_lists(keys: np.ndarray, mask: np.ndarray
                 ) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """Sorted (high bits | ordinal) keys of one column -> the single keys, and per list width
    (16: uint16 gaps, 32: uint32 ordinals) the list entries and their ordinals. Each key
    takes the smallest form: 8 bytes a record as single keys, 2 or 4 bytes a record plus
    one LIST_DTYPE entry as a list (uint16 only when every gap of the list fits)."""
    empty = {w: (np.empty(0, LIST_DTYPE), np.empty(0, t))
             for w, t in ((16, np.uint16), (32, np.uint32))}
    n = keys.size
    if n == 0:
        return keys, empty
    hi = keys & ~mask
    head = np.empty(n, dtype=bool)
    head[0] = True
    np.not_equal(hi[1:], hi[:-1], out=head[1:])
    del hi
    starts = np.flatnonzero(head)
    counts = np.diff(np.append(starts, n))
    many = counts * 8 > 4 * counts + _LIST_ENTRY  # a uint32 list is smaller
    if not many.any():
        return keys, empty
    ords = (keys & mask).astype(np.int64)
    gaps = np.empty(n, dtype=np.int64)
    gaps[0] = 0
    np.subtract(ords[1:], ords[:-1], out=gaps[1:])
    gaps[head] = 0
    del head
    narrow = many & (np.maximum.reduceat(gaps, starts) <= 0xFFFF) & \
        (2 * counts + _LIST_ENTRY < 8 * counts)
    form = np.where(narrow, 16, np.where(many, 32, 0)).astype(np.uint8)
    member = np.repeat(form, counts)
    out = {}
    for width in (16, 32):
        g = np.flatnonzero(form == width)
        entries = np.zeros(g.size, dtype=LIST_DTYPE)
        entries["hi"] = keys[starts[g]] & ~mask
        entries["count"] = counts[g]
        entries["first"] = ords[starts[g]]
        entries["start"] = np.cumsum(counts[g]) - counts[g]
        sel = member == width
        values = gaps[sel].astype(np.uint16) if width == 16 else ords[sel].astype(np.uint32)
        out[width] = (entries, values)
    return keys[member == 0], out


def _id_identities(blob: np.ndarray, starts: np.ndarray, lengths: np.ndarray, hashed: bool,
                   keyed: IdDigests | None) -> np.ndarray:
    """A 64-bit identity per record id, equal for equal ids: the keyed digest for hashed
    ids (it is what they store) and, where a corpus mixes both forms, for ids as given;
    otherwise an in-memory hash of the id's bytes (never written anywhere)."""
    if hashed:
        return np.frombuffer(blob.tobytes(), dtype=">u8").astype(np.uint64)
    if keyed is not None:
        raw = blob.tobytes()
        return keyed([raw[a:a + b] for a, b in zip(starts.tolist(), lengths.tolist(),
                                                   strict=True)])
    return _bytes_hashes(blob, starts.astype(np.int64), lengths.astype(np.int64))


def _segment_identities(path: Path, info: SegmentInfo, keyed: IdDigests | None) -> np.ndarray:
    blob = np.fromfile(path / "ids.bin", dtype=np.uint8)
    if info.id_width:
        starts = np.arange(info.records, dtype=np.int64) * info.id_width
        lengths = np.full(info.records, info.id_width, dtype=np.int64)
    else:
        off = np.fromfile(path / "ids.off", dtype=np.uint64).astype(np.int64)
        starts, lengths = off[:-1], np.diff(off)
    return _id_identities(blob, starts, lengths, info.hashed_ids, keyed)


def _bytes_hashes(blob: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """64-bit hashes of byte strings (length, then 8-byte words, through keys.derive's
    mix): equal strings hash equal; unequal ones collide by 64-bit chance, as keyed
    digests of the ids did before."""
    n = starts.size
    out = np.empty(n, dtype=np.uint64)
    if n == 0:
        return out
    words = max(1, (int(lengths.max()) + 7) // 8)
    cols = np.arange(words * 8)
    step = max(1, (1 << 23) // words)
    fixed = bool((lengths == lengths[0]).all()) and \
        bool((starts == np.arange(n) * lengths[0]).all())
    for lo in range(0, n, step):
        st, ln = starts[lo:lo + step], lengths[lo:lo + step]
        mat = np.zeros((st.size, words * 8), dtype=np.uint8)
        if fixed:
            w = int(lengths[0])
            mat[:, :w] = blob[int(st[0]):int(st[0]) + st.size * w].reshape(st.size, w)
        else:
            inside = cols < ln[:, None]
            mat[inside] = blob[(st[:, None] + cols)[inside]]
        out[lo:lo + step] = derive_array(_TAG_ID, ln.astype(np.uint64),
                                         *mat.view("<u8").T)
    return out


def _first_occurrences(values: np.ndarray) -> np.ndarray:
    """True for the first occurrence of each value (a sort, not np.unique: ~10x faster)."""
    keep = np.ones(values.size, dtype=bool)
    if values.size < 2:
        return keep
    s = np.sort(values)
    dup = s[1:][s[1:] == s[:-1]]
    del s
    if dup.size == 0:
        return keep
    dup = _sorted_unique(dup)
    pos = np.searchsorted(dup, values)
    pos[pos >= dup.size] = 0
    cand = np.flatnonzero(dup[pos] == values)
    v = values[cand]
    order = np.argsort(v, kind="stable")
    first = order[np.r_[True, v[order][1:] != v[order][:-1]]]
    keep[cand] = False
    keep[cand[first]] = True
    return keep


def _sorted_unique(s: np.ndarray) -> np.ndarray:
    """Distinct values of a sorted array."""
    if s.size == 0:
        return s
    return s[np.r_[True, s[1:] != s[:-1]]]


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(values, return_counts=True) for uint64, by a sort (numpy 2.x's unique is
    several times slower on 64-bit hashes)."""
    s = np.sort(values)
    if s.size == 0:
        return s, np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    return s[starts], np.diff(np.append(starts, s.size))


def _merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(value, count) tables -> one, counts summed (an unstable argsort: sums do not care)."""
    keys = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.uint64)
    if keys.size == 0:
        return keys.astype(np.uint64), np.empty(0, np.uint64)
    counts = np.concatenate([p[1] for p in parts])
    order = np.argsort(keys)
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(counts, starts).astype(np.uint64)


class _Counts:
    """Counts of feature values over the batches, merged whenever the unmerged rows
    outgrow the merged table (so merging costs a constant per row, however many
    distinct values the corpus has)."""

    def __init__(self) -> None:
        self.merged: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.uint64),
                                                     np.empty(0, np.uint64))
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.rows = 0

    def add(self, values: np.ndarray, counts: np.ndarray) -> None:
        self.parts.append((values, counts))
        self.rows += values.size
        if self.rows > max(8_000_000, self.merged[0].size):
            self.merged = _merge_counts([self.merged, *self.parts])
            self.parts, self.rows = [], 0

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        if self.parts:
            self.merged = _merge_counts([self.merged, *self.parts])
            self.parts, self.rows = [], 0
        return self.merged


assert SKETCH_DTYPE.fields is not None and SKETCH_DTYPE["h"].shape == (N_FEATURES,)
