package io.github.dubboredis.internal.store;

import java.util.List;

/**
 * One page of a key scan (SCAN, SSCAN): the names found, and where the next page starts, as the store
 * understands it (on Redis Cluster a scan cursor also names the node it is on); null when done.
 */
public record KeyPage(List<String> keys, Object next) {

    public boolean last() {
        return next == null;
    }
}
