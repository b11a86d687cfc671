"""Telling the user what long work is doing, on stderr (stdout is for results)."""

import sys


def say(message: str) -> None:
    print(f"ach: {message}", file=sys.stderr, flush=True)
