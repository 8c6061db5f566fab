"""Extensions: crawl-run bookkeeping."""
