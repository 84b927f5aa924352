#!/bin/sh
# Prints the path of a Redis 7 `redis-server` for the tests (REDIS_SERVER=<path>), or nothing and exit 1.
#
# The one on the PATH if it is 7.x; otherwise Debian's package, fetched without root into
# target/redis7 (apt-get download and dpkg-deb: no install, nothing outside this directory), with the
# two libraries a minimal machine may lack. Used by .ci/run for the Redis line the tests do not find by
# themselves; the tests need no Redis installed (they fall back to the embedded 6.2).
set -eu
cd "$(dirname "$0")/.."

if command -v redis-server >/dev/null 2>&1 \
    && redis-server --version 2>/dev/null | grep -q ' v=7\.'; then
  command -v redis-server
  exit 0
fi

dir=$PWD/target/redis7
wrapper=$dir/redis-server
if [ -x "$wrapper" ] && "$wrapper" --version 2>/dev/null | grep -q ' v=7\.'; then
  echo "$wrapper"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || {
  echo "redis7: no redis-server 7 on the PATH and no apt-get/dpkg-deb to fetch one" >&2
  exit 1
}
mkdir -p "$dir/debs" "$dir/root"
(cd "$dir/debs" && timeout 120 apt-get download -q redis-tools libjemalloc2 liblzf1 >&2) || {
  echo "redis7: apt-get download redis-tools libjemalloc2 liblzf1 failed" >&2
  exit 1
}
for deb in "$dir"/debs/*.deb; do
  dpkg-deb -x "$deb" "$dir/root"
done
# Redis picks its mode from argv[0]: redis-server is a link to redis-check-rdb (in the redis-server package,
# which holds nothing else we need).
ln -sf redis-check-rdb "$dir/root/usr/bin/redis-server"
cat > "$wrapper" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$(find "$dir/root" -name 'libjemalloc.so.2' -printf '%h')\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" \\
  exec "$dir/root/usr/bin/redis-server" "\$@"
EOF
chmod +x "$wrapper"
if "$wrapper" --version 2>/dev/null | grep -q ' v=7\.'; then
  echo "$wrapper"
else
  echo "redis7: the fetched redis-server does not run here: $("$wrapper" --version 2>&1 | head -c 300)" >&2
  exit 1
fi
