"""Every model of tracking, returns and feedback has a factory in tests/factories/ that saves valid rows:
they pass the model's validation (fields, validators, ``clean()``, constraints) and every row they
create along the way belongs to one merchant. A model added without a factory fails here."""
import pytest
from django.apps import apps
from django.db import models
from factory.django import DjangoModelFactory

from tests import factories

APPS = ("tracking", "returns", "feedback")


def _label(model) -> str:
    return model._meta.label


def _factories_by_model() -> dict:
    found = {}
    for name in factories.__all__:
        candidate = getattr(factories, name)
        if isinstance(candidate, type) and issubclass(candidate, DjangoModelFactory):
            assert candidate._meta.model not in found, f"two factories for {_label(candidate._meta.model)}"
            found[candidate._meta.model] = candidate
    return found


FACTORIES = _factories_by_model()
MODELS = sorted((m for app in APPS for m in apps.get_app_config(app).get_models()), key=_label)
CONCRETE = [m for m in MODELS if not m._meta.proxy]


def test_every_model_has_a_factory():
    missing = [_label(m) for m in CONCRETE if m not in FACTORIES]
    assert missing == [], f"add a factory in tests/factories/ (and export it) for: {', '.join(missing)}"


def test_proxy_models_are_covered_by_their_concrete_model():
    # Proxies (admin work queues, the dashboard) share their concrete model's table and rows.
    uncovered = [_label(m) for m in MODELS if m._meta.proxy and m._meta.concrete_model not in FACTORIES]
    assert uncovered == []


def merchants_reached(obj, depth=4, seen=None) -> set:
    """Ids of every merchant that ``obj`` and the rows it points at (foreign keys, ``depth`` levels) belong to."""
    from tracking.models import Merchant

    seen = set() if seen is None else seen
    key = (type(obj), obj.pk)
    if key in seen:
        return set()
    seen.add(key)
    if isinstance(obj, Merchant):
        return {obj.pk}
    found = set()
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and depth:
            target = getattr(obj, field.name)
            if target is not None:
                found |= merchants_reached(target, depth - 1, seen)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("model", CONCRETE, ids=_label)
def test_factory_saves_valid_rows_of_one_merchant(model):
    factory = FACTORIES.get(model)
    if factory is None:
        pytest.fail(f"no factory for {_label(model)} in tests/factories/")
    first, second = factory(), factory()  # twice: sequences keep unique constraints apart
    for made in (first, second):
        row = model._default_manager.get(pk=made.pk)
        row.full_clean()  # field validation, the model's clean() rules and its constraints
        assert len(merchants_reached(row)) <= 1, f"{_label(model)} mixes merchants: {merchants_reached(row)}"
