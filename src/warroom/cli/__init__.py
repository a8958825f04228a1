"""The command line: an API client in the manner of `gh`, plus local admin commands."""
