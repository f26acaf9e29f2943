"""The staff dashboard: NPS, retention and delivery figures per merchant and period, its SVG charts
and CSV export (admin/feedback/dashboard/). The figures themselves are defined in feedback.metrics."""
