"""dumpwatch: find where a known breach corpus is being redistributed.

The package holds the application shell (CLI, home directory, synthetic data);
the matching engine lives in :mod:`matcher`, the Scrapy side in :mod:`crawler`.
"""

__version__ = "0.1.0"
