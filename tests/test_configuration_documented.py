"""docs/configuration.md lists every environment variable the settings read, so an operator never has
to read config/settings.py to find a knob."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))


def test_every_setting_the_code_reads_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text()
    read = variables_read_by_settings()
    assert len(read) > 80  # the pattern still finds them
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert not missing, f"add these to docs/configuration.md: {missing}"
