#!/usr/bin/env bash
# Dependency audit of the lock file (constraints.txt) with pip-audit, in its own venv
# (pip-audit needs a newer `packaging` than rasa 3.6 allows).
#   scripts/audit_dependencies.sh
# Fails when a finding is not listed in deploy/audit-reviewed.txt (one advisory id per
# line, with the reason in a comment) and, because a silent pass would be worse than none,
# when pip-audit could not check every pinned package (e.g. no access to PyPI's
# vulnerability data, as on the project's build machine; see docs/production.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/find_python310.sh)
if [ ! -x .venv-audit/bin/pip-audit ]; then
  "$PY" -m venv .venv-audit
  .venv-audit/bin/pip install -q "pip-audit==2.10.1"
fi
out=$(mktemp)
.venv-audit/bin/pip-audit -r constraints.txt --no-deps --disable-pip --format json -o "$out" || true
.venv-audit/bin/python - "$out" deploy/audit-reviewed.txt <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
reviewed = {line.split("#")[0].strip() for line in open(sys.argv[2]) if line.split("#")[0].strip()}
deps = report["dependencies"]
skipped = [d["name"] for d in deps if d.get("skip_reason")]
findings = [(d["name"], d["version"], v["id"]) for d in deps for v in d.get("vulns", [])]
unreviewed = [f for f in findings if f[2] not in reviewed]
print(f"pip-audit: {len(deps)} pinned packages, {len(skipped)} could not be checked, "
      f"{len(findings)} findings, {len(unreviewed)} not reviewed")
for name, version, vid in unreviewed:
    print(f"  UNREVIEWED {vid}: {name} {version}")
if skipped:
    print(f"  not checked: {', '.join(skipped[:10])}{' ...' if len(skipped) > 10 else ''}")
sys.exit(1 if unreviewed or skipped else 0)
PY
