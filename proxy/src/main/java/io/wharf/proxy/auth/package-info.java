/**
 * Who a request is and what it may do: the admin account and robot accounts, their passwords and
 * secrets (hashed in files beside the data, never in the index), login throttling, Docker token
 * auth ({@code /service/token}, ES256), per-project pull policy, and the audit log.
 */
@NullMarked
package io.wharf.proxy.auth;

import org.jspecify.annotations.NullMarked;
