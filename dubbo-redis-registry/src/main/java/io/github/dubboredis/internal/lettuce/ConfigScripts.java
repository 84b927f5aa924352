package io.github.dubboredis.internal.lettuce;

import java.util.List;

/**
 * The configuration centre's server-side steps. Each touches one group's keys only (its hash, and for reads its
 * data marker, which share a hash tag: one Cluster slot), and each write changes and announces in one atomic
 * step, so a subscriber that hears a change reads the state that caused it, or a later one. Content is never
 * interpreted; a ticket is the SHA-1 of the stored bytes ({@code redis.sha1hex}), so a compare-and-set compares
 * exactly what Redis holds.
 */
final class ConfigScripts {

    /**
     * KEYS: hash, marker. ARGV: max bytes, tickets ('1'/'0'), field... Returns {marker or nil, TYPE of the hash,
     * then per field: size (-1: absent), content (nil when absent or over the limit: it stays on the server), ticket
     * (nil unless asked)}. Only commands the registry's ACL rule allows (no HSTRLEN).
     */
    static final Script READ = new Script("config-read", ""
            + "local marker = redis.pcall('GET', KEYS[2])\n"
            + "if type(marker) ~= 'string' then marker = false end\n"
            + "local t = redis.call('TYPE', KEYS[1])['ok']\n"
            + "local out = {marker, t}\n"
            + "if t ~= 'hash' and t ~= 'none' then return out end\n"
            + "local max = tonumber(ARGV[1])\n"
            + "for i = 3, #ARGV do\n"
            + "  local n = -1\n"
            + "  local v = false\n"
            + "  local ticket = false\n"
            + "  if t == 'hash' then\n"
            + "    local found = redis.call('HGET', KEYS[1], ARGV[i])\n"
            + "    if found then\n"
            + "      n = string.len(found)\n"
            + "      if n <= max then v = found end\n"
            + "      if ARGV[2] == '1' then ticket = redis.sha1hex(found) end\n"
            + "    end\n"
            + "  end\n"
            + "  out[#out + 1] = n\n"
            + "  out[#out + 1] = v\n"
            + "  out[#out + 1] = ticket\n"
            + "end\n"
            + "return out\n");

    /** KEYS: hash. ARGV: field, content, channel. Sets the field unless it holds the content; returns 1 if changed. */
    static final Script PUT = new Script("config-put", ""
            + "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 0 end\n"
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "redis.call('PUBLISH', ARGV[3], ARGV[1])\n"
            + "return 1\n");

    /**
     * KEYS: hash. ARGV: field, content, channel, expected ticket ('' : the field must not exist). Returns 1 if the
     * field was as expected (and holds the content now), else 0.
     */
    static final Script CAS = new Script("config-cas", ""
            + "local current = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if ARGV[4] == '' then\n"
            + "  if current then return 0 end\n"
            + "elseif not current or redis.sha1hex(current) ~= ARGV[4] then\n"
            + "  return 0\n"
            + "end\n"
            + "if current ~= ARGV[2] then\n"
            + "  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "  redis.call('PUBLISH', ARGV[3], ARGV[1])\n"
            + "end\n"
            + "return 1\n");

    /** KEYS: hash. ARGV: field, channel. Removes the field and announces it, existing or not; returns 1 if it existed. */
    static final Script REMOVE = new Script("config-remove", ""
            + "local n = redis.call('HDEL', KEYS[1], ARGV[1])\n"
            + "redis.call('PUBLISH', ARGV[2], ARGV[1])\n"
            + "return n\n");

    /** KEYS: hash. ARGV: cursor, count. One HSCAN page: {next cursor, field, size, field, size...}. */
    static final Script KEYS = new Script("config-keys", ""
            + "local step = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])\n"
            + "local out = {step[1]}\n"
            + "local h = step[2]\n"
            + "for i = 1, #h, 2 do\n"
            + "  out[#out + 1] = h[i]\n"
            + "  out[#out + 1] = string.len(h[i + 1])\n"
            + "end\n"
            + "return out\n");

    static final List<Script> ALL = List.of(READ, PUT, CAS, REMOVE, KEYS);

    private ConfigScripts() {
    }
}
