"""The wheel: built from the tracked files with Node, it ships the bundles and needs no Node."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a wheel from a copy of the files git tracks (no bundles, no node_modules)."""
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    src = tmp_path_factory.mktemp("src")
    for rel in filter(None, tracked):
        if not (ROOT / rel).is_file():  # deleted in the work tree
            continue
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    assert not (src / "src/nblabel/static").exists()
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (built,) = out.glob("nblabel-*.whl")
    return built


def test_the_wheel_ships_every_bundle_and_no_tests(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    entries = sorted(p.stem for p in (ROOT / "js").glob("*.js") if not p.name.startswith("build"))
    for entry in entries:
        assert f"nblabel/static/{entry}.js" in names
        assert f"nblabel/static/{entry}.css" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "support/", "js/"))]
    assert any(n.endswith("/licenses/LICENSE") for n in names)  # the BSD-3-Clause text
    assert "nblabel/palette.json" in names  # the label colours plot_item reads
    for entry in entries:  # anywidget loads a bundle from a Blob URL: no relative imports left
        bundle = zipfile.ZipFile(wheel).read(f"nblabel/static/{entry}.js").decode()
        assert '"./' not in bundle
        assert "export" in bundle


def test_the_installed_wheel_works_without_node(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True,
        check=True,
    )
    code = (
        "import shutil, nblabel, numpy as np\n"
        "assert shutil.which('node') is None, 'node is on PATH'\n"
        "assert nblabel.__file__.startswith({!r}), nblabel.__file__\n"
        "w = nblabel.ImageAnnotator([np.zeros((4, 4), np.uint8)], labels=['a'],"
        " annotator='t', store={!r})\n"
        "from nblabel import palette\n"
        "assert palette.colour_of(['a'], 'a') == palette.COLOURS[0]\n"
        "print(len(w._esm), len(w._css))\n"
    ).format(str(target), str(tmp_path / "s.db"))
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "PATH": os.pathsep.join(
            p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "node").exists()
        ),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    esm, css = map(int, result.stdout.split())
    assert esm > 1000
    assert css > 100
