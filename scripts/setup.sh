#!/usr/bin/env bash
# Shared setup for run.sh and test.sh: installs the Debian packages the build and tests need,
# and checks that the .NET 10 SDK is present. Safe to run any number of times: apt runs only
# when a package is missing, and then always after `apt-get update`.
#
#   cmake, g++     build the native C ABI over libtorch (src/native)
#   libtorch-dev   libtorch itself, with its CMake config (find_package(Torch))
#   libgloo-dev    Gloo's headers, which libtorch's c10d headers include (data-parallel training over Gloo)
#   python3-torch  PyTorch on the same libtorch, for the parity tests and benchmarks
#   libturbojpeg0-dev, libpng-dev   JPEG and PNG decoding (P/Invoke from PocketNet.Data)
#   libonnx-dev    the ONNX schema (/usr/include/onnx/onnx.proto) PocketNet.Onnx compiles with protoc
#   postgresql     PostgreSQL 15, which the multi-host job tests start in a temporary folder (the portal itself
#                  needs it only when several hosts share one store)
#
# Then the portal's one npm library through scripts/fetch-web-assets.sh (npm pack of onnxruntime-web into
# wwwroot/lib; plotly.js comes with the Plotly.Blazor NuGet package). ONNX Runtime for .NET is a NuGet package (Microsoft.ML.OnnxRuntime,
# restored by dotnet build with its native library), so nothing else is fetched for it.
#
# With POCKETNET_SETUP_BROWSER=1 (test.sh sets it) it also installs Debian's chromium, which the browser tests
# drive through Playwright; Playwright never downloads a browser of its own.
#
# Set POCKETNET_SKIP_SETUP=1 to skip the package step (e.g. in the GPU image, which brings
# its own CUDA libtorch and must not pull Debian's CPU build); it skips the browser libraries too.
set -euo pipefail

PACKAGES=(cmake g++ libtorch-dev libgloo-dev python3-torch libturbojpeg0-dev libpng-dev libonnx-dev postgresql)

# Prints "yes" when the Debian package $1 is installed, "no" otherwise.
package_installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
  if [ "$status" = "install ok installed" ]; then echo yes; else echo no; fi
}

install_packages() {
  if [ "${POCKETNET_SKIP_SETUP:-0}" = "1" ]; then
    echo "setup: POCKETNET_SKIP_SETUP=1, not checking Debian packages"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: dpkg-query not found; this script expects Debian 12. Install by hand: ${PACKAGES[*]}" >&2
    return 1
  fi
  local missing=() p wanted=("${PACKAGES[@]}")
  if [ "${POCKETNET_SETUP_BROWSER:-0}" = "1" ]; then wanted+=(chromium); fi
  for p in "${wanted[@]}"; do
    [ "$(package_installed "$p")" = yes ] || missing+=("$p")
  done
  # npm fetches the browser libraries (scripts/fetch-web-assets.sh); any npm on PATH will do, else Debian's.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: packages present: ${wanted[*]}"
    return 0
  fi
  echo "setup: installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "setup: not root and no sudo; run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      return 1
    fi
  fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

check_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "setup: 'dotnet' not found. Install the .NET 10 SDK (https://dotnet.microsoft.com/download/dotnet/10.0) and retry." >&2
    return 1
  fi
  if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    echo "setup: 'dotnet' found at $(command -v dotnet), but no .NET 10 SDK is installed (dotnet --list-sdks). Install the .NET 10 SDK and retry." >&2
    return 1
  fi
  echo "setup: .NET SDK $(dotnet --version)"
}

fetch_web_assets() {
  if [ "${POCKETNET_SKIP_SETUP:-0}" = "1" ]; then
    echo "setup: POCKETNET_SKIP_SETUP=1, not fetching the browser libraries"
    return 0
  fi
  bash "$(dirname "${BASH_SOURCE[0]}")/fetch-web-assets.sh"
}

pocketnet_setup() {
  install_packages
  check_dotnet
  fetch_web_assets
}

# Executed directly (bash scripts/setup.sh) runs the setup; sourced, it only defines the functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  pocketnet_setup
fi
