#!/usr/bin/env bash
# Runs every test (SQLite and PostgreSQL), reports line coverage of src/ and fails under 80%.
# Prints one closing line: "N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
results="$root/TestResults"
rm -rf "$results"

dotnet test Fundament.slnx -c Release --nologo \
  --collect:"Code Coverage" --settings "$root/tests/coverage.runsettings" \
  --results-directory "$results" --logger "trx;LogFilePrefix=tests" 2>&1 | tee "$results.log"
status=${PIPESTATUS[0]}

python3 - "$results" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
results, status = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
for trx in glob.glob(f"{results}/**/*.trx", recursive=True):
    counters = ET.parse(trx).getroot().find(".//{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", 0))
        failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
        skipped += int(counters.get("notExecuted", 0))
covered = valid = 0
for report in glob.glob(f"{results}/**/*.cobertura.xml", recursive=True):
    root = ET.parse(report).getroot()
    covered += int(root.get("lines-covered", 0))
    valid += int(root.get("lines-valid", 0))
coverage = 100.0 * covered / valid if valid else 0.0
print(f"Line coverage of src/: {coverage:.1f}% ({covered}/{valid} lines)")
ok = status == 0 and failed == 0 and passed > 0
if valid and coverage < 80.0:
    print("FAILED: line coverage is below the 80% floor")
    ok = False
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if ok else 1)
PY
