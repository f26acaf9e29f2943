"""Classes named by dotted path in a settings mapping (slug -> "package.module.Class").

Carriers, store platforms, payment gateways and text providers are all plugged in this way, so a
third party adds one with a line of settings and no core change; this is the one loader they share.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def load_plugin(setting_name: str, slug: str, *, base: type, unknown: type[LookupError]) -> type:
    """The class registered under ``slug`` in ``settings.<setting_name>``.

    Raises ``unknown(slug)`` for a slug nobody registered and TypeError when the path names something
    that is not a ``base`` subclass (a typo in settings fails loudly, not at the first call)."""
    try:
        path = getattr(settings, setting_name)[slug]
    except KeyError:
        raise unknown(slug) from None
    cls = import_string(path)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(f"{path} is not a {base.__name__}")
    return cls
