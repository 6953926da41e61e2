"""The database: SQLAlchemy 2 tables (`tables`), Alembic migrations (`migrate`, `migrations/`), connections
and per-debtor transactions (`db`), the gate's reads and writes (`repo`), API keys (`keys`) and the
transparency log's storage (`translog`). SQLite by default, PostgreSQL in production."""
