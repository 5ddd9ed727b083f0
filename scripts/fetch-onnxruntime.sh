#!/usr/bin/env bash
# Puts ONNX Runtime's shared library where PocketNet.Onnx looks for it: .tools/onnxruntime/libonnxruntime.so.1
# (git-ignored). The library ships inside the npm package onnxruntime-node; `npm pack` downloads that package
# as a tarball without installing it, so its install script (which would fetch CUDA binaries) never runs.
# Safe to run any number of times: nothing is downloaded when the wanted version is already there.
#
#   ONNXRUNTIME_VERSION=1.30.0   version to fetch (the C API bound in src/PocketNet.Onnx/Runtime is 1.30's)
#
# Elsewhere, point POCKETNET_ONNXRUNTIME at any libonnxruntime.so.1 (file or folder) instead.
set -euo pipefail

VERSION="${ONNXRUNTIME_VERSION:-1.30.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.tools/onnxruntime"
LIB="$DEST/libonnxruntime.so.1"

if [ -f "$LIB" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null || true)" = "$VERSION" ]; then
  echo "fetch-onnxruntime: ONNX Runtime $VERSION present in $DEST"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM=linux/x64 ;;
  Linux-aarch64 | Linux-arm64) PLATFORM=linux/arm64 ;;
  *)
    echo "fetch-onnxruntime: no ONNX Runtime build for $(uname -s) $(uname -m) in onnxruntime-node; set POCKETNET_ONNXRUNTIME to a library of your own" >&2
    exit 1
    ;;
esac

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-onnxruntime: 'npm' not found; install Node.js with npm (e.g. apt-get install npm) and retry, or set POCKETNET_ONNXRUNTIME to a libonnxruntime.so.1" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "fetch-onnxruntime: npm pack onnxruntime-node@$VERSION"
(cd "$WORK" && npm pack --silent "onnxruntime-node@$VERSION" >/dev/null)
TARBALL="$WORK/onnxruntime-node-$VERSION.tgz"
[ -f "$TARBALL" ] || { echo "fetch-onnxruntime: npm pack produced no $TARBALL" >&2; exit 1; }
MEMBER="package/bin/napi-v6/$PLATFORM/libonnxruntime.so.1"
tar -xzf "$TARBALL" -C "$WORK" "$MEMBER"

mkdir -p "$DEST"
# Into place through a temporary name, so a concurrent reader never sees half a library.
cp "$WORK/$MEMBER" "$LIB.partial"
chmod 0644 "$LIB.partial"
mv -f "$LIB.partial" "$LIB"
echo "$VERSION" > "$DEST/VERSION"
echo "fetch-onnxruntime: ONNX Runtime $VERSION ($PLATFORM) in $LIB"
