#!/usr/bin/env bash
# Cuts a release (docs/release.md): sets the version in every POM, builds, runs the whole suite and the
# reproducibility check, commits and tags; then moves on to the next -SNAPSHOT. It pushes and publishes nothing:
# the last lines say what to run for that.
#
#   tools/release.sh 0.1.0 --dry-run          # checks and shows what would change; changes nothing
#   tools/release.sh 0.1.0                    # then 0.1.1-SNAPSHOT
#   tools/release.sh 0.2.0 --next 0.3.0-SNAPSHOT
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/release.sh VERSION [--next NEXT-SNAPSHOT] [--dry-run]" >&2
  exit 2
}

version="" next="" dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --next) [ $# -ge 2 ] || usage; next=$2; shift ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) [ -z "$version" ] || usage; version=$1 ;;
  esac
  shift
done
[ -n "$version" ] || usage

# Semantic versioning: MAJOR.MINOR.PATCH for a release; the next development version ends in -SNAPSHOT.
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$'
if ! [[ $version =~ $semver ]]; then
  echo "release version '$version' is not MAJOR.MINOR.PATCH" >&2
  exit 2
fi
if [ -z "$next" ]; then
  next="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.$((BASH_REMATCH[3] + 1))-SNAPSHOT"
fi
if ! [[ ${next%-SNAPSHOT} =~ $semver && $next == *-SNAPSHOT ]]; then
  echo "next version '$next' is not MAJOR.MINOR.PATCH-SNAPSHOT" >&2
  exit 2
fi

current=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
tag="v$version"
problems=()
[ -z "$(git status --porcelain)" ] || problems+=("the working tree has uncommitted changes (git status)")
! git rev-parse -q --verify "refs/tags/$tag" >/dev/null || problems+=("tag $tag exists already")
[[ $current == *-SNAPSHOT ]] || problems+=("the POMs are at $current, not a -SNAPSHOT")
grep -qs "^## \[$version\] - [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$" CHANGELOG.md \
  || problems+=("CHANGELOG.md has no '## [$version] - YYYY-MM-DD' section: move the Unreleased entries under it")

echo "release $version (POMs now at $current), tag $tag, then $next"
if [ ${#problems[@]} -gt 0 ]; then
  printf '  not ready: %s\n' "${problems[@]}" >&2
  $dry_run || exit 1
fi

set_version() {
  # versions:set (configured in the parent: every module, no backup files) also moves
  # project.build.outputTimestamp to now, so the release's jars carry the time of the release commit.
  ./mvnw -B -q versions:set -DnewVersion="$1"
  local left
  left=$(git ls-files -z '*pom.xml' | xargs -0 grep -l -F -- "<version>$current</version>" || true)
  if [ -n "$left" ]; then
    echo "still at $current after versions:set: $left" >&2
    exit 1
  fi
}

if $dry_run; then
  # The version change, made in a throwaway copy, shown as a diff; nothing here changes.
  copy=$(mktemp -d "${TMPDIR:-/tmp}/dubbo-redis-release.XXXXXX")
  trap 'rm -rf "$copy"' EXIT
  git ls-files -z | tar --null -T - -cf - | tar -C "$copy" -xf -
  (cd "$copy" && git init -q && git add -A && git -c user.name=dry-run -c user.email=dry-run@localhost commit -q -m base \
    && ./mvnw -B -q versions:set -DnewVersion="$version" && git --no-pager diff --stat \
    && git --no-pager diff -U0 pom.xml | grep '^[-+] ' || true)
  cat <<EOF
dry run: nothing was changed. Without --dry-run this would:
  1. ./mvnw -B versions:set -DnewVersion=$version   (every POM, as above)
  2. ./mvnw -B verify -Psoak   (the README's test command: the whole suite and the release checks)
  3. tools/check-reproducible.sh   (two builds, identical jars)
  4. git commit -am "Release $version"; git tag -a $tag
  5. ./mvnw -B versions:set -DnewVersion=$next; git commit -am "Next development version: $next"
EOF
  exit 0
fi

trap 'echo "release stopped: undo the version change with: git checkout -- \$(git ls-files \"*pom.xml\")" >&2' ERR
set_version "$version"
./mvnw -B verify -Psoak
tools/check-reproducible.sh
git commit -q -am "Release $version"
git tag -a "$tag" -m "dubbo-redis $version"
trap - ERR
current=$version
set_version "$next"
git commit -q -am "Next development version: $next"

cat <<EOF
tagged $tag; the branch is at $next. To publish (docs/release.md):
  git push origin HEAD $tag
  git checkout $tag && ./mvnw -B -Prelease -DskipTests deploy     # signs, uploads to the Central Portal
  then press Publish in the Central Portal, and attach dubbo-redis-cli/target/dubbo-redis-cli-$version-all.jar
  to the GitHub release of $tag
EOF
