"""Store-platform adapter tests replay recorded platform answers; the clock they read is fixed."""
