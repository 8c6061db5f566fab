"""The exception tree every dumpwatch component raises.

    DumpwatchError                 base: the CLI prints its message, exits 2, no traceback
    ├── ConfigError                bad option, profile or home directory
    ├── KeyMismatchError           an index was built with another hashing key
    ├── CorpusError                a corpus file cannot be read at all
    │   └── CorpusFormatError      it is readable but not a corpus (no columns, binary, ...)
    ├── IndexError_                an index is missing or damaged
    ├── DatabaseError              the database cannot be opened or its schema is not usable
    ├── ArchiveError               an archive member, workbook or image cannot be read
    │   └── ArchiveLimitError      a file crossed an expansion limit (decompression bomb)
    └── TakedownError              a takedown case cannot proceed (the case is left intact)
        ├── ContactLookupError     RDAP unreachable or without an abuse contact
        ├── NoticeError            a notice template is malformed or renders invalid XARF
        └── DeliveryError          the SMTP server or webhook did not accept the notice

Per-row problems (a malformed line in a corpus) are *not* exceptions: they are
collected with their line numbers and reported while the rest is ingested.
"""


class DumpwatchError(Exception):
    """Base of all errors meant for a person to read."""


class ConfigError(DumpwatchError):
    """Raised by option and configuration parsing; caught by the CLI."""


class KeyMismatchError(DumpwatchError):
    """Raised when an index's key fingerprint differs from the key in use."""


class CorpusError(DumpwatchError):
    """Raised by corpus reading when the file cannot be opened or decoded."""


class CorpusFormatError(CorpusError):
    """Raised when a file opens but holds no usable corpus records."""


class IndexError_(DumpwatchError):
    """Raised when a corpus index is missing or damaged."""


class DatabaseError(DumpwatchError):
    """Raised when the database is unreachable or its schema cannot be brought up to date."""


class ArchiveError(DumpwatchError):
    """Raised while expanding an archive, workbook or image: that member is skipped."""


class ArchiveLimitError(ArchiveError):
    """Raised when a file crosses an expansion limit (a bomb): the file is refused."""


class TakedownError(DumpwatchError):
    """Raised by takedown cases; the case and its history are never left half-changed."""


class ContactLookupError(TakedownError):
    """Raised when RDAP cannot be reached or names no abuse contact."""


class NoticeError(TakedownError):
    """Raised when a notice template is malformed or renders an invalid notice."""


class DeliveryError(TakedownError):
    """Raised when the SMTP server or webhook does not accept a notice."""
