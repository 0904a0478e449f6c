#!/usr/bin/env python3
"""Validates every example proposal against `screener schema` (JSON Schema 2020-12): the proposals
the engine binds must validate, and those under examples/proposals/invalid/ must not."""
import json, pathlib, subprocess, sys
from jsonschema import Draft202012Validator

screener, source = sys.argv[1], pathlib.Path(sys.argv[2])
schema = json.loads(subprocess.run([screener, "schema"], check=True, capture_output=True, text=True).stdout)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
failures, checked = [], 0
for path in sorted((source / "examples" / "proposals").rglob("*.json")):
    errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
    expect_invalid = "invalid" in path.parts
    checked += 1
    if expect_invalid and not errors:
        failures.append(f"{path}: expected schema errors, found none")
    if not expect_invalid and errors:
        failures.append(f"{path}: {errors[0].message}")
for f in failures:
    print(f)
print(f"{checked - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
