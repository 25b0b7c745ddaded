"""auth: one-time codes that end a VNeID sign-in in the app (RFC 8252 + PKCE)

Revision ID: a7c4e2f19d35
Revises: f3a8d2c61b07
Create Date: 2026-12-07 16:30:00.000000

A new table only; nothing existing changes.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c4e2f19d35'
down_revision = 'f3a8d2c61b07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('app_sign_in_codes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('redirect_uri', sa.String(length=2000), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_app_sign_in_codes_citizen_id_citizens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_sign_in_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_app_sign_in_codes_code_hash'))
    )
    with op.batch_alter_table('app_sign_in_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_sign_in_codes_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_app_sign_in_codes_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('app_sign_in_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_sign_in_codes_expires_at'))
        batch_op.drop_index(batch_op.f('ix_app_sign_in_codes_citizen_id'))

    op.drop_table('app_sign_in_codes')
