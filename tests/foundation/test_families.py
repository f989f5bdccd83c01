"""The page-family contract: every family in the pipeline's list provides the whole protocol."""

import inspect

import pytest

from panelsite.engine import pipeline
from panelsite.engine.family import PageFamily

MEMBERS = ["load", "navigation", "prepare", "add_outputs"]


@pytest.mark.parametrize("family", pipeline.FAMILIES, ids=[f.__name__ for f in pipeline.FAMILIES])
def test_every_family_implements_the_whole_protocol(family):
    for name in MEMBERS:
        declared = inspect.signature(getattr(PageFamily, name))
        own = inspect.signature(getattr(family, name))  # AttributeError: a member is missing
        assert list(own.parameters) == [p for p in declared.parameters if p != "self"], (family.__name__, name)


def test_the_protocol_names_exactly_these_members():
    declared = [name for name, value in vars(PageFamily).items() if inspect.isfunction(value) and not name.startswith("_")]
    assert declared == MEMBERS


def test_the_results_come_first_and_each_family_once():
    names = [f.__name__ for f in pipeline.FAMILIES]
    assert names[0] == "panelsite.results.family"  # the others read its surveys
    assert len(names) == len(set(names))
