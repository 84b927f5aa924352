package io.github.dubboredis.internal.store;

import java.util.Map;

/**
 * One page of a hash read.
 *
 * @param entries field to value, as Redis returned them (a scan may return a field twice across pages)
 * @param cursor where the next page starts; {@code "0"} when this was the last
 * @param size the hash's field count (HLEN) when the read started; -1 on later pages
 * @param sequence the key's change sequence when the read started (0: none); -1 on later pages
 */
public record HashPage(Map<String, String> entries, String cursor, long size, long sequence) {

    public boolean last() {
        return "0".equals(cursor);
    }
}
