"""The cipher for page text kept under a source's ``retention_days``.

Its key is derived from the dumpwatch key, which the database never holds, so a copied
database alone does not reveal retained pages. Lives in storage so both the crawler (which
writes retained text) and evidence bundles (which read it) depend downwards on it.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet

from matcher.keys import SecretKey


def retention_cipher(key: SecretKey) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(key.subkey("retained-text")))
