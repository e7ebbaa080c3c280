#!/usr/bin/env bash
# Seeds the fuzz corpora from the committed fixtures (real APKs, hostile zips,
# and the binary XML / resources.arsc inside them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
mkdir -p "$here/corpus/archive" "$here/corpus/inspect" "$here/corpus/axml" "$here/corpus/arsc" \
  "$here/corpus/signing" "$here/corpus/dex" "$here/corpus/native"
for f in "$root"/fixtures/apks/*.apk "$root"/fixtures/hostile/*.zip; do
  cp "$f" "$here/corpus/archive/"
  cp "$f" "$here/corpus/inspect/"
  cp "$f" "$here/corpus/signing/"
done
cp "$root"/fixtures/dex/*.dex "$here/corpus/dex/" 2>/dev/null || true
find "$root/fixtures/native" -name '*.so' -exec cp {} "$here/corpus/native/" \;
for f in "$root"/fixtures/apks/*.apk; do
  n=$(basename "$f" .apk)
  python3 - "$f" "$here/corpus" "$n" <<'PY'
import sys, zipfile
apk, out, n = sys.argv[1:]
z = zipfile.ZipFile(apk)
for info in z.infolist():
    name = info.filename
    data = z.read(info)
    if name == "resources.arsc":
        open(f"{out}/arsc/{n}.arsc", "wb").write(data)
    elif name.endswith(".dex"):
        open(f"{out}/dex/{n}_{name.replace('/', '_')}", "wb").write(data)
    elif name.endswith(".xml") and data[:2] == b"\x03\x00":
        open(f"{out}/axml/{n}_{name.replace('/', '_')}", "wb").write(data)
PY
done
ls "$here"/corpus/* | wc -l
