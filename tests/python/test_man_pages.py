"""chaosnetctl(1) and chaosnetd(8), generated at build time from --help, render
with man(1) without warnings and carry every option --help shows."""

import os
import re
import subprocess

import pytest

import helpers

MAN_DIR = os.path.join(helpers.BUILD_DIR, "man")


def render(page):
    out = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True,
                         env={**os.environ, "MANPAGER": "cat", "MANWIDTH": "100",
                              "LANG": "C.UTF-8"})  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stderr == "", f"groff warnings: {out.stderr}"
    return out.stdout


def help_of(*command):
    return subprocess.run(list(command) + ["--help"], capture_output=True, text=True).stdout


def long_flags(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", text))


@pytest.mark.parametrize("program, section, title", [
    ("chaosnetctl", 1, "chaosnetctl - inject network faults through chaosnetd, under a lease"),
    ("chaosnetd", 8, "chaosnetd - network faults under leases, driven through netlink"),
])  # fmt: skip
def test_pages_render_and_match_help(program, section, title):
    page = os.path.join(MAN_DIR, f"{program}.{section}")
    text = render(page)
    # man renders hyphens and quotes as it likes; compare on plain ASCII.
    plain = text.replace("\u2010", "-").replace("\u2212", "-").replace("\u2018", "'").replace(
        "\u2019", "'")
    assert f"{program.upper()}({section})" in plain.splitlines()[0]
    assert title in " ".join(plain.split())
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SEE ALSO"):
        assert re.search(rf"^{heading}$", plain, re.M), heading
    binary = os.path.join(helpers.BIN_DIR, program)
    missing = long_flags(help_of(binary)) - long_flags(plain)
    assert not missing, f"in --help but not in the page: {missing}"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()
    assert version and version[-1] in plain


def test_chaosnetctl_page_documents_each_subcommand_and_the_contract():
    plain = render(os.path.join(MAN_DIR, "chaosnetctl.1")).replace("\u2010", "-")
    ctl = os.path.join(helpers.BIN_DIR, "chaosnetctl")
    for sub in ("delay", "loss", "duplicate", "corrupt", "reorder", "rate", "partition", "apply",
                "list", "get", "extend", "revoke", "watch", "info", "run"):  # fmt: skip
        usage = next(line for line in help_of(ctl, sub).splitlines() if line.startswith("Usage:"))
        assert usage.removeprefix("Usage: ") in plain, sub
        missing = long_flags(help_of(ctl, sub)) - long_flags(plain)
        assert not missing, (sub, missing)
    for heading in ("ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "COMMANDS"):
        assert re.search(rf"^{heading}$", plain, re.M), heading
    for variable in ("CHAOSNET_SERVER", "CHAOSNET_TLS_CA", "CHAOSNET_TLS_CERT",
                     "CHAOSNET_TLS_KEY", "CHAOSNET_TLS_SERVER_NAME"):  # fmt: skip
        assert variable in plain
