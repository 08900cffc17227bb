"""Project-wide rules: settings from the environment, Chinese by default,
a complete zh_Hans catalog, one-way imports between the apps."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CATALOG = BASE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    # given an environment without DJANGO_SECRET_KEY and no .env file in use
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    script = "import config.settings"
    # when settings are imported from a copy of the project without .env
    project = tmp_path / "project"
    project.mkdir()
    (project / "config").mkdir()
    (project / "config" / "__init__.py").write_text("")
    (project / "config" / "settings.py").write_text((BASE / "config" / "settings.py").read_text())
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True, check=False,
    )
    # then it stops with a message naming the variable
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_zh_hans_catalog_is_complete():
    catalog = polib.pofile(str(CATALOG))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    assert len(catalog) > 100


APPS = ["snippets", "casemodels", "publishing", "cms", "api"]
ALLOWED = {
    "snippets": set(),
    "casemodels": {"snippets"},
    "publishing": {"snippets", "casemodels"},
    "cms": {"snippets", "casemodels", "publishing"},
    "api": {"snippets", "casemodels", "publishing", "cms"},
}


@pytest.mark.parametrize("app", APPS)
def test_imports_flow_one_way(app):
    offending = []
    for path in (BASE / app).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != app and top not in ALLOWED[app]:
                    offending.append(f"{path.relative_to(BASE)} imports {name}")
    assert not offending, offending
