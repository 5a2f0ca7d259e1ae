package io.wharf.storage;

/**
 * Test-only crash points of the commit protocol. When the system property {@code wharf.test.crashAt}
 * names {@code <kind>:<step>} (e.g. {@code manifest:after-rename}), the JVM halts there, as a power
 * cut or kill -9 would stop it, so tests can prove that a restart finds the whole object or nothing.
 * Unset in production: the check is one static read.
 */
public enum CrashPoint {
  AFTER_TEMP_WRITE("after-temp-write"),
  AFTER_FSYNC("after-fsync"),
  AFTER_RENAME("after-rename"),
  AFTER_INDEX_WRITE("after-index-write");

  /** The kinds of commit: a blob from an upload, and a manifest push. */
  public static final String BLOB = "blob";
  public static final String MANIFEST = "manifest";

  private static final String TARGET = System.getProperty("wharf.test.crashAt", "");

  private final String step;

  CrashPoint(String step) {
    this.step = step;
  }

  public String step() {
    return step;
  }

  /** Halts the JVM if this point of this kind of commit is the configured one. */
  public void reached(String kind) {
    if (!TARGET.isEmpty() && TARGET.equals(kind + ":" + step)) {
      System.err.println("wharf: test crash point reached: " + TARGET);
      System.err.flush();
      Runtime.getRuntime().halt(86);
    }
  }
}
