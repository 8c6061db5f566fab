"""Two generic spiders, driven by source profiles: paste sites and forums."""
