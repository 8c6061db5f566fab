"""Alembic environment: runs on the connection dumpwatch hands over (never reads alembic.ini).

SQLite gets batch mode, so ALTER-style operations are rewritten as copy-and-rename.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import dumpwatch.storage  # noqa: F401 - imports every table module

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
