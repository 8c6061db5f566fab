"""The corpus index: immutable segments of keyed hashes, nothing else.

A segment holds, for N records:

* ``keys.bin``   sorted uint64: the high bits of a blocking key, the record ordinal in
                 the low ``ord_bits``. One ``searchsorted`` finds every record of a key,
                 with no separate postings array (8 bytes per key).
* ``sketch.bin`` per record, 16 bits of each feature hash (see :mod:`matcher.fields`):
                 enough to compare every field once a key has pointed at the record.
* ``freq.bin``   (hash, count) of feature values seen at least twice, for u-probabilities.
* ``idhash.bin`` sorted keyed hashes of the record ids, to refuse duplicates.
* ``ids.bin`` + ``ids.off`` the owner's record ids, as given or hashed (``--hash-ids``).

A corpus is a manifest listing its segments; ``corpus add`` writes a new segment and
swaps the manifest atomically, so a crash mid-ingest leaves the corpus as it was.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from dumpwatch.errors import ConfigError, IndexError_
from matcher.fields import N_FEATURES, SKETCH_DTYPE
from matcher.keys import SecretKey

MANIFEST = "manifest.json"
# 2: phone halves, OCR-folded email hash, lot/unit/dong/complex address and dated-order features,
#    four more blocking keys. An index of another version is refused, never misread.
# 3: masked name + middle phone block keys (N0+PM, NL+PM).
# 4: the four masked-name keys (N0|NL + PL|PM) become two phone-block keys (PL, PM); the
#    phone and the address-with-detail digests are derived from the block and road digests
#    (keys.derive) instead of hashed again.
FORMAT_VERSION = 4


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
        self.sketch = _map(path / "sketch.bin", SKETCH_DTYPE)
        freq = _map(path / "freq.bin", np.uint64)
        self.freq_keys, self.freq_counts = freq[0::2], freq[1::2]
        self._id_width = info.id_width
        self._ids_off = None if info.id_width else _map(path / "ids.off", np.uint64)
        self._ids = path / "ids.bin"
        self._ids_blob: mmap.mmap | bytes | None = None

    def lookup(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``queries``, record ordinal) for every record a key points at."""
        if self.keys.size == 0 or queries.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        hi = queries & ~self._ord_mask
        order = np.argsort(hi)  # sorted queries walk the index in order: far fewer cache misses
        left = np.empty(hi.size, dtype=np.int64)
        right = np.empty(hi.size, dtype=np.int64)
        left[order] = np.searchsorted(self.keys, hi[order], side="left")
        right[order] = np.searchsorted(self.keys, hi[order] | self._ord_mask, side="right")
        counts = right - left
        hit = np.nonzero(counts)[0]
        if hit.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        counts = counts[hit]
        qidx = np.repeat(hit, counts)
        starts = np.repeat(left[hit] - np.cumsum(counts) + counts, counts)
        pos = starts + np.arange(qidx.size)
        return qidx, (self.keys[pos] & self._ord_mask).astype(np.int64)

    def counts(self, hashes: np.ndarray) -> np.ndarray:
        """How often each feature value occurs here (values seen once are not stored)."""
        out = np.zeros(hashes.shape, dtype=np.int64)
        if self.freq_keys.size:
            pos = np.searchsorted(self.freq_keys, hashes)
            pos[pos >= self.freq_keys.size] = 0
            found = (self.freq_keys[pos] == hashes) & (hashes != 0)
            out[found] = self.freq_counts[pos[found]].astype(np.int64)
        return out

    def record_id(self, ordinal: int) -> str:
        if self._ids_blob is None:
            with open(self._ids, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                self._ids_blob = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        if self._ids_off is None:
            a, b = ordinal * self._id_width, (ordinal + 1) * self._id_width
        else:
            a, b = int(self._ids_off[ordinal]), int(self._ids_off[ordinal + 1])
        return self._ids_blob[a:b].decode("utf-8")


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


class SegmentWriter:
    """Accumulates batches on disk (spill files), then sorts and seals a segment.

    Spilling keeps peak memory at the size of the key array alone during the sort,
    which is what lets 33.7M records index within a few GB.
    """

    def __init__(self, directory: Path, hashed_ids: bool) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True)
        self.hashed_ids = hashed_ids
        self.records = 0
        self._keys = open(directory / "keys.spill", "wb")  # noqa: SIM115
        self._ords = open(directory / "ords.spill", "wb")  # noqa: SIM115
        self._sketch = open(directory / "sketch.bin", "wb")  # noqa: SIM115
        self._idhash = open(directory / "idhash.spill", "wb")  # noqa: SIM115
        self._ids = open(directory / "ids.bin", "wb")  # noqa: SIM115
        self._id_lengths: list[np.ndarray] = []
        self._freq: list[tuple[np.ndarray, np.ndarray]] = []
        self._freq_rows = 0
        self._id_present: dict[str, int] = {}
        self._id_samples: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}

    def add(self, keys: np.ndarray, sketch: np.ndarray, idhash: np.ndarray, ids: bytes,
            id_lengths: np.ndarray, freq: tuple[np.ndarray, np.ndarray],
            identifiers: dict[str, tuple[int, np.ndarray, np.ndarray]] | None = None) -> None:
        n = sketch.shape[0]
        if n == 0:
            return
        ords = np.broadcast_to(
            np.arange(self.records, self.records + n, dtype=np.uint32)[:, None], keys.shape)
        present = keys != 0
        keys[present].tofile(self._keys)
        ords[present].tofile(self._ords)
        sketch.tofile(self._sketch)
        idhash.tofile(self._idhash)
        self._ids.write(ids)
        self._id_lengths.append(id_lengths.astype(np.uint32))
        self._freq.append(freq)
        self._freq_rows += freq[0].size
        for name, (present, uniq, counts) in (identifiers or {}).items():
            self._id_present[name] = self._id_present.get(name, 0) + present
            self._id_samples.setdefault(name, []).append((uniq, counts))
        if self._freq_rows > 20_000_000:
            self._freq = [_merge_counts(self._freq)]
            self._freq_rows = self._freq[0][0].size
        self.records += n

    def seal(self, previous_idhashes: list[np.ndarray]) -> tuple[SegmentInfo, int]:
        """Deduplicate ids, sort keys, write the read-side files; returns (info, duplicates)."""
        for fh in (self._keys, self._ords, self._sketch, self._idhash, self._ids):
            fh.close()
        d = self.dir
        n = self.records
        idhash = np.fromfile(d / "idhash.spill", dtype=np.uint64)
        keep = _first_occurrences(idhash)
        for prev in previous_idhashes:
            if prev.size:
                pos = np.searchsorted(prev, idhash)
                pos[pos >= prev.size] = 0
                keep &= prev[pos] != idhash
        duplicates = int(n - keep.sum())
        lengths = np.concatenate(self._id_lengths) if self._id_lengths else np.empty(0, np.uint32)
        offsets = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(lengths, out=offsets[1:])
        keys = np.fromfile(d / "keys.spill", dtype=np.uint64)
        ords = _map(d / "ords.spill", np.uint32)  # read in slices: no second big array
        if duplicates:
            keys, ords, offsets, n = self._drop(keep, keys, np.asarray(ords), offsets)
            idhash = idhash[keep]
        bits = ord_bits_for(n)
        mask = np.uint64((1 << bits) - 1)
        keys &= ~mask
        step = 1 << 24
        for lo in range(0, keys.size, step):
            keys[lo:lo + step] |= ords[lo:lo + step].astype(np.uint64)
        del ords
        keys.sort()
        keys.tofile(d / "keys.bin")
        nkeys = int(keys.size)
        del keys
        idhash.sort()
        idhash.tofile(d / "idhash.bin")
        new_lengths = np.diff(offsets)
        id_width = int(new_lengths[0]) if n and (new_lengths == new_lengths[0]).all() else 0
        if not id_width:
            offsets.tofile(d / "ids.off")
        uniq, cnt = _merge_counts(self._freq) if self._freq else (np.empty(0, np.uint64),) * 2
        multi = cnt > 1
        table = np.empty(int(multi.sum()) * 2, dtype=np.uint64)
        table[0::2], table[1::2] = uniq[multi], cnt[multi]
        table.tofile(d / "freq.bin")
        for spill in ("keys.spill", "ords.spill", "idhash.spill"):
            (d / spill).unlink()
        return SegmentInfo(d.name, n, bits, nkeys, self.hashed_ids, id_width,
                           self._value_spaces()), duplicates

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

    def _drop(self, keep: np.ndarray, keys: np.ndarray, ords: np.ndarray,
              offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Remove duplicate records and renumber the rest (rare: only on overlapping files)."""
        d = self.dir
        remap = np.cumsum(keep) - 1
        entry_keep = keep[ords]
        keys, ords = keys[entry_keep], remap[ords[entry_keep]].astype(np.uint32)
        sketch = np.fromfile(d / "sketch.bin", dtype=SKETCH_DTYPE)[keep]
        sketch.tofile(d / "sketch.bin")
        blob = (d / "ids.bin").read_bytes()
        kept = np.nonzero(keep)[0]
        parts = [blob[offsets[i]:offsets[i + 1]] for i in kept]
        (d / "ids.bin").write_bytes(b"".join(parts))
        new_off = np.zeros(kept.size + 1, dtype=np.uint64)
        np.cumsum([len(p) for p in parts], out=new_off[1:])
        return keys, ords, new_off, int(kept.size)

    def abort(self) -> None:
        for fh in (self._keys, self._ords, self._sketch, self._idhash, self._ids):
            fh.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _first_occurrences(values: np.ndarray) -> np.ndarray:
    keep = np.zeros(values.size, dtype=bool)
    if values.size:
        _, first = np.unique(values, return_index=True)
        keep[first] = True
    return keep


def _merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.concatenate([p[0] for p in parts])
    counts = np.concatenate([p[1] for p in parts])
    if keys.size == 0:
        return keys.astype(np.uint64), counts.astype(np.uint64)
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(counts, starts).astype(np.uint64)


def load_idhashes(segment_dir: Path) -> np.ndarray:
    return np.fromfile(segment_dir / "idhash.bin", dtype=np.uint64)


assert SKETCH_DTYPE.fields is not None and SKETCH_DTYPE["h"].shape == (N_FEATURES,)
