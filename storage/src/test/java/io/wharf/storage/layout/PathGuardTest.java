package io.wharf.storage.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class PathGuardTest {
  @TempDir Path root;

  @Test
  void acceptsPathsUnderTheRoot() {
    PathGuard guard = new PathGuard(root);

    assertThat(guard.check(root.resolve("a/b/c"))).isEqualTo(root.resolve("a/b/c"));
    assertThat(guard.check(root)).isEqualTo(root);
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../sibling", "a/../../x", "a/../b", "./a", "a/./b"})
  void refusesDotSegmentsEvenWhenTheyStayInside(String relative) {
    PathGuard guard = new PathGuard(root);

    assertThatThrownBy(() -> guard.check(root.resolve(relative)))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
  }

  @Test
  void refusesAbsolutePathsElsewhere() {
    PathGuard guard = new PathGuard(root);

    assertThatThrownBy(() -> guard.check(Path.of("/etc/passwd"))).isInstanceOf(OciException.class);
    assertThatThrownBy(() -> guard.check(root.resolve("/tmp"))).isInstanceOf(OciException.class);
  }

  @Test
  void refusesASiblingWhoseNameStartsWithTheRootsName() {
    PathGuard guard = new PathGuard(root.resolve("v2"));

    assertThatThrownBy(() -> guard.check(root.resolve("v2x/file"))).isInstanceOf(OciException.class);
  }

  @Test
  void safeComponentAcceptsUuidsAndTheUploadIdAlphabet() {
    assertThat(PathGuard.requireSafeComponent("0b7c3f1e-9d2a-4c51-8e0f-2a6b9c1d3e4f")).isNotEmpty();
    assertThat(PathGuard.requireSafeComponent("A_z-9")).isEqualTo("A_z-9");
  }
}
