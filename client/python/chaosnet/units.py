"""The units users write, as the CLI spells them, or as plain Python values.

Durations: "100ms", "1.5s", "2m" (ns us ms s m h, and tc's sec/msec/usec), a
number of seconds, or a datetime.timedelta. Percentages: "5%", or a number
meaning percent (5 == "5%"). Rates: tc's units ("10mbit", "1gbit", "125kbps"
where bps is BYTES per second, as in tc), or a number of bits per second.

Only the spelling is checked here; whether a value is acceptable (a delay
above the daemon's maximum, 150% loss) is the daemon's call, so its message
reaches the caller unchanged.
"""

from __future__ import annotations

import datetime
import math
import re
from fractions import Fraction
from numbers import Real
from typing import Callable, Tuple, Union

from chaosnet.errors import InvalidArgument

Duration = Union[str, int, float, datetime.timedelta]
Percent = Union[str, int, float]
Rate = Union[str, int]
Ports = Union[int, str, Tuple[int, int]]

_NUMBER = re.compile(r"(-?)(\d*)(?:\.(\d*))?(.*)", re.DOTALL)

_DURATION_UNITS = {
    "ns": 1, "nsec": 1, "nsecs": 1,
    "us": 1_000, "usec": 1_000, "usecs": 1_000,
    "ms": 1_000_000, "msec": 1_000_000, "msecs": 1_000_000,
    "s": 10**9, "sec": 10**9, "secs": 10**9,
    "m": 60 * 10**9, "min": 60 * 10**9, "mins": 60 * 10**9,
    "h": 3600 * 10**9, "hour": 3600 * 10**9, "hours": 3600 * 10**9,
}  # fmt: skip
_DURATION_HINT = "(use us, ms, s, m or h, e.g. 100ms)"

_KI = 1024
_RATE_UNITS = {
    "bit": 1, "kbit": 10**3, "mbit": 10**6, "gbit": 10**9, "tbit": 10**12,
    "kibit": _KI, "mibit": _KI**2, "gibit": _KI**3, "tibit": _KI**4,
    "bps": 8, "kbps": 8 * 10**3, "mbps": 8 * 10**6, "gbps": 8 * 10**9, "tbps": 8 * 10**12,
    "kibps": 8 * _KI, "mibps": 8 * _KI**2, "gibps": 8 * _KI**3, "tibps": 8 * _KI**4,
}  # fmt: skip
_RATE_HINT = "(use bit, kbit, mbit, gbit, tbit or bps, kbps, mbps, gbps for bytes/s, e.g. 10mbit)"
_PERCENT_HINT = "(use a value from 0% to 100%, e.g. 5% or 0.1%)"

_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1


def quote(text: str) -> str:
    """User input in an error message: quoted, control characters escaped (one line)."""
    out = []
    for c in text:
        if c == "\t":
            out.append("\\t")
        elif c == "\n":
            out.append("\\n")
        elif c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _split_number(text: str) -> Tuple[Fraction, str]:
    """'-1.5ms' -> (Fraction(-3, 2), 'ms'); raises ValueError(reason)."""
    m = _NUMBER.fullmatch(text)
    sign, whole, fraction, rest = m.group(1), m.group(2), m.group(3), m.group(4)
    if not whole and not fraction:
        raise ValueError("malformed number" if fraction == "" else "missing number")
    if fraction == "" or rest.startswith("."):
        raise ValueError("malformed number")  # "1." or "1.2.3"
    value = Fraction(int(whole or "0")) + (
        Fraction(int(fraction), 10 ** len(fraction)) if fraction else 0
    )
    return (-value if sign else value), rest


def _spelled(value: object, what: str, noun: str, hint: str,
             expected: str) -> Tuple[Fraction, str, Callable[[str], InvalidArgument]]:
    """A value written as text: its number, what follows it, and how to refuse it."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{what}: expected {expected}, not {type(value).__name__}")

    def error(why: str) -> InvalidArgument:
        return InvalidArgument(f"{what}: invalid {noun} {quote(value)}: {why} {hint}")

    if not value:
        raise error("empty value")
    try:
        number, rest = _split_number(value)
    except ValueError as e:
        raise error(str(e)) from None
    return number, rest, error


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def duration_ns(value: Duration, what: str = "duration") -> int:
    """Nanoseconds of a duration given as "100ms", seconds, or a timedelta."""
    if isinstance(value, datetime.timedelta):
        return (value.days * 86_400 + value.seconds) * 10**9 + value.microseconds * 1_000
    if _is_number(value):
        if not math.isfinite(value):
            raise InvalidArgument(f"{what}: {value!r} is not a number of seconds")
        ns = round(Fraction(value) * 10**9)
        if abs(ns) > _INT64_MAX:
            raise InvalidArgument(f"{what}: {value!r}s is too large (at most about 292 years)")
        return ns
    number, unit, error = _spelled(value, what, "duration", _DURATION_HINT,
                                   'a string like "100ms", seconds or a timedelta')
    if not unit:
        raise error("missing unit")
    if unit not in _DURATION_UNITS:
        raise error(f"unknown unit {quote(unit)}")
    ns = number * _DURATION_UNITS[unit]
    if ns.denominator != 1:
        raise error("finer than a nanosecond")
    if abs(ns) > _INT64_MAX:
        raise error("too large (at most about 292 years)")
    return int(ns)


def percent(value: Percent, what: str = "percentage") -> float:
    """Percent of "5%" or of a number meaning percent (5 -> 5.0)."""
    if _is_number(value):
        return float(value)
    number, rest, error = _spelled(value, what, "percentage", _PERCENT_HINT,
                                   'a string like "5%" or a number of percent')
    if not rest:
        raise error("missing % sign")
    if rest != "%":
        raise error(f"unexpected {quote(rest)} after the number")
    return float(number)


def rate_bits(value: Rate, what: str = "rate") -> int:
    """Bits per second of "10mbit" (tc's units) or of a number of bits per second."""
    if _is_number(value):
        if not math.isfinite(value) or value < 0 or value > _UINT64_MAX:
            raise InvalidArgument(f"{what}: {value!r} is not a number of bits per second")
        return round(value)
    number, unit, error = _spelled(value, what, "rate", _RATE_HINT,
                                   'a string like "10mbit" or bits per second')
    if number < 0:
        raise error("must be greater than 0")
    if not unit:
        raise error("missing unit")
    bits_per_unit = _RATE_UNITS.get(unit.lower())
    if bits_per_unit is None:
        raise error(f"unknown unit {quote(unit)}")
    # Fractions of a bit per second round to the nearest bit, as tc does.
    bits = math.floor(number * bits_per_unit + Fraction(1, 2))
    if bits > _UINT64_MAX:
        raise error("too large")
    return bits


def port_range(value: Ports, what: str = "port") -> Tuple[int, int]:
    """(first, last) of 80, "80", "8000-8100" or (8000, 8100); last == first for one port."""
    if isinstance(value, tuple) and len(value) == 2 and all(_is_int(v) for v in value):
        first, last = value
    elif _is_int(value):
        first = last = value
    elif isinstance(value, str):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", value)
        if not m:
            raise InvalidArgument(
                f"{what}: {quote(value)} is not a port or a range like 8000-8100"
            )
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
    else:
        raise InvalidArgument(
            f"{what}: expected a port (80), a range (\"8000-8100\") or a (first, last) tuple"
        )
    for port in (first, last):
        if not 0 < port <= 65535:
            raise InvalidArgument(f"{what}: {port} is not a port (1..65535)")
    if last < first:
        raise InvalidArgument(f"{what}: range {first}-{last} ends before it starts")
    return first, last


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def format_duration_ns(ns: int) -> str:
    """The shortest exact form, as the CLI prints it: 3s, 1500ms, 250us, 7ns."""
    if ns == 0:
        return "0s"
    if ns < 0:
        return "-" + format_duration_ns(-ns)
    for name, size in (("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9),
                       ("ms", 10**6), ("us", 10**3)):  # fmt: skip
        if ns % size == 0:
            return f"{ns // size}{name}"
    return f"{ns}ns"


def format_percent(value: float) -> str:
    """'5%', '0.1%', '33.333%' (up to 3 decimals)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + "%"


def format_rate(bits_per_second: int) -> str:
    """'1mbit', '10gbit', '1500bit': the largest exact SI bit unit."""
    if bits_per_second:
        for name, size in (("tbit", 10**12), ("gbit", 10**9), ("mbit", 10**6), ("kbit", 10**3)):
            if bits_per_second % size == 0:
                return f"{bits_per_second // size}{name}"
    return f"{bits_per_second}bit"
