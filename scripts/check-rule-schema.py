#!/usr/bin/env python3
"""Validates every rule file under a directory against docs/rules.schema.json (tooling only, not run time).

The schema is what editors use for completion; this keeps it true to the shipped packs."""
import datetime
import json
import pathlib
import sys

import jsonschema
import yaml


def plain(value):
    # PyYAML reads YAML 1.1 dates as date objects; the rule language reads them as text.
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def main() -> int:
    schema = json.loads(pathlib.Path(sys.argv[1]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    files = sorted(pathlib.Path(sys.argv[2]).rglob("*.yaml"))
    for path in files:
        document = plain(yaml.safe_load(path.read_text()))
        for error in validator.iter_errors(document):
            failures += 1
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {where}: {error.message[:200]}")
    print(f"{len(files)} rule files checked against the schema, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
