"""Batched key lookups that stay fast when the index outgrows the CPU caches.

``Segment.lookup`` binary-searches the sorted key array for every query: at 33.7M
records that is ~290M keys (2.2 GB) and ~28 dependent cache misses a search, about
18 µs of a dense dump's row. The keys are keyed hashes, spread evenly over 64 bits, so
a directory of where each value of the top B bits starts (2^B + 1 offsets, built
once per process with one sorted search) narrows every query to a bucket of a few
hundred keys; a vectorised binary search inside the bucket touches a few cache lines.
Same answers as ``Segment.lookup`` (tests/test_scan_columns.py checks it).
"""

from __future__ import annotations

import weakref

import numpy as np

from matcher.index import Segment

KEYS_PER_BUCKET = 1024  # 2^18 buckets at 33.7M: built in a fraction of a second
MIN_KEYS = 1 << 22  # smaller indexes stay in cache: Segment.lookup is as fast there


class KeyDirectory:
    """Bucket offsets over one segment's sorted keys."""

    def __init__(self, segment: Segment) -> None:
        self.seg = segment
        keys = segment.keys
        n = int(keys.size)
        # top bits, never into the ordinal bits at the bottom of each key
        self.bits = max(1, min(28, 64 - segment.ord_bits,
                               int(np.log2(max(n // KEYS_PER_BUCKET, 2)))))
        self.shift = np.uint64(64 - self.bits)
        starts = np.arange(1 << self.bits, dtype=np.uint64) << self.shift
        self.offsets = np.append(np.searchsorted(keys, starts, side="left"), n).astype(np.int64)
        self.ord_mask = np.uint64((1 << segment.ord_bits) - 1)
        self.span = int(np.diff(self.offsets).max()) if n else 0

    def _bound(self, q: np.ndarray, right: bool) -> np.ndarray:
        """np.searchsorted(keys, q, side) computed inside each query's bucket; queries
        leave the loop as they finish (a few buckets hold one frequent key's thousands)."""
        keys = self.seg.keys
        b = (q >> self.shift).astype(np.int64)
        lo = self.offsets[b]
        hi = self.offsets[b + 1]
        out = lo.copy()
        idx = np.flatnonzero(lo < hi)
        lo, hi, qa = lo[idx], hi[idx], q[idx]
        while idx.size:
            mid = (lo + hi) >> 1
            v = keys[mid]
            go = (v <= qa) if right else (v < qa)
            lo = np.where(go, mid + 1, lo)
            hi = np.where(go, hi, mid)
            done = lo >= hi
            if done.any():
                out[idx[done]] = lo[done]
                keep = ~done
                idx, lo, hi, qa = idx[keep], lo[keep], hi[keep], qa[keep]
        return out

    def lookup(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``queries``, record ordinal), as Segment.lookup returns them."""
        keys = self.seg.keys
        if keys.size == 0 or queries.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        hi = queries & ~self.ord_mask
        order = np.argsort(hi)
        left = np.empty(hi.size, dtype=np.int64)
        right = np.empty(hi.size, dtype=np.int64)
        left[order] = self._bound(hi[order], right=False)
        right[order] = self._bound(hi[order] | self.ord_mask, right=True)
        counts = right - left
        hit = np.nonzero(counts)[0]
        if hit.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        counts = counts[hit]
        qidx = np.repeat(hit, counts)
        starts = np.repeat(left[hit] - np.cumsum(counts) + counts, counts)
        pos = starts + np.arange(qidx.size)
        return qidx, (keys[pos] & self.ord_mask).astype(np.int64)


_directories: weakref.WeakKeyDictionary[Segment, KeyDirectory | bool] = (
    weakref.WeakKeyDictionary())


def lookup(segment: Segment, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment.lookup, through a directory for segments too large for the caches (built
    on the first large batch only: a scan of a few lines never pays for it)."""
    keys = getattr(segment, "keys", None)
    if keys is None or keys.size < MIN_KEYS or queries.size < 4096:
        return segment.lookup(queries)
    d = _directories.get(segment)
    if d is None:
        d = _directories[segment] = _checked(segment)
    return segment.lookup(queries) if d is False else d.lookup(queries)


def _checked(segment: Segment) -> KeyDirectory | bool:
    """A directory that answers as Segment.lookup on a sample of stored keys, or False
    (the index's key layout is not the one this module reads: use Segment.lookup)."""
    try:
        d = KeyDirectory(segment)
        keys = segment.keys
        sample = keys[np.linspace(0, keys.size - 1, 256).astype(np.int64)]
        sample = np.concatenate([sample, sample ^ np.uint64(0x5A5A5A5A5A5A5A5A)])
        got, want = d.lookup(sample), segment.lookup(sample)
    except (AttributeError, TypeError, ValueError, IndexError):
        return False
    same = all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))
    return d if same else False
