"""The secret key and the keyed hashes made with it.

Everything dumpwatch persists about a corpus is a keyed BLAKE2b digest, so the key is
what separates pseudonymised data from a phone book: whoever holds it can enumerate
every 010 number in under a minute. It therefore never lives inside the index — it
comes from ``DUMPWATCH_KEY``, from ``DUMPWATCH_KEY_FILE``, or from a 0600 file under
the user's config directory, created on first use.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dumpwatch.errors import ConfigError, KeyMismatchError

KEY_BYTES = 32
_PASSPHRASE_SALT = b"dumpwatch/key/v1"


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dumpwatch" / "key"


def _parse_key_text(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) == KEY_BYTES:
        return raw
    if len(text) < 16:
        raise ConfigError("DUMPWATCH_KEY is too short: use 64 hex characters or a passphrase "
                          "of at least 16 characters")
    # A passphrase: stretch it so a short human secret is not the whole defence.
    return hashlib.scrypt(text.encode(), salt=_PASSPHRASE_SALT, n=2**14, r=8, p=1,
                          dklen=KEY_BYTES)


def _read_key_file(path: Path, create: bool) -> bytes:
    if not path.exists():
        if not create:
            raise ConfigError(f"key file {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(KEY_BYTES) + "\n")
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"key file {path} is readable by others (mode {oct(mode & 0o777)}); "
                          f"run: chmod 600 {path}")
    return _parse_key_text(path.read_text())


def load_key(key_file: Path | None = None, *, create: bool = True) -> SecretKey:
    """Find the key: ``DUMPWATCH_KEY``, then a key file (created 0600 on first use)."""
    env = os.environ.get("DUMPWATCH_KEY")
    if env:
        return SecretKey(_parse_key_text(env), source="DUMPWATCH_KEY")
    if key_file is None:
        env_file = os.environ.get("DUMPWATCH_KEY_FILE")
        key_file = Path(env_file) if env_file else default_key_file()
    return SecretKey(_read_key_file(key_file, create), source=str(key_file))


@dataclass(frozen=True)
class SecretKey:
    raw: bytes = field(repr=False)
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.raw) != KEY_BYTES:
            raise ConfigError(f"a key must be {KEY_BYTES} bytes")

    def subkey(self, purpose: str) -> bytes:
        """A key for one purpose, so hashes of one kind never equal hashes of another."""
        return hashlib.blake2b(purpose.encode(), key=self.raw, digest_size=KEY_BYTES).digest()

    @property
    def fingerprint(self) -> str:
        """Public identifier of the key, stored in indexes to refuse a wrong key early."""
        return self.subkey("fingerprint").hex()[:16]

    def check(self, fingerprint: str, what: str) -> None:
        if fingerprint != self.fingerprint:
            raise KeyMismatchError(
                f"{what} was built with another key (fingerprint {fingerprint}, "
                f"yours is {self.fingerprint} from {self.source}); set DUMPWATCH_KEY or "
                "DUMPWATCH_KEY_FILE to the key it was built with")


# ---------------------------------------------------------------- derived digests
# Some features are derived from other features' keyed digests instead of being hashed
# again: the phone (E.164) from its prefix and its two 4-digit blocks, the address with
# its detail from the road digest and the detail's. A keyed BLAKE2b is a pseudorandom
# function: without the key its outputs are indistinguishable from random 64-bit values,
# and whoever could compute a public function g of them for a value of their choosing
# could tell the keyed hash from a random one. So g(k(x1), k(x2)) is as unguessable as
# k(x1, x2): testing a guessed phone number against the index still needs the keyed
# digest of each of its blocks, i.e. the key. What the derivation must keep is
# uniqueness: g mixes every input through an invertible 64-bit permutation (splitmix64's
# finaliser), so distinct inputs collide only by 64-bit chance, and each derived feature
# starts from its own tag, so a derived digest never equals another feature's. The key
# fingerprint check is unchanged: an index built under another key is refused.

_MASK64 = (1 << 64) - 1
_G1, _G2, _G3 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
TAG_PHONE = 0x5048_4F4E_45_000001  # "PHONE"
TAG_ADDRESS_DETAIL = 0x4144_4452_45_000002  # "ADDRE"


def _splitmix(x: int) -> int:
    x ^= x >> 30
    x = (x * _G2) & _MASK64
    x ^= x >> 27
    x = (x * _G3) & _MASK64
    return x ^ (x >> 31)


def derive(tag: int, *digests: int) -> int:
    """A 64-bit digest derived from keyed digests (see above); never 0 (0 = absent)."""
    acc = (tag * _G1) & _MASK64
    for d in digests:
        acc = _splitmix(acc ^ d)
    return acc or 1


def derive_array(tag: int, *digests: np.ndarray) -> np.ndarray:
    """derive() over columns of digests, bit for bit."""
    with np.errstate(over="ignore"):
        acc = np.full(digests[0].shape, np.uint64((tag * _G1) & _MASK64), dtype=np.uint64)
        for d in digests:
            x = acc ^ d.astype(np.uint64)
            x ^= x >> np.uint64(30)
            x *= np.uint64(_G2)
            x ^= x >> np.uint64(27)
            x *= np.uint64(_G3)
            acc = x ^ (x >> np.uint64(31))
    acc[acc == 0] = 1
    return acc


class FeatureHasher:
    """Keyed 64-bit digests of normalised feature strings.

    Low-cardinality features (surnames, syllables, domains, districts) repeat
    millions of times in a corpus, so digests are memoised per process; the cache
    holds digests only, never plaintext beyond the life of the process.
    """

    def __init__(self, key: SecretKey, cache_limit: int = 1_000_000) -> None:
        self._proto = hashlib.blake2b(key=key.subkey("feature"), digest_size=8)
        self._cache: dict[str, int] = {}
        self._cache_limit = cache_limit
        self.memo: dict[object, tuple[int, ...]] = {}  # composite features, e.g. per name

    def remember(self, key: object, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(self.memo) < self._cache_limit:
            self.memo[key] = value
        return value

    def __call__(self, value: str) -> int:
        h = self._cache.get(value)
        if h is None:
            b = self._proto.copy()
            b.update(value.encode())
            h = int.from_bytes(b.digest(), "little")
            if len(self._cache) < self._cache_limit:
                self._cache[value] = h
        return h

    def digests(self, values: Iterable[bytes]) -> np.ndarray:
        """uncached() for a column of encoded values at once, as a uint64 array."""
        copy = self._proto.copy

        def one(v: bytes) -> bytes:
            b = copy()
            b.update(v)
            return b.digest()

        return np.frombuffer(b"".join(map(one, values)), dtype="<u8").astype(np.uint64)

    def uncached(self, value: str) -> int:
        """For high-entropy values (phones, emails) that would only pollute the cache."""
        b = self._proto.copy()
        b.update(value.encode())
        return int.from_bytes(b.digest(), "little")
