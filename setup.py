"""Only the C part of the build; everything else about the package is in pyproject.toml.

`aggregator._native` runs the worker's hot loops in C: an article body as stories read it
(boilerplate.py, stories.py: paragraphs, tokens, hashes, MinHash) and the language detector's
walk over its byte automaton (language.py), and parse.py's walks over a document's tags. It is
optional: without a C compiler the install goes on without it, and those modules use their
Python references, which give the same answers (tests/test_stories.py, tests/test_language.py,
tests/test_parse.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("aggregator._native", ["aggregator/_native.c"], optional=True),
    ]
)
