"""Recommendations, post-purchase offers and their attribution (issue 8).

Public API for pages (tracking page, returns exchange step, return confirmation):
``tracking.recommendations.selectors.recommendations_for_order`` and ``post_purchase_offer_for_order``,
rendered with the partials under ``tracking/partials/``. Other apps veto the offer through
``tracking.recommendations.troubles``."""
