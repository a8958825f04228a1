"""On-call behaviour: who is on call at an instant, coverage gaps and calendar export.

`warroom.oncall.schedules` evaluates the playbook's schedules (rotations, layers, restrictions, overrides) as
pure functions over aware UTC instants; `warroom.oncall.ical` renders the resulting shifts as iCalendar.
"""
