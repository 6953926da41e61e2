"""Transparency log core: RFC 6962 Merkle tree, signed tree heads, leaves and receipts (pure)."""
