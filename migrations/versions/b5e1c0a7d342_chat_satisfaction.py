"""chat: the citizen's satisfaction with a chat

Revision ID: b5e1c0a7d342
Revises: a7c4e2f19d35
Create Date: 2026-12-07 20:30:00.000000

Three nullable columns on chat_handoffs and an index on their closing time (the per-agent
figures read a period's closed handoffs); chat_messages.kind marks the satisfaction question and
its thank-you. Nothing existing changes.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5e1c0a7d342'
down_revision = 'a7c4e2f19d35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chat_handoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('rating_comment', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_chat_handoffs_closed_at', ['closed_at'], unique=False)
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('chat_handoffs', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_handoffs_closed_at')
        batch_op.drop_column('rated_at')
        batch_op.drop_column('rating_comment')
        batch_op.drop_column('rating')
