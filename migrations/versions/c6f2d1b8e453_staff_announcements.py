"""content: internal announcements to staff

Revision ID: c6f2d1b8e453
Revises: b5e1c0a7d342
Create Date: 2026-12-07 20:30:00.000000

Two new tables: the announcements, and their recipients with the time each opened it.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c6f2d1b8e453'
down_revision = 'b5e1c0a7d342'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_announcements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('audience_roles', sa.JSON(), nullable=True),
    sa.Column('audience_ward_code', sa.String(length=5), nullable=True),
    sa.Column('importance', sa.String(length=10), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_announcements'))
    )
    with op.batch_alter_table('content_announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_announcements_published_at'), ['published_at'], unique=False)

    op.create_table('content_announcement_recipients',
    sa.Column('announcement_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['content_announcements.id'], name=op.f('fk_content_announcement_recipients_announcement_id_content_announcements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('announcement_id', 'staff_id', name=op.f('pk_content_announcement_recipients'))
    )
    with op.batch_alter_table('content_announcement_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_content_announcement_recipients_staff', ['staff_id', 'read_at'], unique=False)


def downgrade():
    with op.batch_alter_table('content_announcement_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_content_announcement_recipients_staff')

    op.drop_table('content_announcement_recipients')
    with op.batch_alter_table('content_announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_announcements_published_at'))

    op.drop_table('content_announcements')
