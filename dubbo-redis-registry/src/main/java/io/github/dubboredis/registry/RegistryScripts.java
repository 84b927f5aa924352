package io.github.dubboredis.registry;

import io.github.dubboredis.redis.LuaScript;

/**
 * The server-side scripts. Each touches a single hash key (so they also run on Redis Cluster), reads
 * Redis's own clock, and deletes and announces in one atomic step: a reaper can never delete an entry
 * that its owner renewed a moment before, and two reapers never both announce the same removal.
 */
final class RegistryScripts {

    private RegistryScripts() {
    }

    private static final String NOW = ""
            + "if redis.replicate_commands then redis.replicate_commands() end\n"
            + "local t = redis.call('TIME')\n"
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

    /**
     * KEYS[1]: a category hash. ARGV: field, expected expiry, field, expected expiry, ...
     * Deletes each field whose value is still the expected expiry and lies in the past; publishes one
     * {@code unregister} if anything was deleted. Returns {deleted count, field, field, ...}: the fields
     * that are gone (deleted now or before), so their lease-index members can be dropped.
     */
    static final LuaScript REAP_EXPIRED_LEASES = new LuaScript("reap-expired-leases", NOW
            + "local gone = {0}\n"
            + "local removed = 0\n"
            + "for i = 1, #ARGV, 2 do\n"
            + "  local current = redis.call('HGET', KEYS[1], ARGV[i])\n"
            + "  if not current then\n"
            + "    gone[#gone + 1] = ARGV[i]\n"
            + "  elseif current == ARGV[i + 1] and tonumber(current) and tonumber(current) < now then\n"
            + "    redis.call('HDEL', KEYS[1], ARGV[i])\n"
            + "    removed = removed + 1\n"
            + "    gone[#gone + 1] = ARGV[i]\n"
            + "  end\n"
            + "end\n"
            + "if removed > 0 then redis.call('PUBLISH', KEYS[1], 'unregister') end\n"
            + "gone[1] = removed\n"
            + "return gone\n");

    /**
     * KEYS[1]: a hash. ARGV[1]: the old field, ARGV[2]: the new field, ARGV[3]: its expiry. Swaps one
     * entry for another in one step (an instance whose metadata changed), so that no reader sees neither
     * or both; announces the removal and the addition.
     */
    static final LuaScript REPLACE_ENTRY = new LuaScript("replace-entry", ""
            + "if ARGV[1] ~= ARGV[2] then\n"
            + "  redis.call('HDEL', KEYS[1], ARGV[1])\n"
            + "  redis.call('PUBLISH', KEYS[1], 'unregister')\n"
            + "end\n"
            + "redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])\n"
            + "redis.call('PUBLISH', KEYS[1], 'register')\n"
            + "return {1}\n");

    /**
     * KEYS[1]: a category hash. ARGV[1]: grace in ms. Deletes every dynamic entry whose numeric expiry
     * lies more than the grace in the past (entries of older registries, stamped with their own clock);
     * leaves {@code dynamic=false} entries and unparsable values alone. Returns {deleted count}.
     */
    static final LuaScript SWEEP_EXPIRED = new LuaScript("sweep-expired", NOW
            + "local grace = tonumber(ARGV[1])\n"
            + "local function static(url)\n"
            + "  local v = string.match(url, '[?&]dynamic=([^&]*)')\n"
            + "  if v == nil then v = string.match(url, '[?&]default%.dynamic=([^&]*)') end\n"
            + "  return v ~= nil and v ~= '' and string.lower(v) ~= 'true'\n"
            + "end\n"
            + "local h = redis.call('HGETALL', KEYS[1])\n"
            + "local removed = 0\n"
            + "for i = 1, #h, 2 do\n"
            + "  local expiry = tonumber(h[i + 1])\n"
            + "  if expiry and expiry + grace < now and not static(h[i]) then\n"
            + "    redis.call('HDEL', KEYS[1], h[i])\n"
            + "    removed = removed + 1\n"
            + "  end\n"
            + "end\n"
            + "if removed > 0 then redis.call('PUBLISH', KEYS[1], 'unregister') end\n"
            + "return {removed}\n");
}
