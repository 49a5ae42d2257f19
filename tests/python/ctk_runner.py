"""Runs a Chaos Toolkit experiment the way `chaos run` does, for the parts these
experiments use (Chaos Toolkit is not in Debian, so it cannot be installed
here): the validator's required fields, configuration (static and env),
${name} substitution, python/http/process providers (a python provider's
function gets `configuration` and `secrets` when its signature has them),
tolerances, steady state before and after the method, rollbacks. Prints the
journal as JSON.

    ctk_runner.py EXPERIMENT.json
"""

import importlib
import inspect
import json
import os
import re
import shlex
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


class InvalidExperiment(Exception):
    pass


def validate(experiment):
    """The checks of chaoslib's ensure_experiment_is_valid that apply here."""
    for key in ("title", "description", "method"):
        if not experiment.get(key):
            raise InvalidExperiment(f"experiment requires a {key}")
    hypothesis = experiment.get("steady-state-hypothesis")
    if hypothesis is not None:
        if not hypothesis.get("title"):
            raise InvalidExperiment("hypothesis requires a title")
        for probe in hypothesis.get("probes", []):
            validate_activity(probe)
            if "tolerance" not in probe:
                raise InvalidExperiment(f"hypothesis probe {probe['name']} requires a tolerance")
    for activity in experiment["method"] + experiment.get("rollbacks", []):
        validate_activity(activity)


def validate_activity(activity):
    if activity.get("type") not in ("action", "probe"):
        raise InvalidExperiment(f"activity {activity.get('name')} has no valid type")
    if not activity.get("name"):
        raise InvalidExperiment("an activity requires a name")
    provider = activity.get("provider") or {}
    kind = provider.get("type")
    required = {"python": ("module", "func"), "http": ("url",), "process": ("path",)}.get(kind)
    if required is None:
        raise InvalidExperiment(f"activity {activity['name']}: unknown provider type {kind}")
    for key in required:
        if not provider.get(key):
            raise InvalidExperiment(f"activity {activity['name']}: provider requires {key}")
    if provider.get("type") == "python":
        func = getattr(importlib.import_module(provider["module"]), provider["func"], None)
        if func is None:
            raise InvalidExperiment(f"{provider['module']} has no function {provider['func']}")
        parameters = inspect.signature(func).parameters
        for name in provider.get("arguments", {}):
            if name not in parameters:
                raise InvalidExperiment(f"{provider['func']} takes no argument {name}")


def load_configuration(experiment):
    configuration = {}
    for key, value in experiment.get("configuration", {}).items():
        if isinstance(value, dict) and value.get("type") == "env":
            configuration[key] = os.environ.get(value["key"], value.get("default"))
        else:
            configuration[key] = value
    return configuration


def substitute(value, configuration):
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in configuration:
            return configuration[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: str(configuration.get(m.group(1), m.group(0))), value)
    if isinstance(value, dict):
        return {k: substitute(v, configuration) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, configuration) for v in value]
    return value


def run_provider(provider, configuration):
    provider = substitute(provider, configuration)
    kind = provider["type"]
    if kind == "python":
        func = getattr(importlib.import_module(provider["module"]), provider["func"])
        arguments = dict(provider.get("arguments", {}))
        parameters = inspect.signature(func).parameters
        if "configuration" in parameters:
            arguments["configuration"] = configuration
        if "secrets" in parameters:
            arguments["secrets"] = {}
        return func(**arguments)
    if kind == "http":
        try:
            with urllib.request.urlopen(provider["url"], timeout=provider.get("timeout", 30)) as r:
                return {"status": r.status, "body": r.read().decode(errors="replace")}
        except urllib.error.HTTPError as e:
            return {"status": e.code, "body": ""}
    args = provider.get("arguments", "")
    args = shlex.split(args) if isinstance(args, str) else list(args)
    done = subprocess.run([provider["path"], *args], capture_output=True, text=True,
                          timeout=provider.get("timeout", 60))
    return {"status": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


def within_tolerance(tolerance, output, provider_type):
    if provider_type in ("http", "process") and isinstance(output, dict):
        output = output["status"]
    if isinstance(tolerance, list):
        return output in tolerance
    if isinstance(tolerance, dict) and tolerance.get("type") == "range":
        low, high = tolerance["range"]
        return low <= output <= high
    return output == tolerance


def run_activity(activity, configuration):
    record = {"activity": activity, "start": time.time()}
    try:
        record["output"] = run_provider(activity["provider"], configuration)
        record["status"] = "succeeded"
    except Exception as e:  # the journal keeps the failure, as chaoslib does
        record["status"] = "failed"
        record["exception"] = traceback.format_exception_only(type(e), e)
    record["end"] = time.time()
    return record


def steady_state(experiment, configuration):
    hypothesis = experiment.get("steady-state-hypothesis")
    if hypothesis is None:
        return None
    probes = []
    for probe in hypothesis.get("probes", []):
        record = run_activity(probe, configuration)
        record["tolerance_met"] = record["status"] == "succeeded" and within_tolerance(
            probe["tolerance"], record.get("output"), probe["provider"]["type"])
        probes.append(record)
    return {"steady_state_met": all(p["tolerance_met"] for p in probes), "probes": probes}


def run(experiment):
    validate(experiment)
    configuration = load_configuration(experiment)
    journal = {"experiment": experiment, "status": None, "steady_states": {}, "run": [],
               "rollbacks": []}
    before = steady_state(experiment, configuration)
    journal["steady_states"]["before"] = before
    if before is not None and not before["steady_state_met"]:
        journal["status"] = "failed"
        return journal
    try:
        for activity in experiment["method"]:
            journal["run"].append(run_activity(activity, configuration))
        after = steady_state(experiment, configuration)
        journal["steady_states"]["after"] = after
        deviated = after is not None and not after["steady_state_met"]
        failed = any(r["status"] == "failed" for r in journal["run"])
        journal["status"] = "deviated" if deviated else "aborted" if failed else "completed"
    finally:
        for rollback in experiment.get("rollbacks", []):
            journal["rollbacks"].append(run_activity(rollback, configuration))
    return journal


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f)), default=str))
