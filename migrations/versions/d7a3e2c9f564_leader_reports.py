"""dashboard: periodic reports for leaders

Revision ID: d7a3e2c9f564
Revises: c6f2d1b8e453
Create Date: 2026-12-07 20:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7a3e2c9f564'
down_revision = 'c6f2d1b8e453'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leader_reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_reports')),
    sa.UniqueConstraint('kind', 'period_from', name=op.f('uq_leader_reports_kind'))
    )
    with op.batch_alter_table('leader_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_reports_generated_at'), ['generated_at'], unique=False)

    op.create_table('leader_report_deliveries',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['leader_reports.id'], name=op.f('fk_leader_report_deliveries_report_id_leader_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_leader_report_deliveries_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'staff_id', name=op.f('pk_leader_report_deliveries'))
    )
    with op.batch_alter_table('leader_report_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_report_deliveries_staff_id'), ['staff_id'], unique=False)


def downgrade():
    with op.batch_alter_table('leader_report_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_report_deliveries_staff_id'))

    op.drop_table('leader_report_deliveries')
    with op.batch_alter_table('leader_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_reports_generated_at'))

    op.drop_table('leader_reports')
