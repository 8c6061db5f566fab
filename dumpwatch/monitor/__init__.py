"""The day-to-day monitor: scheduled crawls, alerts, status."""
