"""The IMDF import report in the reader's language: English on the command line, the page's
language in the console (the report is kept as sentences, said when shown), and every
sentence the importer can say is in both Chinese catalogs."""
from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from map_archives import tower_archives
from test_cases_support import make_staff

from server.malls.models import Mall
from server.wayfinding import imdf, maps

WAYFINDING = Path(imdf.__file__).resolve().parent
CATALOGS = {"zh_Hans": "已导入", "zh_Hant": "已匯入"}


def report_msgids() -> set[str]:
    """Every template the report can say: say("…") in the importer and the map upload, and
    the counted things of the summary."""
    found = {", "}
    for module in (imdf, maps):
        for node in ast.walk(ast.parse(Path(module.__file__).read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "say":
                template = node.args[0]
                if isinstance(template, ast.Subscript) and getattr(template.value, "id", "") == "COUNTED":
                    continue  # the summary's counted things: added below
                assert isinstance(template, ast.Constant), "a report template must be a literal (it is a msgid)"
                found.add(template.value)
    return found | set(imdf.COUNTED.values())


@pytest.mark.parametrize("locale", sorted(CATALOGS))
def test_every_report_sentence_is_in_the_catalog(locale):
    catalog = gettext.GNUTranslations((WAYFINDING / "locale" / locale / "LC_MESSAGES" / "django.mo").open("rb"))
    msgids = report_msgids()
    assert len(msgids) > 80
    untranslated = sorted(msgid for msgid in msgids if catalog.gettext(msgid) == msgid and msgid.strip("-! {}")
                          and not re.fullmatch(r"[-!{} a-z]*", msgid))
    assert untranslated == []
    for msgid in msgids:
        fields = set(re.findall(r"\{(\w+)", msgid))
        assert set(re.findall(r"\{(\w+)", catalog.gettext(msgid))) == fields, msgid


def test_the_command_line_report_stays_in_english(tmp_path):
    archive = tmp_path / "tower.zip"
    archive.write_bytes(tower_archives(tmp_path)[0])
    lines = imdf.import_imdf(archive).report.lines()
    assert lines[0].startswith("Imported 3 levels, ")
    assert "Path graph: built from units and openings (the archive has no path graph)." in lines


@pytest.mark.parametrize(("language", "imported", "graph"), [
    ("zh-hans", "已导入：3 个楼层，", "路径网：由单元和出入口生成（档案中没有路径网）。"),
    ("zh-hant", "已匯入：3 個樓層，", "路徑網："),
    ("en", "Imported 3 levels, ", "Path graph: built from units and openings"),
])
def test_the_review_page_says_the_report_in_the_page_language(client, db, tmp_path, language, imported, graph):
    mall = Mall.objects.create(id="tower", name_zh_cn="三层广场")
    client.force_login(make_staff("manager-tower", "manager", mall))
    archive = SimpleUploadedFile("tower.zip", tower_archives(tmp_path)[0], content_type="application/zip")
    assert client.post(reverse("wayfinding:map_upload"), {"archive": archive}).status_code == 302
    page = client.get(reverse("wayfinding:map_review") + f"?lang={language}")
    report = page.context["report"]
    assert report[0].startswith(imported)
    assert any(line.startswith(graph) for line in report)
    if language != "en":
        assert not [line for line in report if re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", line)], \
            "no English sentence left on a Chinese page"


def test_an_unreadable_archive_is_refused_in_the_page_language(client, db):
    mall = Mall.objects.create(id="tower", name_zh_cn="三层广场")
    client.force_login(make_staff("manager-tower", "manager", mall))
    archive = SimpleUploadedFile("tower.zip", b"not a zip archive", content_type="application/zip")
    page = client.post(reverse("wayfinding:map_upload") + "?lang=zh-hans", {"archive": archive})
    assert page.status_code == 400
    assert any("既不是文件夹，也不是可读的 .zip 档案" in line for line in page.context["unreadable"])
