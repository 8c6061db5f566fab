"""The Scrapy side: profile-driven spiders, politeness and fault middlewares, the
pipeline that hands every document to the matcher and persists the result."""
