"""`cmake --install` puts binaries, the unit, completions, man pages and the
Python package where their users look; and the documented offline venv install
of build/python works. Both register the pytest plugin's entry point."""

import os
import shutil
import subprocess
import sys

import pytest

import helpers

PREFIX = "/usr/local"  # the configured prefix: what the unit's ExecStart must name


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    root = tmp_path_factory.mktemp("destdir")
    helpers.run("cmake", "--install", helpers.BUILD_DIR, env={**os.environ, "DESTDIR": str(root)})
    return root / PREFIX.lstrip("/")


def child_python(code, pythonpath, python=sys.executable):
    # The package must come from `pythonpath` (or the venv), not from the build tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = pythonpath
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip


def test_binaries_unit_completions_and_man_pages(staged):
    for program in ("chaosnetd", "chaosnetctl"):
        binary = staged / "bin" / program
        assert os.access(binary, os.X_OK)
        assert subprocess.run([binary, "--version"], capture_output=True).returncode == 0
    unit = (staged / "lib/systemd/system/chaosnetd.service").read_text()
    assert f"ExecStart={PREFIX}/bin/chaosnetd " in unit
    assert f"ExecStopPost={PREFIX}/bin/chaosnetd --cleanup" in unit
    assert (staged / "share/doc/chaosnet/systemd/netns.conf").is_file()
    bash = staged / "share/bash-completion/completions/chaosnetctl"
    zsh = staged / "share/zsh/site-functions/_chaosnetctl"
    assert "complete -F _chaosnetctl chaosnetctl" in bash.read_text()
    assert zsh.read_text().startswith("#compdef chaosnetctl")
    for page in ("man1/chaosnetctl.1", "man8/chaosnetd.8"):
        out = subprocess.run(["man", "-l", staged / "share/man" / page], capture_output=True,
                             text=True, env={**os.environ, "MANPAGER": "cat"})  # fmt: skip
        assert out.returncode == 0 and "SYNOPSIS" in out.stdout


def test_the_installed_python_package_and_its_pytest_entry_point(staged):
    site = staged / "lib/python3/dist-packages"
    for module in ("__init__", "client", "pytest_plugin", "chaostoolkit", "v1/chaosnet_pb2",
                   "v1/chaosnet_pb2_grpc"):  # fmt: skip
        assert (site / "chaosnet" / f"{module}.py").is_file(), module
    out = child_python(
        "import chaosnet, importlib.metadata as m;"
        "print(chaosnet.__file__);"
        "print([e.value for e in m.entry_points(group='pytest11') if e.name == 'chaosnet'])",
        str(site))
    assert out.returncode == 0, out.stderr
    location, entry = out.stdout.splitlines()
    assert location.startswith(str(site)) and entry == "['chaosnet.pytest_plugin']"


def test_offline_venv_install_registers_the_plugin(tmp_path):
    # pip builds in the source directory: give it a copy, not the build tree itself.
    source = tmp_path / "src"
    shutil.copytree(os.path.join(helpers.BUILD_DIR, "python"), source,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    venv = tmp_path / "venv"
    helpers.run(helpers.PYTHON, "-m", "venv", "--system-site-packages", str(venv))
    pip = helpers.run(str(venv / "bin/pip"), "install", "--no-build-isolation", "--no-index",
                      str(source), check=False)  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    out = child_python("import chaosnet; print(chaosnet.__file__)", "", str(venv / "bin/python"))
    assert out.returncode == 0 and out.stdout.startswith(str(venv)), out.stderr
    # The entry point loads the plugin without -p.
    help_text = subprocess.run([venv / "bin/python", "-m", "pytest", "--help"],
                               capture_output=True, text=True, cwd=tmp_path,
                               env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert "--chaosnet-server" in help_text.stdout, help_text.stderr
