#!/bin/sh
# The operator CLI: builds it if needed, then runs it. Examples:
#   ./dubbo-redis-cli.sh ls -a redis://10.0.0.1:6379
#   DUBBO_REDIS_PASSWORD=... ./dubbo-redis-cli.sh doctor -a 'redis://10.0.0.1:6379?redis-client=sentinel&master.name=mymaster' --username registry
#   ./dubbo-redis-cli.sh --help
set -eu
cd "$(dirname "$0")"
if [ ! -f dubbo-redis-cli/target/classpath.txt ] || [ -n "$(find dubbo-redis-registry/src dubbo-redis-console/src dubbo-redis-cli/src -newer dubbo-redis-cli/target/classpath.txt -type f | head -1)" ]; then
  ./mvnw -q -B -Dmaven.test.skip=true -pl dubbo-redis-cli -am package >&2
fi
exec java -Ddubbo.application.logger=slf4j -cp "dubbo-redis-cli/target/classes:$(cat dubbo-redis-cli/target/classpath.txt)" io.github.dubboredis.cli.RegistryCli "$@"
