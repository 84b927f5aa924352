#!/usr/bin/env bash
# Reproducible builds: builds the published modules twice, each in a fresh copy of this working tree in a
# directory of its own, and compares the sha256 of every jar (and of the SBOMs and the BOM's POM). Exit code 1,
# with the differing entries, if any byte differs. Tests are skipped: this checks packaging, not behaviour.
#
#   tools/check-reproducible.sh          # as CI runs it (.ci/run)
#   tools/check-reproducible.sh -o       # extra arguments go to Maven (-o: offline, which also skips the SBOMs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
modules=dubbo-redis-registry,dubbo-redis-testkit,dubbo-redis-console,dubbo-redis-cli,dubbo-redis-bom
work=$(mktemp -d "${TMPDIR:-/tmp}/dubbo-redis-reproducible.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The two builds run side by side (each is mostly one thread: javac, javadoc, shade), from two copies of the
# files git tracks or would track, as they are now (uncommitted edits included), nothing built.
start=$SECONDS
pids=()
for n in 1 2; do
  mkdir "$work/build$n"
  (cd "$root" && git ls-files -z --cached --others --exclude-standard \
      | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$work/build$n" -xf -
  # File locks: the two Mavens share one local repository, and either may be downloading.
  (cd "$work/build$n" && ./mvnw -B -Dmaven.test.skip=true -Denforcer.skip=true -pl "$modules" -am package \
      -Daether.syncContext.named.factory=file-lock -Daether.syncContext.named.nameMapper=file-gav "$@" \
      > "$work/build$n.log" 2>&1) &
  pids+=($!)
done
for n in 1 2; do
  if ! wait "${pids[$((n - 1))]}"; then
    tail -40 "$work/build$n.log" >&2
    echo "build $n failed (log above)" >&2
    exit 2
  fi
done
echo "two builds in $((SECONDS - start)) s"

status=0
compared=0
cd "$work/build1"
while IFS= read -r -d '' file; do
  compared=$((compared + 1))
  one=$(sha256sum < "$file" | cut -d' ' -f1)
  two=$(sha256sum < "$work/build2/$file" 2>/dev/null | cut -d' ' -f1 || true)
  if [ "$one" = "$two" ]; then
    echo "same      $one  $file"
  else
    status=1
    echo "DIFFERENT $file"
    case "$file" in
      *.jar) diff <(unzip -v "$file" | awk 'NR > 3 {print $7, $8}') \
                  <(unzip -v "$work/build2/$file" | awk 'NR > 3 {print $7, $8}') | head -20 || true ;;
      *) diff "$file" "$work/build2/$file" | head -20 || true ;;
    esac
  fi
done < <(find . -path '*/target/*' \( -name '*.jar' -o -name 'bom.json' -o -name '.flattened-pom.xml' \) \
           -not -path '*/target/*/*' -print0 | sort -z)

if [ "$compared" -eq 0 ]; then
  echo "no artifacts found to compare" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "NOT reproducible: the files above differ between two builds of the same sources" >&2
else
  echo "reproducible: $compared files identical in two builds"
fi
exit "$status"
