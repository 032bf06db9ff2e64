"""The IMDF importer reads within bounds: a zip bomb, an archive of too many files, JSON nested
10,000 deep and coordinates that are not finite longitudes/latitudes are refused, each in one
line naming the file (and the feature), with no traceback, and the database is left as it was."""
from __future__ import annotations

import time
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from imdf_builder import mall_archive
from live_server import free_port, manage, server_env

from server.wayfinding.imdf import (
    MAX_ARCHIVE_MEMBERS,
    MAX_FILE_BYTES,
    MAX_JSON_DEPTH,
    import_imdf,
)

pytestmark = pytest.mark.django_db
NOTHING_IMPORTED = " (refused: nothing was imported)"
"""Ends the one line of an archive refused for a single problem."""
PLACEHOLDER = 12345.678
"""Written where a raw JSON token (NaN, Infinity, 1e400) goes in, as json.dumps cannot write those all."""


def rows() -> dict[str, int]:
    """How many rows every content table holds: what an import would change."""
    return {model.__name__: model.objects.count() for model in apps.get_app_config("content").get_models()}


def refusals(path: Path) -> list[str]:
    """The refusal's problem lines ("! file feature: what"), the database unchanged."""
    before = rows()
    with pytest.raises(CommandError) as refused:
        call_command("import_imdf", str(path), "--mall", "bounds")
    assert rows() == before, "the database is unchanged"
    return [line.removesuffix(NOTHING_IMPORTED) for line in str(refused.value).splitlines() if line.startswith("! ")]


def zipped(folder: Path, target: Path, **members: bytes) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for path in sorted(folder.iterdir()):
            if path.stem not in members:
                bundle.write(path, f"venue/{path.name}")
        for name, data in members.items():
            bundle.writestr(f"venue/{name}.geojson", data)
    return target


@pytest.fixture
def clean(tmp_path) -> Path:
    return mall_archive(levels=2).write(tmp_path / "clean")


def test_a_clean_archive_imports_so_the_row_counts_would_show_a_change(clean):
    before = rows()
    call_command("import_imdf", str(clean), "--mall", "bounds", stdout=StringIO())
    assert rows() != before


def test_a_zip_bomb_is_refused_after_inflating_no_more_than_the_cap(clean, tmp_path):
    bomb = zipped(clean, tmp_path / "bomb.zip", unit=b" " * (MAX_FILE_BYTES + 1))  # inflates 1000-fold
    assert bomb.stat().st_size < 200_000
    started = time.perf_counter()
    lines = refusals(bomb)
    assert "! unit.geojson: is larger than 64 MB once read" in lines, lines
    assert time.perf_counter() - started < 20


def test_an_archive_of_too_many_files_is_refused_before_any_is_read(clean, tmp_path):
    crowded = tmp_path / "crowded.zip"
    with zipfile.ZipFile(crowded, "w") as bundle:
        for path in clean.iterdir():
            bundle.write(path, path.name)
        for n in range(MAX_ARCHIVE_MEMBERS):
            bundle.writestr(f"extra/{n}.txt", "x")
    count = len(list(clean.iterdir())) + MAX_ARCHIVE_MEMBERS
    assert refusals(crowded) == [f"! crowded.zip: has {count} files, more than {MAX_ARCHIVE_MEMBERS}"]


def test_json_nested_ten_thousand_deep_is_refused_without_a_recursion_error(clean):
    (clean / "unit.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"id": "u1", "properties": ' + "[" * 10_000 + "]" * 10_000 + "}]}")
    lines = refusals(clean)
    assert f"! unit.geojson: nests JSON deeper than {MAX_JSON_DEPTH} levels" in lines, lines


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path):
    builder = mall_archive(levels=2)
    builder.files["unit"][0]["properties"]["name"] = {"en": "[{" * 500}
    assert import_imdf(builder.write(tmp_path / "named")).content is not None


def archive_with_coordinate(folder: Path, token: str) -> tuple[Path, str]:
    builder = mall_archive(levels=2)
    unit = builder.files["unit"][0]
    unit["geometry"]["coordinates"][0][2] = [PLACEHOLDER, 31.23]
    builder.write(folder)
    path = folder / "unit.geojson"
    path.write_text(path.read_text(encoding="utf-8").replace(str(PLACEHOLDER), token), encoding="utf-8")
    return folder, unit["id"]


@pytest.mark.parametrize("token, expected", [
    ("NaN", "is not finite"), ("Infinity", "is not finite"), ("-Infinity", "is not finite"),
    ("1e400", "is not finite"), ("1e308", "is not a longitude/latitude"),
])
def test_a_coordinate_that_is_not_a_finite_longitude_latitude_is_refused(tmp_path, token, expected):
    folder, unit_id = archive_with_coordinate(tmp_path / "bad", token)
    [line] = [line for line in refusals(folder) if unit_id in line]
    assert line.startswith(f"! unit.geojson {unit_id}") and expected in line, line


def test_the_command_prints_the_refusal_and_exits_non_zero_without_a_traceback(tmp_path):
    env = server_env(tmp_path / "data", free_port())
    env.pop("CONCIERGE_DATABASE_URL", None)
    assert manage(env, "migrate", "--noinput").returncode == 0
    count = ("from django.apps import apps\n"
             "print(sum(m.objects.count() for m in apps.get_app_config('content').get_models()))")
    before = manage(env, "shell", "-c", count).stdout.split()[-1]
    folder, unit_id = archive_with_coordinate(tmp_path / "bad", "NaN")

    result = manage(env, "import-imdf", str(folder))

    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    [line] = [line for line in result.stderr.strip().splitlines()]  # one line, naming file and feature
    assert line.startswith(f"CommandError: ! unit.geojson {unit_id}") and "is not finite" in line, line
    assert manage(env, "shell", "-c", count).stdout.split()[-1] == before
