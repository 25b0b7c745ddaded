"""auth: the development VNeID's tables leave the migrations

Revision ID: 9e4b1d7c2f60
Revises: d7a3e2c9f564
Create Date: 2027-01-12 10:00:00.000000

The development identity provider (api/auth/dev_idp) keeps its codes and tokens in two tables
that the initial schema created in every database, production included. They are the
provider's, not the product's: this revision drops them where they exist, the migrations ignore
them from now on (`api.auth.dev_idp.owns_table`), and the provider creates them itself where it
is mounted (`api.auth.dev_idp.ensure_tables`). Their rows are five-minute codes and ten-minute
tokens of development sign-ins: nothing is lost. The downgrade puts them back as they were, so
that the initial schema's own downgrade finds them.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e4b1d7c2f60'
down_revision = 'd7a3e2c9f564'
branch_labels = None
depends_on = None

TABLES = ('dev_idp_access_tokens', 'dev_idp_authorization_codes')


def _existing():
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade():
    existing = _existing()
    for table in TABLES:
        if table in existing:
            op.drop_table(table)  # its indexes go with it


def downgrade():
    existing = _existing()
    if 'dev_idp_access_tokens' not in existing:
        op.create_table('dev_idp_access_tokens',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('claims', sa.JSON(), nullable=False),
        sa.Column('code_id', sa.Uuid(), nullable=True),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dev_idp_access_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_dev_idp_access_tokens_token_hash'))
        )
        with op.batch_alter_table('dev_idp_access_tokens', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_dev_idp_access_tokens_code_id'), ['code_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_dev_idp_access_tokens_expires_at'), ['expires_at'], unique=False)

    if 'dev_idp_authorization_codes' not in existing:
        op.create_table('dev_idp_authorization_codes',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('redirect_uri', sa.String(length=500), nullable=True),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('nonce', sa.String(length=200), nullable=True),
        sa.Column('code_challenge', sa.String(length=128), nullable=False),
        sa.Column('code_challenge_method', sa.String(length=10), nullable=False),
        sa.Column('claims', sa.JSON(), nullable=False),
        sa.Column('auth_time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dev_idp_authorization_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_dev_idp_authorization_codes_code_hash'))
        )
        with op.batch_alter_table('dev_idp_authorization_codes', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_dev_idp_authorization_codes_expires_at'), ['expires_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_dev_idp_authorization_codes_nonce'), ['nonce'], unique=False)
