"""Support staff: who works for which merchant (models.StaffMembership, selectors, services and the
``staff_member`` command), what they may do (roles: the Support agent / Support lead groups), and the
building blocks every admin class shares (mixins: MerchantScopedAdminMixin keeps each staff user inside
their merchants; scoping: how a row reaches its merchant)."""
