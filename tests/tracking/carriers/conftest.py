import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Carrier tests never touch the network: a request outside ``responses`` fails loudly instead
    of trying to connect (``responses`` patches the same method while it is active)."""

    def refuse(self, request, *args, **kwargs):
        raise RuntimeError(f"test tried to reach the network: {request.method} {request.url.split('?')[0]}")

    monkeypatch.setattr("requests.adapters.HTTPAdapter.send", refuse)
