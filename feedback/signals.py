"""Facts feedback announces, after commit, with ids only.

* survey_responded: survey_id, merchant_id, score, created (first answer or a change)
* incentive_issued: incentive_id, merchant_id — a store-credit ledger may subscribe to credit it
"""
from django.dispatch import Signal

survey_responded = Signal()
incentive_issued = Signal()
