#!/bin/sh
# The registry benchmarks: this registry, Dubbo 3.3's ZooKeeper registry and the original Dubbo 2.7 Redis
# registry side by side, on this machine, through the same workload and the same measuring code.
#
#   ./bench.sh                          every scenario, full sizes (about 8 minutes on 2 cores, plus up to 20 for
#                                       the fan-out: 5,000 providers x 500 subscribers is more than 2 cores carry)
#   ./bench.sh fanout --fanout-subscribers 100   the fan-out at a smaller size (--fanout-providers too)
#   ./bench.sh latency subscribe        only these: cycle, latency (with the round-trip floor), subscribe,
#                                       register, renewal, churn, fanout
#   ./bench.sh --quick                  small sizes, about two minutes: tries the harness, proves nothing
#   ./bench.sh --registries ours,zookeeper   leave a registry out
#   ./bench.sh --zk-no-fsync            ZooKeeper without its per-write fsync (the Redis servers have no persistence)
#   ./bench.sh bigkeys [--quick] [--priority]  another client's PING latency while registries work next to 1M/2M-entry hashes
#   BENCH_JVM_OPTS='-XX:StartFlightRecording=filename=ours.jfr' ./bench.sh cycle --registries ours
#                                       extra options for the benchmark JVM (a profile, say); not passed to children
#   BENCH_CHILD_JVM_OPTS='-XX:StartFlightRecording=filename=/tmp/fanout.jfr' ./bench.sh fanout --registries ours
#                                       extra options for the child JVMs (the fan-out's agents, the old registry's)
#
# Starts its own servers (two redis-server, one ZooKeeper in a JVM of its own) and runs the old registry in a
# child JVM. Tables on stdout, progress on stderr, every figure in dubbo-redis-benchmarks/target/benchmark-results.json.
set -eu
cd "$(dirname "$0")"
./mvnw -q -B -Dmaven.test.skip=true -pl dubbo-redis-benchmarks -am package
classpath="dubbo-redis-benchmarks/target/classes:$(cat dubbo-redis-benchmarks/target/classpath.txt)"
legacy="legacy-dubbo27-app/target/classes:$(cat legacy-dubbo27-app/target/classpath.txt)"
# Loopback only (see README, "Loopback only"). The child JVMs (old registry, ZooKeeper) get the same heap and
# collector options; the serial collector makes System.gc() a full collection, for the heap figures.
exec tools/loopback/bin/java -Xms1g -Xmx1g -XX:+UseSerialGC -Ddubbo.application.logger=slf4j -Ddubbo.json-framework.prefer=fastjson2 \
  ${BENCH_JVM_OPTS:-} -Dbench.child.opts="${BENCH_CHILD_JVM_OPTS:-}" -Dbench.legacy.classpath="$legacy" -Dbench.revision="$(git describe --always --dirty 2>/dev/null || echo unknown)" \
  -cp "$classpath" io.github.dubboredis.benchmarks.RegistryBenchmarks "$@"
