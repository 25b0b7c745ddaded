"""benefits: the reason of a beneficiary's suspension, resumption or end

Revision ID: 5b0e2c7d9a41
Revises: 4517c9a44c9f
Create Date: 2026-11-23 01:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b0e2c7d9a41'
down_revision = '4517c9a44c9f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('benefit_beneficiaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_reason', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('benefit_beneficiaries', schema=None) as batch_op:
        batch_op.drop_column('status_reason')
