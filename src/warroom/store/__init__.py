"""Storage: tables, engines, transactions and migrations (SQLite by default, PostgreSQL in production)."""
