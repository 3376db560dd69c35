"""The trail's vocabulary (audit.vocabulary), across the apps: one grammar, a Japanese label
for each action, every name the code writes declared, and the names older trails hold still
read as the actions they meant."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

from audit.models import Event
from audit.tests.fixtures import append_legacy
from audit.verify import verify_chain
from audit.vocabulary import LEGACY, Action, ActorKind, declared, label, stored_names
from core.audited import AuditedAdmin

ROOT = Path(__file__).resolve().parents[1]
GRAMMAR = re.compile(r"(?P<app>[a-z]+)\.[a-z]+\.[a-z_]+")


@pytest.mark.parametrize("action", list(Action))
def test_each_action_is_app_object_verb_with_a_japanese_label(action):
    match = GRAMMAR.fullmatch(action.value)
    assert match, action.value
    assert apps.is_installed(match["app"]), f"{action.value}: no app {match['app']!r}"
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(action.label)), action.value


def test_no_two_actions_share_a_label():
    labels = [str(action.label) for action in Action]
    assert len(labels) == len(set(labels))


def test_each_legacy_name_means_one_declared_action_and_is_not_a_name_of_today():
    assert not set(LEGACY) & set(Action.values)
    for old, new in LEGACY.items():
        assert declared(old) is new
        assert old in stored_names(new)
        assert label(old) == label(new.value) == new.label


def test_the_actor_kinds_are_the_three_the_trail_has_always_held():
    assert sorted(ActorKind.values) == ["public", "system", "user"]


def _sources() -> list[Path]:
    skipped = {"tests", "migrations", ".venv", "node_modules"}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skipped & set(path.relative_to(ROOT).parts) and not path.name.startswith("test_")
    ]


def _calls_with_an_action(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "action":
                    yield node, keyword.value


def test_the_code_names_every_action_through_the_vocabulary():
    """Each `action=` the apps and the benches write is a member of `Action` (a typo is an
    AttributeError on import, an undeclared name an UndeclaredAction on append), never a
    string spelled out at the call site."""
    spelled_out = []
    members = 0
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call, value in _calls_with_an_action(tree):
            # argparse's `action="store_true"` is not the trail's.
            if isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument":
                continue
            if isinstance(value, ast.Constant | ast.JoinedStr):
                spelled_out.append(f"{path.relative_to(ROOT)}:{call.lineno}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Action"
                and node.attr.isupper()
            ):
                assert node.attr in Action.names, f"{path.relative_to(ROOT)}: Action.{node.attr}"
                members += 1
    assert not spelled_out, spelled_out
    assert members > 50  # the scan saw the writers


def _audited_admins():
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, AuditedAdmin):
            yield model
            yield from (inline.model for inline in model_admin.inlines)


@pytest.mark.parametrize("verb", ["created", "changed", "deleted"])
def test_every_register_row_edited_in_the_admin_has_its_actions(verb):
    models = set(_audited_admins())
    assert models
    for model in models:
        assert Action.register(model._meta.label_lower, verb)


@pytest.mark.django_db
def test_a_trail_written_with_the_old_names_still_verifies_and_reads_as_the_new():
    old = [append_legacy(name) for name in LEGACY]

    report = verify_chain()

    assert report.problem is None
    assert report.count == len(LEGACY)
    for event in old:
        assert label(event.action) == str(LEGACY[event.action].label)
    read = stored_names(Action.RECORDS_ACCESS_READ)
    assert list(Event.objects.filter(action__in=read).values_list("action", flat=True)) == [
        "access.read"
    ]
