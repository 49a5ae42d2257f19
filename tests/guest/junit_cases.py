"""Reads a JUnit XML report (pytest --junitxml) and prints one line per case,
in the form guest-suite.sh counts, as a gtest binary's cases are counted:

    passed|failed|skipped MODULE.CASE

A case is failed when it has a <failure> or an <error> (a broken fixture or
teardown too), skipped when it has a <skipped> (xfail included), else passed.
A case reported twice (an error in teardown after its call) is counted once,
with the worse verdict. A report that cannot be read prints nothing and exits
2, so the suite counts the test as failed.

    /usr/bin/python3 junit_cases.py REPORT.xml
"""

import sys
import xml.etree.ElementTree as ElementTree

RANK = {"passed": 0, "skipped": 1, "failed": 2}


def verdict(case):
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def main(argv):
    if len(argv) != 2:
        print("usage: junit_cases.py REPORT.xml", file=sys.stderr)
        return 2
    try:
        root = ElementTree.parse(argv[1]).getroot()
    except (OSError, ElementTree.ParseError) as e:
        print(f"junit_cases: {argv[1]}: {e}", file=sys.stderr)
        return 2
    cases = {}
    for case in root.iter("testcase"):
        name = ".".join(part for part in (case.get("classname"), case.get("name")) if part)
        v = verdict(case)
        if RANK[v] >= RANK[cases.get(name, "passed")]:
            cases[name] = v
    for name, v in cases.items():
        print(v, name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
