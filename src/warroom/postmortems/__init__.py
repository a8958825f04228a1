"""Postmortems and action items: learning from every incident (issue 7)."""
