"""The units of the CLI, parsed in Python: the same spellings, the same refusals."""

import datetime

import pytest

import chaosnet
from chaosnet import units


@pytest.mark.parametrize("text, ns", [
    ("100ms", 100_000_000), ("1.5s", 1_500_000_000), ("250us", 250_000), ("7ns", 7),
    ("2m", 120 * 10**9), ("1h", 3600 * 10**9), (".5s", 500_000_000), ("3sec", 3 * 10**9),
    ("10msec", 10_000_000), ("0.000000001s", 1),
])  # fmt: skip
def test_duration_strings_in_cli_syntax(text, ns):
    assert units.duration_ns(text) == ns


@pytest.mark.parametrize("value, ns", [
    (1, 10**9), (0.1, 100_000_000), (2.5, 2_500_000_000),
    (datetime.timedelta(milliseconds=100), 100_000_000),
    (datetime.timedelta(days=1, microseconds=3), 86_400 * 10**9 + 3_000),
])  # fmt: skip
def test_duration_numbers_are_seconds_and_timedeltas_exact(value, ns):
    assert units.duration_ns(value) == ns


@pytest.mark.parametrize("text, why", [
    ("", "empty value"), ("100", "missing unit"), ("ms", "missing number"),
    ("1.ms", "malformed number"), ("1.2.3s", "malformed number"), ("5parsecs", 'unknown unit "parsecs"'),
    ("0.5ns", "finer than a nanosecond"), ("300y", 'unknown unit "y"'),
    ("9999999999999h", "too large"),
])  # fmt: skip
def test_malformed_durations_are_refused_with_the_cli_message(text, why):
    with pytest.raises(chaosnet.InvalidArgument) as e:
        units.duration_ns(text, "ttl")
    assert str(e.value).startswith(f"ttl: invalid duration {units.quote(text)}: {why}")
    assert "(use us, ms, s, m or h, e.g. 100ms)" in str(e.value)
    assert e.value.code.name == "INVALID_ARGUMENT"
    assert isinstance(e.value, ValueError)  # also what Python code expects


def test_durations_of_other_types_are_refused():
    for value in (True, None, [1], "1s\n"):
        with pytest.raises(chaosnet.InvalidArgument):
            units.duration_ns(value)


def test_negative_values_reach_the_daemon_which_judges_them():
    # Whether a value is acceptable is the daemon's call (and its message).
    assert units.duration_ns("-5s") == -5 * 10**9
    assert units.percent("150%") == 150.0
    assert units.percent(-1) == -1.0


@pytest.mark.parametrize("value, percent", [
    ("5%", 5.0), ("0.1%", 0.1), ("100%", 100.0), (5, 5.0), (0.25, 0.25)])
def test_percentages(value, percent):
    assert units.percent(value) == percent


@pytest.mark.parametrize("text, why", [
    ("5", "missing % sign"), ("5 %", 'unexpected " %" after the number'), ("%", "missing number"),
    ("", "empty value"), ("five%", "missing number"),
])  # fmt: skip
def test_malformed_percentages(text, why):
    with pytest.raises(chaosnet.InvalidArgument, match="^loss: invalid percentage .*" + why):
        units.percent(text, "loss")


@pytest.mark.parametrize("value, bits", [
    ("1mbit", 10**6), ("10gbit", 10**10), ("1500bit", 1500), ("1kibit", 1024),
    ("125kbps", 10**6), ("1MBit", 10**6), ("1.5kbit", 1500), ("0.0004kbit", 0),
    (2_000_000, 2_000_000),
])  # fmt: skip
def test_rates_in_tc_units_or_bits_per_second(value, bits):
    assert units.rate_bits(value) == bits


@pytest.mark.parametrize("value", ["1mb", "10", "-1mbit", "fast", -5, 2**64])
def test_bad_rates(value):
    with pytest.raises(chaosnet.InvalidArgument, match="^rate: "):
        units.rate_bits(value)


def test_ports_and_ranges():
    assert units.port_range(80) == (80, 80)
    assert units.port_range("8000-8100") == (8000, 8100)
    assert units.port_range((1, 2)) == (1, 2)
    for bad in (0, 70000, "80-70", "http", "1-", (5, 1)):
        with pytest.raises(chaosnet.InvalidArgument, match="^dport: "):
            units.port_range(bad, "dport")


def test_formatting_matches_the_cli():
    assert units.format_duration_ns(1_500_000_000) == "1500ms"
    assert units.format_duration_ns(3 * 10**9) == "3s"
    assert units.format_duration_ns(7) == "7ns"
    assert units.format_percent(33.3333) == "33.333%"
    assert units.format_percent(5.0) == "5%"
    assert units.format_rate(10**6) == "1mbit"
    assert units.format_rate(1500) == "1500bit"


def test_quote_keeps_messages_on_one_line():
    assert units.quote('a"b\n\x01') == '"a\\"b\\n\\x01"'
