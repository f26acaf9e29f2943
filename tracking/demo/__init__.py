"""The demo shop behind `make run` (manage.py seed_demo): two merchants, a year of orders, parcels in
every mock-carrier scenario."""
