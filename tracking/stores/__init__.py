"""Store-platform connectors (Shopify, WooCommerce, Cafe24): the pure adapter layer.

Mirrors tracking/carriers/: ``base.py`` is the contract (frozen dataclasses, capability flags,
error types, the StoreAdapter interface), ``http.py`` the shared HTTP client, ``carrier_names.py``
the platform-carrier-name map, ``registry.py`` the adapters by dotted path from settings, and one
package per platform with ``client.py`` (HTTP only), ``parse.py`` (pure) and ``adapter.py``.
Adapters know no Django models; only registry.py reads settings.
"""
