package io.github.dubboredis.internal.lettuce;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The registry's server-side steps. Each touches keys of one Redis Cluster slot only (a hash and its change
 * sequence share a hash tag), reads Redis's own clock where time matters, and changes, records and announces
 * in one atomic step: a reaper never deletes an entry its owner renewed a moment before, and subscribers see
 * a change's records right before its announcement. Each step does bounded work: removals walk a hash with
 * HSCAN, one page per call.
 *
 * <p>Values are read by the same rules as the Java side ({@code RegistryEntry}): an expiry is 1 to 15 ASCII
 * digits, nothing else; a URL is static when its last {@code dynamic=} (else its last {@code default.dynamic=})
 * after the first {@code ?} is neither empty nor {@code true} in ASCII case.
 *
 * <p>Change records: {@code 1 <seq> <flags> <+|~|-> <value> <field>}, the last record of a step flagged
 * {@code a} (followed by exactly one announcement on the hash's own channel), the first of a new sequence
 * flagged {@code n}.
 */
final class ScriptLibrary {

    /**
     * The library's name: {@code dubboredis_} and a digest of every step's code. Each version of the registry so
     * has a library of its own, loaded beside the others: during a rolling upgrade old and new registries each
     * call their own functions, and no registry calls a function whose code is not its own (where its library is
     * not loaded, it runs its steps as scripts).
     */
    static String libraryName() {
        return Version.LIBRARY_NAME;
    }

    /** Every function of the library is named with this. */
    static String functionPrefix() {
        return Version.LIBRARY_NAME + "_";
    }

    /** Computed on first use, once every step exists (the steps are constants of this class and ConfigScripts). */
    private static final class Version {
        static final String LIBRARY_NAME = "dubboredis_" + digest();

        private static String digest() {
            StringBuilder code = new StringBuilder(HELPERS);
            for (Script script : everyStep()) {
                code.append(script.name()).append('\n').append(script.body()).append('\n');
            }
            try {
                byte[] d = MessageDigest.getInstance("SHA-1")
                        .digest(code.toString().getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(d).substring(0, 12);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is required by every JVM", e);
            }
        }
    }

    private static List<Script> everyStep() {
        return Stream.concat(ALL.stream(), ConfigScripts.ALL.stream()).toList();
    }

    /**
     * For EVAL only: Redis 6.2 must be told to replicate a script's effects before it reads TIME and writes
     * (Redis 7 always does; functions too).
     */
    static final String EVAL_PRELUDE = "if redis.replicate_commands then redis.replicate_commands() end\n";

    static final String HELPERS = ""
            + "local function now_ms()\n"
            + "  local t = redis.call('TIME')\n"
            + "  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
            + "end\n"
            + "local function is_expiry(v)\n"
            + "  return type(v) == 'string' and #v >= 1 and #v <= 15 and string.match(v, '^%d+$') ~= nil\n"
            + "end\n"
            + "local function is_dynamic(url)\n"
            + "  local q = string.find(url, '?', 1, true)\n"
            + "  if not q then return true end\n"
            + "  local value, default = nil, nil\n"
            + "  local start = q + 1\n"
            + "  while start <= #url + 1 do\n"
            + "    local stop = string.find(url, '&', start, true) or (#url + 1)\n"
            + "    local part = string.sub(url, start, stop - 1)\n"
            + "    if string.sub(part, 1, 8) == 'dynamic=' then value = string.sub(part, 9)\n"
            + "    elseif string.sub(part, 1, 16) == 'default.dynamic=' then default = string.sub(part, 17) end\n"
            + "    start = stop + 1\n"
            + "  end\n"
            + "  local v = value or default\n"
            + "  return v == nil or v == '' or string.lower(v) == 'true'\n"
            + "end\n"
            + "local function remove(key)\n"
            // UNLINK frees a big value in the background (DEL of a million-field hash holds Redis for a second);
            // an ACL without +unlink gets DEL.
            + "  local r = redis.pcall('UNLINK', key)\n"
            + "  if type(r) == 'table' and r['err'] then redis.call('DEL', key) end\n"
            + "end\n"
            // The next change number of a hash. A sequence someone overwrote (another type, not a number) is
            // started again; a new sequence starts at Redis's time in microseconds, which is above any number
            // the old one reached, so subscribers always see the restart as a gap and read the hash whole.
            // One INCR when the sequence is there (1 means it was not: INCR made it, and it is started again).
            // An ACL without +incr fails the step, naming it (INCR again, unprotected), rather than restarting the
            // sequence at every change, which would make every subscriber read every hash whole.
            + "local function next_seq(key)\n"
            + "  local n = redis.pcall('INCR', key)\n"
            + "  if type(n) == 'table' and string.find(tostring(n['err']), 'NOPERM', 1, true) then redis.call('INCR', key) end\n"
            + "  if type(n) == 'number' and n > 1 and n < 9007199254740992 then\n"
            + "    return string.format('%.0f', n), false\n"
            + "  end\n"
            + "  if type(n) ~= 'number' then remove(key) end\n"
            + "  local t = redis.call('TIME')\n"
            + "  local s = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))\n"
            + "  redis.call('SET', key, s)\n"
            + "  return s, true\n"
            + "end\n"
            // Records changes (each {op, value, field}) on the change channel, the last one marked; then
            // announces once on the hash's own channel. A hash that became empty loses its sequence too.
            + "local function publish(key, seqkey, channel, records_on, changes, announcement)\n"
            + "  if records_on == '1' then\n"
            + "    local removed = false\n"
            + "    for i, c in ipairs(changes) do\n"
            + "      local seq, fresh = next_seq(seqkey)\n"
            + "      local flags = ((i == #changes) and 'a' or '') .. (fresh and 'n' or '')\n"
            + "      if flags == '' then flags = '-' end\n"
            // pcall: an ACL written before change channels existed refuses them; subscribers then read whole.
            + "      redis.pcall('PUBLISH', channel, '1 ' .. seq .. ' ' .. flags .. ' ' .. c[1] .. ' ' .. c[2] .. ' ' .. c[3])\n"
            + "      if c[1] == '-' then removed = true end\n"
            + "    end\n"
            // Only a removal can have emptied the hash.
            + "    if removed and redis.call('EXISTS', key) == 0 then redis.call('DEL', seqkey) end\n"
            + "  end\n"
            + "  redis.call('PUBLISH', key, announcement)\n"
            + "end\n"
            // A key of ours that someone overwrote with another type is replaced.
            + "local function repair(key, wanted)\n"
            + "  local t = redis.call('TYPE', key)['ok']\n"
            + "  if t ~= 'none' and t ~= wanted then remove(key) return 1 end\n"
            + "  return 0\n"
            + "end\n";

    /** KEYS: hash, sequence. ARGV: change channel, records ('1'/'0'), field, value. Returns 1 if the field was new. */
    static final Script PUT = new Script("put", ""
            + "local created = redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])\n"
            + "publish(KEYS[1], KEYS[2], ARGV[1], ARGV[2], {{created == 1 and '+' or '~', ARGV[4], ARGV[3]}}, 'register')\n"
            + "return created\n");

    /** KEYS: hash, sequence. ARGV: change channel, records, field... Returns the number removed. */
    static final Script REMOVE = new Script("remove", ""
            + "local changes = {}\n"
            + "for i = 3, #ARGV do\n"
            + "  if redis.call('HDEL', KEYS[1], ARGV[i]) == 1 then changes[#changes + 1] = {'-', '0', ARGV[i]} end\n"
            + "end\n"
            + "publish(KEYS[1], KEYS[2], ARGV[1], ARGV[2], changes, 'unregister')\n"
            + "return #changes\n");

    /** KEYS: hash, sequence. ARGV: change channel, records, old field, new field, value. */
    static final Script REPLACE = new Script("replace", ""
            + "local changes = {}\n"
            + "if ARGV[3] ~= ARGV[4] and redis.call('HDEL', KEYS[1], ARGV[3]) == 1 then changes[1] = {'-', '0', ARGV[3]} end\n"
            + "local created = redis.call('HSET', KEYS[1], ARGV[4], ARGV[5])\n"
            + "changes[#changes + 1] = {created == 1 and '+' or '~', ARGV[5], ARGV[4]}\n"
            + "publish(KEYS[1], KEYS[2], ARGV[1], ARGV[2], changes, #changes > 1 and 'unregister' or 'register')\n"
            + "return created\n");

    /**
     * KEYS: hash, sequence. ARGV: change channel, records, owner value, cursor, count. One HSCAN page: removes
     * the dynamic fields whose value is exactly the dead owner's lease expiry, if that is past. Returns
     * {next cursor, removed}.
     */
    static final Script REMOVE_OWNER_ENTRIES = new Script("remove-owner-entries", ""
            + "local step = redis.call('HSCAN', KEYS[1], ARGV[4], 'COUNT', ARGV[5])\n"
            + "local changes = {}\n"
            + "if is_expiry(ARGV[3]) and tonumber(ARGV[3]) < now_ms() then\n"
            + "  local h = step[2]\n"
            + "  for i = 1, #h, 2 do\n"
            + "    if h[i + 1] == ARGV[3] and is_dynamic(h[i]) and redis.call('HDEL', KEYS[1], h[i]) == 1 then\n"
            + "      changes[#changes + 1] = {'-', '0', h[i]}\n"
            + "    end\n"
            + "  end\n"
            + "end\n"
            + "if #changes > 0 then publish(KEYS[1], KEYS[2], ARGV[1], ARGV[2], changes, 'unregister') end\n"
            + "return {step[1], #changes}\n");

    /**
     * KEYS: hash, sequence. ARGV: change channel, records, grace in ms, cursor, count. One HSCAN page: removes
     * the dynamic fields whose expiry lies more than the grace in the past (entries of older registries, stamped
     * with their own clock). Returns {next cursor, removed}.
     */
    static final Script REMOVE_EXPIRED_ENTRIES = new Script("remove-expired-entries", ""
            + "local step = redis.call('HSCAN', KEYS[1], ARGV[4], 'COUNT', ARGV[5])\n"
            + "local now = now_ms()\n"
            + "local grace = tonumber(ARGV[3])\n"
            + "local changes = {}\n"
            + "local h = step[2]\n"
            + "for i = 1, #h, 2 do\n"
            + "  local v = h[i + 1]\n"
            + "  if is_expiry(v) and tonumber(v) + grace < now and is_dynamic(h[i])\n"
            + "      and redis.call('HDEL', KEYS[1], h[i]) == 1 then\n"
            + "    changes[#changes + 1] = {'-', '0', h[i]}\n"
            + "  end\n"
            + "end\n"
            + "if #changes > 0 then publish(KEYS[1], KEYS[2], ARGV[1], ARGV[2], changes, 'unregister') end\n"
            + "return {step[1], #changes}\n");

    /** KEYS: hash, sequence. Returns {sequence or '0', HLEN}, read together. */
    static final Script PROBE = new Script("probe", ""
            + "local s = redis.pcall('GET', KEYS[2])\n"
            + "if type(s) ~= 'string' or KEYS[2] == KEYS[1] then s = '0' end\n"
            + "return {s, redis.call('HLEN', KEYS[1])}\n");

    /**
     * KEYS: lock. ARGV: token, ttl ms. Takes the lock. Nothing written by hand stops the job it elects for longer
     * than one ttl: a key of another type is replaced, a lock left without a TTL gets one, and a TTL longer than
     * this ttl is cut to it. Returns 1 if taken, 2 if taken after replacing a key of another type, -1 if not taken
     * but given the TTL it lacked, 0 if not taken.
     */
    static final Script LOCK = new Script("lock", ""
            + "local replaced = repair(KEYS[1], 'string')\n"
            + "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 + replaced end\n"
            + "local ttl = redis.call('PTTL', KEYS[1])\n"
            + "if ttl == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return -1 end\n"
            + "if ttl > tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end\n"
            + "return 0\n");

    /** KEYS: lock. ARGV: token, ttl ms. Extends the lock to the ttl if the token holds it; returns 1 if it does. */
    static final Script EXTEND_LOCK = new Script("extend-lock", ""
            + "local v = redis.pcall('GET', KEYS[1])\n"
            + "if type(v) == 'string' and v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end\n"
            + "return 0\n");

    /** KEYS: marker. ARGV: candidate. Creates the data marker if missing; returns its value. */
    static final Script MARKER = new Script("marker", ""
            + "repair(KEYS[1], 'string')\n"
            + "redis.call('SET', KEYS[1], ARGV[1], 'NX')\n"
            + "return redis.call('GET', KEYS[1])\n");

    /** KEYS: owners set. ARGV: owner id, expiry. Records a live owner; returns 1 if the set had to be replaced. */
    static final Script LEASE = new Script("lease", ""
            + "local repaired = repair(KEYS[1], 'zset')\n"
            + "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])\n"
            + "return repaired\n");

    /** KEYS: an owner's key set. ARGV: expire-at ms, key... Adds keys and sets the record's expiry. */
    static final Script LEASE_KEYS = new Script("lease-keys", ""
            + "local repaired = repair(KEYS[1], 'set')\n"
            + "if #ARGV > 1 then redis.call('SADD', KEYS[1], unpack(ARGV, 2)) end\n"
            + "redis.call('PEXPIREAT', KEYS[1], ARGV[1])\n"
            + "return repaired\n");

    /** KEYS: owners set. ARGV: owner id, expected expiry. Drops the owner if it did not renew meanwhile. */
    static final Script END_LEASE = new Script("end-lease", ""
            + "local score = redis.pcall('ZSCORE', KEYS[1], ARGV[1])\n"
            + "if type(score) == 'string' and tonumber(score) == tonumber(ARGV[2]) then\n"
            + "  return redis.call('ZREM', KEYS[1], ARGV[1])\n"
            + "end\n"
            + "return 0\n");

    /** KEYS: mapping hash. ARGV: field, item, channel. Adds the item to the comma-separated list unless present. */
    static final Script LIST_ADD = new Script("list-add", ""
            + "local current = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if current then\n"
            + "  for name in string.gmatch(current, '([^,]+)') do\n"
            + "    if string.gsub(name, '^%s*(.-)%s*$', '%1') == ARGV[2] then return 0 end\n"
            + "  end\n"
            + "  redis.call('HSET', KEYS[1], ARGV[1], current .. ',' .. ARGV[2])\n"
            + "else\n"
            + "  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "end\n"
            + "redis.call('PUBLISH', ARGV[3], ARGV[1])\n"
            + "return 1\n");

    /**
     * KEYS: hash. ARGV: field, new content, channel, expected, 'absent' or 'present'. Compare-and-set of one
     * field; publishes the field name. Returns 1 if set.
     */
    static final Script FIELD_CAS = new Script("field-cas", ""
            + "local current = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if ARGV[5] == 'absent' then\n"
            + "  if current then return 0 end\n"
            + "elseif current ~= ARGV[4] then\n"
            + "  return 0\n"
            + "end\n"
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "redis.call('PUBLISH', ARGV[3], ARGV[1])\n"
            + "return 1\n");

    static final List<Script> ALL = List.of(PUT, REMOVE, REPLACE, REMOVE_OWNER_ENTRIES, REMOVE_EXPIRED_ENTRIES, PROBE, EXTEND_LOCK,
            LOCK, MARKER, LEASE, LEASE_KEYS, END_LEASE, LIST_ADD, FIELD_CAS);

    private ScriptLibrary() {
    }

    /**
     * The function library an operator loads once per version of the registry ({@code FUNCTION LOAD REPLACE}, as
     * {@code dubbo-redis-cli functions load} does): every step as a function of the same body.
     */
    static String functionLibrary() {
        StringBuilder s = new StringBuilder("#!lua name=" + libraryName() + "\n").append(HELPERS);
        for (Script script : everyStep()) {
            s.append("redis.register_function('").append(script.functionName()).append("', function(KEYS, ARGV)\n")
                    .append(script.body()).append("end)\n");
        }
        return s.toString();
    }
}
