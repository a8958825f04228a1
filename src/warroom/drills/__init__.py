"""Drills: the real engine, channels and communication rules run on a manual clock against a throw-away store.

`simulation` assembles such a Warroom and lets time pass; `scenario` reads a drill file, `runner` plays it,
`outcome` reads what happened back as a drill timeline and `expectations` compares it with what the scenario
says must happen. Replay (`warroom replay`) uses the same simulation over stored alert history.
"""
