"""Open311 both ways: the key and idempotency key behind a request, its address id and
media link, per-key limits, uploads waiting for Telegram, and reports sent to agencies'
own systems with how far their updates were read.

Revision ID: 0008
Revises: 0011 (merged after it; revision ids are labels)
Create Date: 2026-12-07 15:12:52.989455
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_polls",
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("polled_until", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agency", name=op.f("pk_agency_polls")),
    )
    op.create_table(
        "agency_updates_seen",
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("update_id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agency", "update_id", name=op.f("pk_agency_updates_seen")),
    )
    op.create_table(
        "agency_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("token", sa.String(length=128), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("send_key", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_agency_requests_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_requests")),
        sa.UniqueConstraint("send_key", name=op.f("uq_agency_requests_send_key")),
    )
    with op.batch_alter_table("agency_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agency_requests_agency_external_id", ["agency", "external_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agency_requests_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "report_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_report_uploads_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_uploads")),
        sa.UniqueConstraint("attachment_id", name=op.f("uq_report_uploads_attachment_id")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("per_minute", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("per_day", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("used_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("client_key", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("address_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("media_url", sa.String(length=1024), nullable=True))
        batch_op.create_index(
            "ix_reports_client_id_created_at", ["client_id", "created_at"], unique=False
        )
        batch_op.create_unique_constraint(
            "uq_reports_client_id_client_key", ["client_id", "client_key"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_client_id_api_tokens"),
            "api_tokens",
            ["client_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_client_id_api_tokens"), type_="foreignkey")
        batch_op.drop_constraint("uq_reports_client_id_client_key", type_="unique")
        batch_op.drop_index("ix_reports_client_id_created_at")
        batch_op.drop_column("media_url")
        batch_op.drop_column("address_id")
        batch_op.drop_column("client_key")
        batch_op.drop_column("client_id")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("used_at")
        batch_op.drop_column("per_day")
        batch_op.drop_column("per_minute")

    op.drop_table("report_uploads")
    with op.batch_alter_table("agency_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_requests_report_id"))
        batch_op.drop_index("ix_agency_requests_agency_external_id")

    op.drop_table("agency_requests")
    op.drop_table("agency_updates_seen")
    op.drop_table("agency_polls")
