"""Tables the HTTP API owns (not the ledger's): one ``MetaData`` of their own.

Created by Alembic (``alembic/versions/0004_api_tables.py``). They hold no ledger data:
nothing here is signed, and losing them loses no history.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

api_idempotency = Table(
    "api_idempotency",
    metadata,
    Column("principal", String(64), primary_key=True, comment="the authenticated principal's name"),
    Column("key", String(255), primary_key=True, comment="the client's Idempotency-Key header"),
    Column("request_sha256", String(64), nullable=False, comment="hex SHA-256 of the canonical request"),
    Column("status_code", Integer, nullable=False),
    Column("response_json", Text, nullable=False, comment="the response body, JSON"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    comment="one row per successful command POSTed with an Idempotency-Key (issue 6 item 3)",
)
