"""Only the C part of the build; everything else about the package is in pyproject.toml.

`aggregator._native` runs two hot loops of the worker in C: the stories' MinHash signatures
(stories.py) and the language detector's walk over its byte automaton (language.py). It is
optional: without a C compiler the install goes on without it, and those modules use their
Python references, which give the same answers (tests/test_stories.py, tests/test_language.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("aggregator._native", ["aggregator/_native.c"], optional=True),
    ]
)
