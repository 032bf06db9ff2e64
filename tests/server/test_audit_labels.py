"""Every action the audit log records has words on the audit page: a code passed to
`record_audit` (or named in an app's flows as the action of its status moves) without a label
would show raw (`desk.luggage_check_in`) to a manager reading the log in Chinese."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils import translation

from server.reports.audit_labels import ACTION_LABELS, action_label

SERVER = Path(__file__).resolve().parents[2] / "server"
ACTION_CODE = re.compile(r"^[a-z]+\.[a-z_]+$")


def recorded_codes() -> set[str]:
    codes = set()
    for path in SERVER.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            called = getattr(node.func, "id", getattr(node.func, "attr", "")) if isinstance(node, ast.Call) else ""
            if called == "record_audit":
                if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    codes.add(node.args[1].value)
            if path.name == "flows.py" and isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and ACTION_CODE.match(node.value) and node.value.endswith(("_status", "_state")):
                codes.add(node.value)
    return codes


def test_every_recorded_action_has_a_label():
    codes = recorded_codes()
    assert len(codes) > 20
    assert sorted(codes - set(ACTION_LABELS)) == []


def test_labels_read_in_chinese_on_chinese_pages():
    with translation.override("zh-hans"):
        assert action_label("desk.luggage_check_in") == "行李寄存登记"
        assert action_label("loans.lent") == "物品借出"
    with translation.override("zh-hant"):
        assert action_label("desk.first_aid_use") == "醫藥箱使用登記"
