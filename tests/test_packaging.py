"""What `pip install .` puts in site-packages: one top-level package, ``katachi``, with every module of
the code folders, their data files, and nothing of the evaluation reports; installed, it imports on its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("core", "knowledge", "agents", "graphs", "exports", "tracker", "ui", "evals")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # built from a copy: setuptools reuses build/ in the source folder, where a deleted module would linger
    src = out / "src"
    skip = (".git", ".venv", "build", "out", "data", "test-artifacts", "*.egg-info", "__pycache__", ".mypy_cache")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*skip))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(src), "-w", str(out)],
        check=True,
        cwd=out,
    )
    return next(out.glob("katachi-*.whl"))


def test_the_wheel_holds_one_top_level_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"katachi", wheel.name.split("-py3")[0] + ".dist-info"}
    top = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("top_level.txt"))).decode()
    assert top.split() == ["katachi"]


def test_every_module_and_data_file_of_the_code_folders_ships(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in FOLDERS:
        for p in (ROOT / folder).rglob("*"):
            rel = p.relative_to(ROOT)
            if not p.is_file() or "__pycache__" in rel.parts or rel.parts[:2] == ("evals", "reports"):
                continue
            if p.suffix in (".py", ".yaml", ".md", ".txt"):
                assert f"katachi/{rel.as_posix()}" in names, rel
    assert not [n for n in names if n.startswith("katachi/evals/reports/")]
    assert "katachi/py.typed" in names


def test_the_entry_point_names_the_package(wheel):
    z = zipfile.ZipFile(wheel)
    entry = z.read(next(n for n in z.namelist() if n.endswith("entry_points.txt"))).decode()
    assert "katachi = katachi.ui.cli.main:main" in entry


def test_installed_it_imports_from_site_packages_not_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)], check=True
    )
    code = (
        "import katachi, katachi.core.i18n as i, katachi.ui.policy as p; "
        "print(katachi.__path__, i.__file__, p.__file__); print(i.t('doctor.model', 'ja'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    paths, text = run.stdout.splitlines()
    assert str(ROOT) not in paths and paths.count(str(target)) == 3, paths
    assert text == "モデル", "the message texts ship with the package"
