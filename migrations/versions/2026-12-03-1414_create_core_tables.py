"""create core tables

Apps, their drafts and releases, the users seen in tokens, and stored
Idempotency-Key outcomes. apps, drafts and releases point at each other, so
the foreign keys that close the cycle are added after all three tables exist.

Revision ID: a07765297123
Revises:
Create Date: 2026-12-03 14:14:30.620147+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a07765297123"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apps",
        sa.Column("tenant_id", sa.String(), nullable=False),
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("public_mcp_id", sa.String(), nullable=False),
        sa.Column("starter_template_id", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("company_url", sa.String(), nullable=True),
        sa.Column("server_instructions", sa.String(), nullable=True),
        sa.Column("branding", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("current_draft_id", sa.String(), nullable=True),
        sa.Column("latest_release_id", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apps")),
        sa.UniqueConstraint("public_mcp_id", name=op.f("uq_apps_public_mcp_id")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_apps_tenant_id_slug")),
    )
    op.create_index(
        op.f("ix_apps_tenant_id_created_at_id"),
        "apps",
        ["tenant_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_apps_tenant_id_name_id"),
        "apps",
        ["tenant_id", "name", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_apps_tenant_id_updated_at_id"),
        "apps",
        ["tenant_id", "updated_at", "id"],
        unique=False,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_created_at"),
        "idempotency_keys",
        ["created_at"],
        unique=False,
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("image", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "drafts",
        sa.Column("app_id", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("source_release_id", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("source_content_hash", sa.String(), nullable=True),
        sa.Column("has_changes", sa.Boolean(), nullable=False),
        sa.Column("last_edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_edited_by_id", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_drafts_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_edited_by_id"],
            ["users.id"],
            name=op.f("fk_drafts_last_edited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
    )
    op.create_index(op.f("ix_drafts_app_id"), "drafts", ["app_id"], unique=False)
    op.create_table(
        "releases",
        sa.Column("app_id", sa.String(), nullable=False),
        sa.Column("draft_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("source_release_id", sa.String(), nullable=True),
        sa.Column("has_changes", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "sealed_secrets", postgresql.JSONB(astext_type=sa.Text()), nullable=False
        ),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_releases_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_releases_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_releases_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_release_id"],
            ["releases.id"],
            name=op.f("fk_releases_source_release_id_releases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint(
            "app_id", "version", name=op.f("uq_releases_app_id_version")
        ),
    )
    op.create_index(
        op.f("ix_releases_app_id_created_at_id"),
        "releases",
        ["app_id", "created_at", "id"],
        unique=False,
    )

    op.create_foreign_key(
        op.f("fk_apps_current_draft_id_drafts"),
        "apps",
        "drafts",
        ["current_draft_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_apps_latest_release_id_releases"),
        "apps",
        "releases",
        ["latest_release_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_drafts_source_release_id_releases"),
        "drafts",
        "releases",
        ["source_release_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_apps_current_draft_id_drafts"), "apps", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("fk_apps_latest_release_id_releases"), "apps", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("fk_drafts_source_release_id_releases"), "drafts", type_="foreignkey"
    )
    op.drop_index(op.f("ix_releases_app_id_created_at_id"), table_name="releases")
    op.drop_table("releases")
    op.drop_index(op.f("ix_drafts_app_id"), table_name="drafts")
    op.drop_table("drafts")
    op.drop_table("users")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_apps_tenant_id_updated_at_id"), table_name="apps")
    op.drop_index(op.f("ix_apps_tenant_id_name_id"), table_name="apps")
    op.drop_index(op.f("ix_apps_tenant_id_created_at_id"), table_name="apps")
    op.drop_table("apps")
