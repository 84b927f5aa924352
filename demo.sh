#!/bin/sh
# The one-command demo: builds what it needs, starts a Redis of its own (or uses --redis host:port),
# two providers and a consumer on the Redis registry, shows the registry and the calls, and cleans up.
set -eu
cd "$(dirname "$0")"
./mvnw -q -B -Dmaven.test.skip=true -pl dubbo-redis-demo -am package
classpath="dubbo-redis-demo/target/classes:$(cat dubbo-redis-demo/target/classpath.txt)"
# dubbo.json-framework.prefer: Dubbo 3.3.6 fails on JDK 24+ without it (apache/dubbo#16296).
case " $* " in
  *" --redis "*)
    # An outside Redis is not reachable from a private network namespace: run on the host network.
    exec java -Ddubbo.application.logger=slf4j -Ddubbo.json-framework.prefer=fastjson2 -cp "$classpath" io.github.dubboredis.demo.Demo "$@" ;;
  *)
    # Keep every byte on loopback: Dubbo then registers 127.0.0.1 (see docs/operations.md, "Loopback only").
    exec tools/loopback/bin/java -Ddubbo.application.logger=slf4j -Ddubbo.json-framework.prefer=fastjson2 -cp "$classpath" io.github.dubboredis.demo.Demo "$@" ;;
esac
