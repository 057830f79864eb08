"""Issue 14: the CLI's help speaks to users, not to the people who wrote the issues."""
import argparse

import pytest

from emdkit.cli import build_parser

DEVELOPER_WORDS = ("seed's", "the seed", "the issue", "or a callable")


def _all_parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _all_parsers(sub)


@pytest.mark.parametrize("parser", list(_all_parsers(build_parser())), ids=lambda p: p.prog)
def test_help_has_no_developer_words(parser):
    text = parser.format_help().lower()
    assert not [w for w in DEVELOPER_WORDS if w in text]
