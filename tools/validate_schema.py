#!/usr/bin/env python3
"""Validates scenario files against the JSON Schema that `r70 schema` prints, with an independent
validator (the jsonschema package, Draft 2020-12). YAML is read as YAML 1.2 reads it: dates stay
strings, as editors' YAML language servers read them.

usage: validate_schema.py SCHEMA.json SCENARIO.yaml...   (exit 1 when any file does not validate)
"""
import datetime
import json
import sys

import jsonschema
import yaml


def as_yaml12(node):
    """PyYAML reads YAML 1.1 timestamps as dates; YAML 1.2 (and JSON) keep them as strings."""
    if isinstance(node, dict):
        return {str(k): as_yaml12(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_yaml12(v) for v in node]
    if isinstance(node, (datetime.date, datetime.datetime)):
        return node.isoformat()
    return node


def main(argv):
    with open(argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in argv[2:]:
        with open(path) as f:
            document = as_yaml12(yaml.safe_load(f))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        for e in errors:
            print(f"{path}: {'.'.join(str(p) for p in e.path) or '(top)'}: {e.message}")
        bad += bool(errors)
    print(f"{len(argv) - 2 - bad} of {len(argv) - 2} files valid against the schema")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
