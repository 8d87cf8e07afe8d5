"""The package ships its type hints (PEP 561): ``py.typed`` is in the installed package and in
the wheel built from this tree, so type checkers read our annotations; the wheel also carries
every other file of the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_installed_package_has_py_typed():
    assert resources.files("helicone_otel").joinpath("py.typed").is_file()


def test_built_wheel_ships_py_typed(tmp_path):
    # Built in-process with the installed setuptools (pip's isolated build would download one);
    # from a copy of the tree, so the checkout gets no build/ of its own.
    pytest.importorskip("setuptools", minversion="64")
    src = tmp_path / "src"
    shutil.copytree(ROOT / "helicone_otel", src / "helicone_otel", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    build = "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])"
    done = subprocess.run([sys.executable, "-c", build, str(tmp_path / "dist")], cwd=src, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "helicone_otel/py.typed" in names
    # and every other file of the package: modules, prices, the web view's static files
    assert {p.relative_to(src).as_posix() for p in (src / "helicone_otel").rglob("*") if p.is_file()} - names == set()
