package io.github.dubboredis.internal.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.time.Availability;
import io.github.dubboredis.internal.time.RedisClock;

/**
 * Turns a hash read from Redis into the snapshot of its live entries. Unreadable fields are skipped and reported
 * (one summary per key); expired ones are left out, except right after Redis was unreachable or stalled, when an
 * expiry proves nothing: its owner could not renew.
 */
final class HashParser {

    private final RedisClock clock;
    private final Availability availability;
    private final DataReports reports;

    HashParser(RedisClock clock, Availability availability, DataReports reports) {
        this.clock = clock;
        this.availability = availability;
        this.reports = reports;
    }

    KeySnapshot parse(CategoryKey key, Map<String, String> hash, long sequence) {
        long now = clock.now();
        boolean trusted = availability.expiriesTrusted();
        List<RegistryEntry> live = new ArrayList<>(hash.size());
        int malformed = 0;
        String example = null;
        String reason = null;
        for (Map.Entry<String, String> e : hash.entrySet()) {
            RegistryEntry entry;
            try {
                entry = RegistryEntry.parse(e.getKey(), e.getValue());
            } catch (RegistryEntry.MalformedEntryException bad) {
                if (malformed++ == 0) {
                    example = e.getKey();
                    reason = bad.getMessage();
                }
                continue;
            }
            if (entry.isLiveAt(now) || !trusted) {
                live.add(entry);
            }
        }
        if (malformed > 0) {
            reports.malformedEntries(key.redisKey(), malformed, example, reason);
        }
        return KeySnapshot.of(key, live, sequence);
    }
}
