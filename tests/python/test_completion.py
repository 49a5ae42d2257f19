"""Shell completion of chaosnetctl, driven in a real bash and a real zsh:
subcommands, every flag --help shows, interface names from /sys/class/net (of
the namespace the shell runs in), fault IDs asked of the daemon with `list`."""

import os
import re
import signal
import subprocess

import pytest

import helpers

COMPLETION = os.path.join(helpers.SOURCE_DIR, "client", "completion")
BASH_SCRIPT = os.path.join(COMPLETION, "chaosnetctl.bash")
ZSH_DRIVER = os.path.join(os.path.dirname(__file__), "zsh_complete.zsh")
CTL = os.path.join(helpers.BIN_DIR, "chaosnetctl")
SUBCOMMANDS = ["delay", "loss", "duplicate", "corrupt", "reorder", "rate", "partition", "apply",
               "jam", "list", "get", "extend", "revoke", "watch", "info", "run", "profiles",
               "fleet"]  # fmt: skip
FLEET_SUBCOMMANDS = ["partition", "delay", "loss", "apply", "status", "heal"]

# Completes one line in bash: the function `complete` registered for chaosnetctl
# is called the way readline calls it.
BASH_DRIVER = r"""
source "$1"
shift
spec=$(complete -p chaosnetctl) || exit 9
fn=${spec#*-F }; fn=${fn%% *}
for line in "$@"; do
  COMP_LINE=$line COMP_POINT=${#line}
  read -ra COMP_WORDS <<<"$line"; [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  "$fn" chaosnetctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\t%s\n' "$line" "$(printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ')"
done
"""


def complete(shell, lines, netns=None, env=None):
    if shell == "bash":
        command = ["bash", "--norc", "--noprofile", "-c", BASH_DRIVER, "bash", BASH_SCRIPT, *lines]
    else:
        command = ["zsh", "-f", ZSH_DRIVER, COMPLETION, *lines]
    if netns:
        command = ["ip", "netns", "exec", netns, *command]
    out = subprocess.run(command, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PATH": f"{helpers.BIN_DIR}:{os.environ['PATH']}",
                              **(env or {})})  # fmt: skip
    assert out.returncode == 0, out.stderr
    results = {}
    for row in out.stdout.splitlines():
        line, _, candidates = row.partition("\t")
        results[line] = sorted(set(candidates.split()))
    assert list(results) == list(lines), out.stdout + out.stderr
    return results


def help_flags(*args):
    """The long flags a --help lists, as CLI11 prints them ("  --ttl TEXT", "  -o,--output")."""
    text = subprocess.run([CTL, *args, "--help"], capture_output=True, text=True).stdout
    flags = set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z-]*)", text, re.M))
    return flags - {"--version"} if args else flags


def test_the_scripts_parse():
    subprocess.run(["bash", "-n", BASH_SCRIPT], check=True)
    subprocess.run(["zsh", "-n", os.path.join(COMPLETION, "_chaosnetctl")], check=True)


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_subcommands_and_global_flags(shell):
    got = complete(shell, ["chaosnetctl ", "chaosnetctl re", "chaosnetctl --"])
    assert sorted(got["chaosnetctl "]) == sorted(SUBCOMMANDS)
    assert got["chaosnetctl re"] == ["reorder", "revoke"]
    assert help_flags() <= set(got["chaosnetctl --"])


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_every_flag_of_every_subcommand_is_offered(shell):
    lines = {sub: f"chaosnetctl {sub} --" for sub in SUBCOMMANDS if sub != "run"}
    lines["delay"] = "chaosnetctl delay eth0 100ms --"
    got = complete(shell, list(lines.values()))
    for sub, line in lines.items():
        assert set(got[line]) - {"-h"} == help_flags(sub), sub


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_every_flag_of_every_fleet_command_is_offered(shell):
    lines = {sub: f"chaosnetctl fleet {sub} --" for sub in FLEET_SUBCOMMANDS}
    got = complete(shell, ["chaosnetctl fleet ", *lines.values()])
    assert sorted(got["chaosnetctl fleet "]) == sorted(FLEET_SUBCOMMANDS)
    for sub, line in lines.items():
        assert set(got[line]) - {"-h"} == help_flags("fleet", sub), sub


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_flag_values(shell, pair):
    got = complete(shell, ["chaosnetctl delay cn0 1ms --direction ",
                           "chaosnetctl delay cn0 1ms --distribution ",
                           "chaosnetctl loss cn0 5% --proto ", "chaosnetctl -o ",
                           "chaosnetctl rate cn0 1mbit --netns "])  # fmt: skip
    assert got["chaosnetctl delay cn0 1ms --direction "] == ["both", "egress", "ingress"]
    assert got["chaosnetctl delay cn0 1ms --distribution "] == ["normal", "pareto", "paretonormal"]
    assert got["chaosnetctl loss cn0 5% --proto "] == ["icmp", "tcp", "udp"]
    assert got["chaosnetctl -o "] == ["json", "table"]
    assert {pair.a, pair.b, "pid:"} <= set(got["chaosnetctl rate cn0 1mbit --netns "])


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_run_completes_a_fault_then_a_command(shell):
    got = complete(shell, ["chaosnetctl run ", "chaosnetctl run --ttl 5m ",
                           "chaosnetctl run delay lo 1ms -- chaosnetc"])  # fmt: skip
    faults = ["apply", "corrupt", "delay", "duplicate", "loss", "partition", "rate", "reorder"]
    assert set(faults) <= set(got["chaosnetctl run "])
    assert set(faults) <= set(got["chaosnetctl run --ttl 5m "])
    assert "chaosnetctl" in got["chaosnetctl run delay lo 1ms -- chaosnetc"]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_run_completes_a_fleet_experiment(shell):
    partition = "chaosnetctl run --ttl 1m fleet partition --"
    got = complete(shell, ["chaosnetctl run ", "chaosnetctl run fleet ", partition])
    assert "fleet" in got["chaosnetctl run "]
    assert {"partition", "delay", "loss", "apply"} <= set(got["chaosnetctl run fleet "])
    assert set(got[partition]) - {"-h"} == help_flags("fleet", "partition")


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_interface_names_come_from_sys_class_net(shell, pair):
    # ip netns exec mounts the namespace's own /sys: its interfaces are lo and cn0.
    got = complete(shell, ["chaosnetctl delay ", "chaosnetctl run rate c",
                           "chaosnetctl list --interface "], netns=pair.a)  # fmt: skip
    assert got["chaosnetctl delay "] == ["cn0", "lo"]
    assert got["chaosnetctl run rate c"] == ["cn0"]
    assert got["chaosnetctl list --interface "] == ["cn0", "lo"]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_fault_ids_come_from_the_daemon_on_the_line(shell, client, daemon, pair):
    active = client.rate(pair.if_a, "1mbit")
    ended = client.rate(pair.if_a, "2mbit", dst="10.79.0.9")
    ended.revoke()
    server = daemon.server
    got = complete(shell, [f"chaosnetctl --server {server} revoke ",
                           f"chaosnetctl --server {server} get ",
                           f"chaosnetctl --server {server} extend {active.id[:3]}",
                           "chaosnetctl revoke "])  # fmt: skip
    assert got[f"chaosnetctl --server {server} revoke "] == [active.id]
    # get also offers ended faults (this daemon's earlier tests left some).
    everything = sorted(f.id for f in client.list(include_ended=True))
    assert {active.id, ended.id} <= set(everything)
    assert got[f"chaosnetctl --server {server} get "] == everything
    assert got[f"chaosnetctl --server {server} extend {active.id[:3]}"] == [active.id]
    # No daemon at the default socket: nothing to offer, and no error on the terminal.
    assert got["chaosnetctl revoke "] == []
    # CHAOSNET_SERVER works as for the command itself.
    env_got = complete(shell, ["chaosnetctl revoke "], env={"CHAOSNET_SERVER": server})
    assert env_got["chaosnetctl revoke "] == [active.id]


def test_bash_keeps_the_part_before_a_colon(daemon):
    # bash splits words at ':', and replaces only what follows it.
    got = complete("bash", ["chaosnetctl --server unix:/run/chao",
                            "chaosnetctl rate lo 1mbit --netns pi"])  # fmt: skip
    assert got["chaosnetctl --server unix:/run/chao"] == ["/run/chaosnetd/chaosnetd.sock"]
    assert got["chaosnetctl rate lo 1mbit --netns pi"] == ["pid:"]


def test_interactive_bash_completes_on_tab(tmp_path):
    """A real interactive bash with readline: TAB inserts the completion."""
    import pty
    import select
    import time

    script = tmp_path / "session.sh"
    script.write_text(f"source {BASH_SCRIPT}\nPS1='$ '\n")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], {**os.environ, "TERM": "xterm"})
    try:
        def read_until(needle, timeout=20):
            buffer, end = b"", time.monotonic() + timeout
            while needle not in buffer and time.monotonic() < end:
                if select.select([fd], [], [], 0.1)[0]:
                    buffer += os.read(fd, 4096)
            return buffer

        os.write(fd, f"source {script}\n".encode())
        read_until(b"$ ")
        os.write(fd, b"chaosnetctl wat\t")
        assert b"chaosnetctl watch " in read_until(b"watch ")
        os.write(fd, b"--ini\t")
        assert b"--initial " in read_until(b"--initial ")
    finally:
        os.kill(pid, signal.SIGKILL)  # the shell we started
        os.waitpid(pid, 0)
        os.close(fd)
