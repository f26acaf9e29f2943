"""Factories for merchant API access: API keys and idempotency records."""
import hashlib
import secrets

import factory
from django.utils import timezone

from tests.factories.tracking import MerchantFactory
from tracking.apikit.keys import KEY_PREFIX
from tracking.models import ApiKey, IdempotencyRecord


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A working key: the raw key is kept on the instance as ``raw_key`` (only its hash is stored)."""

    class Meta:
        model = ApiKey

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"Integration {n}")
    scope = ApiKey.Scope.WRITE
    raw_key = factory.LazyFunction(lambda: KEY_PREFIX + secrets.token_hex(6) + secrets.token_urlsafe(32))
    prefix = factory.LazyAttribute(lambda o: o.raw_key[:len(KEY_PREFIX) + 12])
    key_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.raw_key.encode()).hexdigest())

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raw_key = kwargs.pop("raw_key")
        key = super()._build(model_class, *args, **kwargs)
        key.raw_key = raw_key
        return key

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw_key = kwargs.pop("raw_key")
        key = super()._create(model_class, *args, **kwargs)
        key.raw_key = raw_key
        return key


class IdempotencyRecordFactory(factory.django.DjangoModelFactory):
    """A completed POST whose response is replayed to retries with the same key."""

    class Meta:
        model = IdempotencyRecord

    merchant = factory.SubFactory(MerchantFactory)
    api_key = factory.SubFactory(ApiKeyFactory, merchant=factory.SelfAttribute("..merchant"))
    key = factory.Sequence(lambda n: f"idem-{n:06d}")
    request_hash = factory.LazyAttribute(lambda o: hashlib.sha256(f"POST /api/v1/orders/ {o.key}".encode()).hexdigest())
    state = IdempotencyRecord.State.COMPLETED
    response_status = 201
    response_body = factory.LazyAttribute(lambda o: {"number": o.key})
    completed_at = factory.LazyFunction(timezone.now)
