"""Post attachments: titles and sizes of files attached to posts (Telegram documents).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # autogenerate renders sqlmodel.sql.sqltypes.AutoString / UTCDateTime
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('postattachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'url', 'title')
    )
    with op.batch_alter_table('postattachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postattachment_source'), ['source'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('postattachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postattachment_source'))

    op.drop_table('postattachment')
