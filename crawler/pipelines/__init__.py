"""Item pipelines: every collected document is matched as it arrives and persisted."""
