package io.wharf.bench.scenario;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines on stderr, so a long run shows where it is; the report goes to its file. */
public final class Progress {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Progress() {}

  public static void say(String message) {
    System.err.println("[" + LocalTime.now().format(TIME) + "] " + message);
  }
}
