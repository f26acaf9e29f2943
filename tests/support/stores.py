"""Store-platform test helpers."""
from datetime import datetime, timezone

# The clock the recorded platform answers were written against.
NOW = datetime(2026, 11, 12, 9, 0, tzinfo=timezone.utc)
