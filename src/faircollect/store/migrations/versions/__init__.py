"""Alembic revisions, one file each, chained from 0001_initial."""
