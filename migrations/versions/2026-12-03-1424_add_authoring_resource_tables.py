"""add authoring resource tables

The rows of an app's current draft: auth connections, integrations, their
operations, tools and widgets, each keyed by app and unique by (app_id, key).
References the database can guard are foreign keys with ON DELETE RESTRICT, a
backstop behind the service's resource_in_use answer; operations go with their
integration. tools and widgets point at each other, so the key from tools to
widgets is added once both tables exist.

Revision ID: c3a1e50e0003
Revises: b0a7c0de0004
Create Date: 2026-12-03 14:22:25.614813+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3a1e50e0003"
down_revision: str | None = "b0a7c0de0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_connections",
        sa.Column("app_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("provider_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "secrets_encrypted", postgresql.JSONB(astext_type=sa.Text()), nullable=False
        ),
        sa.Column("secrets_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_validated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_auth_connections_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_connections")),
        sa.UniqueConstraint(
            "app_id", "key", name=op.f("uq_auth_connections_app_id_key")
        ),
    )
    op.create_index(
        op.f("ix_auth_connections_app_id_created_at_id"),
        "auth_connections",
        ["app_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "integrations",
        sa.Column("app_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("provider_key", sa.String(), nullable=False),
        sa.Column("base_url", sa.String(), nullable=False),
        sa.Column("auth_connection_id", sa.String(), nullable=True),
        sa.Column(
            "default_headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False
        ),
        sa.Column("timeout_ms", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_integrations_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["auth_connection_id"],
            ["auth_connections.id"],
            name=op.f("fk_integrations_auth_connection_id_auth_connections"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrations")),
        sa.UniqueConstraint("app_id", "key", name=op.f("uq_integrations_app_id_key")),
    )
    op.create_index(
        op.f("ix_integrations_app_id_created_at_id"),
        "integrations",
        ["app_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_integrations_auth_connection_id"),
        "integrations",
        ["auth_connection_id"],
        unique=False,
    )
    op.create_table(
        "operations",
        sa.Column("app_id", sa.String(), nullable=False),
        sa.Column("integration_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column(
            "input_schema", postgresql.JSONB(astext_type=sa.Text()), nullable=False
        ),
        sa.Column(
            "output_schema", postgresql.JSONB(astext_type=sa.Text()), nullable=False
        ),
        sa.Column("schema_hash", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_operations_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_operations_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
        sa.UniqueConstraint("app_id", "key", name=op.f("uq_operations_app_id_key")),
    )
    op.create_index(
        op.f("ix_operations_app_id_created_at_id"),
        "operations",
        ["app_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_operations_integration_id_created_at_id"),
        "operations",
        ["integration_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "tools",
        sa.Column("app_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column(
            "annotations", postgresql.JSONB(astext_type=sa.Text()), nullable=False
        ),
        sa.Column("widget_id", sa.String(), nullable=True),
        sa.Column("operation_id", sa.String(), nullable=True),
        sa.Column("schema_hash_at_bind_time", sa.String(), nullable=True),
        sa.Column("next_tool_ids", postgresql.ARRAY(sa.String()), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_tools_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_tools_operation_id_operations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tools")),
        sa.UniqueConstraint("app_id", "key", name=op.f("uq_tools_app_id_key")),
    )
    op.create_index(
        op.f("ix_tools_app_id_created_at_id"),
        "tools",
        ["app_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_tools_app_id_name_id"), "tools", ["app_id", "name", "id"], unique=False
    )
    op.create_index(
        op.f("ix_tools_app_id_order_created_at_id"),
        "tools",
        ["app_id", "order", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_tools_operation_id"), "tools", ["operation_id"], unique=False
    )
    op.create_index(op.f("ix_tools_widget_id"), "tools", ["widget_id"], unique=False)
    op.create_table(
        "widgets",
        sa.Column("app_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("tool_id", sa.String(), nullable=True),
        sa.Column("display_mode", sa.String(), nullable=False),
        sa.Column("visibility", sa.String(), nullable=False),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_widgets_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tool_id"],
            ["tools.id"],
            name=op.f("fk_widgets_tool_id_tools"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widgets")),
        sa.UniqueConstraint("app_id", "key", name=op.f("uq_widgets_app_id_key")),
    )
    op.create_index(
        op.f("ix_widgets_app_id_created_at_id"),
        "widgets",
        ["app_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_widgets_tool_id"), "widgets", ["tool_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_tools_widget_id_widgets"),
        "tools",
        "widgets",
        ["widget_id"],
        ["id"],
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_tools_widget_id_widgets"), "tools", type_="foreignkey")
    op.drop_index(op.f("ix_widgets_tool_id"), table_name="widgets")
    op.drop_index(op.f("ix_widgets_app_id_created_at_id"), table_name="widgets")
    op.drop_table("widgets")
    op.drop_index(op.f("ix_tools_widget_id"), table_name="tools")
    op.drop_index(op.f("ix_tools_operation_id"), table_name="tools")
    op.drop_index(op.f("ix_tools_app_id_order_created_at_id"), table_name="tools")
    op.drop_index(op.f("ix_tools_app_id_name_id"), table_name="tools")
    op.drop_index(op.f("ix_tools_app_id_created_at_id"), table_name="tools")
    op.drop_table("tools")
    op.drop_index(
        op.f("ix_operations_integration_id_created_at_id"), table_name="operations"
    )
    op.drop_index(op.f("ix_operations_app_id_created_at_id"), table_name="operations")
    op.drop_table("operations")
    op.drop_index(op.f("ix_integrations_auth_connection_id"), table_name="integrations")
    op.drop_index(
        op.f("ix_integrations_app_id_created_at_id"), table_name="integrations"
    )
    op.drop_table("integrations")
    op.drop_index(
        op.f("ix_auth_connections_app_id_created_at_id"), table_name="auth_connections"
    )
    op.drop_table("auth_connections")
