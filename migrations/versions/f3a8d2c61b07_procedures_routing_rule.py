"""procedures: the routing rule that picks the receiving ward of a procedure's dossiers

Revision ID: f3a8d2c61b07
Revises: e41c7a9d2b18
Create Date: 2026-12-07 13:00:00.000000

Rows already there get an empty rule until `flask catalogue seed` (run by `make run`) writes each
procedure's rule from api/dossiers/catalogue/data.py; until then applying for them fails loudly
rather than guess a ward.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a8d2c61b07'
down_revision = 'e41c7a9d2b18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routing', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('routing')
