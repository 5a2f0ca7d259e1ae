package io.wharf.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The one assertion every store test needs: this call fails with that OCI error. */
final class OciAssertions {
  private OciAssertions() {}

  static void assertError(ThrowingCallable call, OciError error) {
    assertThatThrownBy(call).isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(error));
  }
}
