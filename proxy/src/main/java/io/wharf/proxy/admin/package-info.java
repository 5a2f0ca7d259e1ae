/**
 * wharf's admin API ({@code /api/wharf/v1/...} on the HTTP listener, loopback callers only until
 * accounts exist) and the services behind it, which the CLI also runs in-process when no daemon
 * holds the storage: pins, prefetch, and the {@link io.wharf.proxy.admin.MaintenanceTasks} of
 * the storage module (import, export, listing, GC, fsck, index rebuild). Long tasks stream their
 * {@link io.wharf.storage.Progress} as NDJSON events ({@link io.wharf.proxy.admin.ProgressEvents}).
 */
@NullMarked
package io.wharf.proxy.admin;

import org.jspecify.annotations.NullMarked;
