"""Staff memberships: which merchants a support user works for, with what role and money limit."""
import factory

from tests.factories.tracking import MerchantFactory
from tests.factories.users import UserFactory
from tracking import models as m


class StaffMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.StaffMembership

    user = factory.SubFactory(UserFactory)
    merchant = factory.SubFactory(MerchantFactory)
    role = m.StaffMembership.Role.AGENT
