from django import template

register = template.Library()


@register.filter
def cell(row: dict, key: str):
    """row[key] for the dashboard tables (templates cannot index a dict by a variable)."""
    value = row.get(key)
    return "—" if value is None else value
