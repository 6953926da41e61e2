"""Rule families: one module each (time, frequency, third_party, holds, visits, content)."""
