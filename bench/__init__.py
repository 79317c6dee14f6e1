"""Benchmarks: each AK Ledger figure next to a baseline measured in the same run.

Run ``.venv/bin/python -m bench.run --help``. Results go to ``bench/results/latest.json``
(git-ignored) and a Markdown table to stdout; progress goes to stderr.
"""
