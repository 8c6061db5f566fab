"""Bucket offsets that keep batched key searches fast when keys.bin outgrows the caches.

A plain ``np.searchsorted`` over 33.7M records' keys (~2 GB) costs ~28 dependent cache
misses a query, about 18 µs of a dense dump's row. The keys are keyed hashes, spread evenly
over 64 bits, so a directory of where each value of the top B bits starts (2^B + 1
offsets, built once per segment and process with one sorted search) narrows every query to
a bucket of about a thousand keys; a vectorised binary search inside the bucket touches a
few cache lines. It answers exactly as ``np.searchsorted`` does (tests/test_scan_columns.py).
"""

from __future__ import annotations

import numpy as np

KEYS_PER_BUCKET = 1024  # ~2^17 buckets at 33.7M records: built in a fraction of a second
MIN_KEYS = 1 << 22  # below this the keys stay in cache: np.searchsorted is as fast
MIN_QUERIES = 4096  # a scan of a few lines never pays for building the directory


class KeyDirectory:
    """Where each value of the top bits starts in one sorted uint64 array."""

    def __init__(self, keys: np.ndarray, low_bits: int) -> None:
        self.keys = keys
        n = int(keys.size)
        # top bits only, never into the ordinal bits at the bottom of each key
        self.bits = max(1, min(28, 64 - low_bits, int(np.log2(max(n // KEYS_PER_BUCKET, 2)))))
        self.shift = np.uint64(64 - self.bits)
        starts = np.arange(1 << self.bits, dtype=np.uint64) << self.shift
        self.offsets = np.append(np.searchsorted(keys, starts, side="left"), n).astype(np.int64)

    def searchsorted(self, q: np.ndarray, side: str) -> np.ndarray:
        """``np.searchsorted(keys, q, side)``, computed inside each query's bucket. Queries
        leave the loop as they finish (a bucket may hold a frequent key's thousands)."""
        right = side == "right"
        keys = self.keys
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
