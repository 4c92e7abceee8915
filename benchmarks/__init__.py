"""Benchmarks: lapor-bot and a bare python-telegram-bot echo bot against the emulator.

Run everything with ``python -m benchmarks`` (``--help`` lists the sizes); it starts the
emulator and each bot as separate processes, prints the figures and writes
docs/benchmarks.md with its plot.
"""
