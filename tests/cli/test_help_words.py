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


def _verbs(parser) -> list[str]:
    return [name for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for name in action.choices]


def test_area_helps_list_every_verb():
    """`emdkit --help` and `emdkit images --help` name every verb, serve included (issue 25)."""
    top = build_parser()
    areas = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)).choices
    overview = " ".join(top.format_help().split())
    images_line = overview.split(" images ", 1)[1].split(" ordinal ", 1)[0]
    images_help = " ".join(areas["images"].format_help().split("options:")[0].split())
    for verb in _verbs(areas["images"]):
        assert verb in images_line and verb in images_help, verb


def test_help_shows_no_internal_names_and_points_a_core_install_at_its_demo():
    top = build_parser()
    assert "emdkit demo --only core" in " ".join(top.format_help().split())
    demo = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)).choices["demo"]
    assert "EXTRA_PARTS" not in demo.format_help()
    assert all(not w.isupper() or "_" not in w for w in demo.format_help().split())
