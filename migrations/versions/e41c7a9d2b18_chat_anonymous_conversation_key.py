"""chat: the key that opens an anonymous conversation

Revision ID: e41c7a9d2b18
Revises: 7d3f1a2b9c60
Create Date: 2026-12-07 12:30:00.000000

Anonymous conversations begun before this revision have no key: nobody can continue or read them
anonymously any more (their id alone is not a secret). Agents still see them in the console.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e41c7a9d2b18'
down_revision = '7d3f1a2b9c60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chat_conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_key_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('chat_conversations', schema=None) as batch_op:
        batch_op.drop_column('access_key_hash')
