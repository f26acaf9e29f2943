"""Support staff: roles (the Support agent / Support lead groups) and the building blocks every
admin class shares."""
