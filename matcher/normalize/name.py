"""Personal names: Hangul syllables by position, so typos and masks compare per syllable.

김민준 and 김민중 differ in one jamo and therefore in one syllable; 김*준 hides one
syllable. Keeping the syllables by position lets both be compared on what they share
without ever storing the name itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matcher.normalize.text import MASK_CHARS, is_hangul_syllable, nfkc

_HONORIFICS = ("고객님", "회원님", "님", "씨", "고객", "회원")
_LATIN_NAME = re.compile(r"^[a-z][a-z'\-]*(?: [a-z][a-z'\-]*){0,3}$")
_NAME_MASKS = frozenset(MASK_CHARS) | {"O", "0"}


@dataclass(frozen=True, slots=True)
class Name:
    """``parts`` are syllables (Hangul) or tokens (Latin); None marks a masked part."""

    parts: tuple[str | None, ...]

    @property
    def masked(self) -> bool:
        return any(p is None for p in self.parts)

    @property
    def full(self) -> str | None:
        return None if self.masked else "".join(self.parts)  # type: ignore[arg-type]

    @property
    def surname(self) -> str | None:
        return self.parts[0]

    @property
    def last(self) -> str | None:
        return self.parts[-1] if len(self.parts) > 1 else None


@lru_cache(maxsize=262_144)
def parse_name(value: str) -> Name | None:
    text = nfkc(value).strip()
    for suffix in _HONORIFICS:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            text = text[: -len(suffix)].rstrip()
            break
    compact = text.replace(" ", "")
    if (2 <= len(compact) <= 5 and is_hangul_syllable(compact[0])) or (
        compact and compact[0] in _NAME_MASKS and any(is_hangul_syllable(c) for c in compact)
    ):
        parts: list[str | None] = []
        for ch in compact:
            if is_hangul_syllable(ch):
                parts.append(ch)
            elif ch in _NAME_MASKS:
                parts.append(None)
            else:
                return None
        if not 2 <= len(parts) <= 5 or all(p is None for p in parts):
            return None
        if sum(p is not None for p in parts) < 1:
            return None
        return Name(tuple(parts))
    latin = text.lower()
    if _LATIN_NAME.match(latin) and len(latin) >= 4 and " " in latin:
        # Romanised names come in either order (Minjun Kim / KIM Minjun): sorted tokens
        # make both one name.
        return Name(tuple(sorted(latin.split(" "))))
    return None
