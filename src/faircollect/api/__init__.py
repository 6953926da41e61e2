"""The HTTP API (FastAPI): `app.create_app(gate, translog)`; routes of schema.md, bearer keys with roles,
JSON errors in Chinese and English. Run it with `faircollect serve`."""
