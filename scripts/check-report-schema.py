#!/usr/bin/env python3
"""Validates scrub reports (JSON) against docs/report.schema.json (tooling only, not run time)."""
import json
import sys

import jsonschema


def main() -> int:
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for path in sys.argv[2:]:
        for error in validator.iter_errors(json.load(open(path))):
            failures += 1
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {where}: {error.message[:200]}")
    print(f"{len(sys.argv) - 2} reports checked against the schema, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
