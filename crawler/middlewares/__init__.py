"""Downloader middlewares, one job each: proxy routing, Retry-After and backoff,
challenge detection, content checks."""
