"""Warroom: self-hosted incident response driven by a playbook file."""

__version__ = "0.1.0"
