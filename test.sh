#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds the solution and runs every test project.
# Exits non-zero when the build or any test fails. Ends with one plain totals line:
#   "tests: N passed, N failed, N skipped"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The parity tests call PyTorch through this interpreter: Debian's python3 has python3-torch,
# while a `python3` earlier on PATH (pyenv, venv) may not.
export PYTHON_FOR_TORCH="${PYTHON_FOR_TORCH:-/usr/bin/python3}"

# The browser tests drive Debian's chromium (installed by setup when asked).
POCKETNET_SETUP_BROWSER=1 ./scripts/setup.sh

# In CI, stop the compiler/MSBuild servers afterwards so no background process outlives the run.
if [ -n "${CI:-}" ]; then
  trap 'dotnet build-server shutdown >/dev/null 2>&1 || true' EXIT
fi

dotnet build PocketNet.Portal.sln -c Release

log=$(mktemp)
set +e
dotnet test PocketNet.Portal.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Add up the runner's per-project summaries ("     Passed: N", "     Failed: N", "    Skipped: N").
awk '
  /^[ \t]+Passed: [0-9]+[ \t]*$/  { p += $2 }
  /^[ \t]+Failed: [0-9]+[ \t]*$/  { f += $2 }
  /^[ \t]+Skipped: [0-9]+[ \t]*$/ { s += $2 }
  /^Total tests: [0-9]+/          { seen = 1 }
  END { if (seen) printf "tests: %d passed, %d failed, %d skipped\n", p, f, s;
        else print "tests: the runner printed no totals" }
' "$log"
# The runner prints a failure's message far up the log; repeat each one (name, message, first
# stack lines) next to the totals, where a CI log that keeps only the tail still shows it.
awk '
  /^[ \t]+Failed [A-Za-z_].*\[[<0-9. ]+[a-z]+\][ \t]*$/ { show = 1; lines = 0; print "failed:" }
  show && lines < 24 { print; lines++ }
  show && /^[ \t]+Standard Output Messages:/ { show = 0 }
' "$log"
rm -f "$log"

if [ "$status" -ne 0 ]; then
  echo "test.sh: dotnet test failed (exit $status)" >&2
fi
exit "$status"
