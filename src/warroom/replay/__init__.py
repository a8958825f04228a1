"""Replay: what a candidate playbook would have done with the stored alert history (`warroom replay`)."""
