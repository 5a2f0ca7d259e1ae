package io.wharf.storage.bundle;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Reports every byte read (or skipped) through it: the raw bytes of a bundle, for progress. */
final class CountingInputStream extends FilterInputStream {
  private final LongConsumer counter;
  private long count;

  CountingInputStream(InputStream in, LongConsumer counter) {
    super(in);
    this.counter = counter;
  }

  long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      add(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      add(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long s = super.skip(n);
    if (s > 0) {
      add(s);
    }
    return s;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void add(long n) {
    count += n;
    counter.accept(n);
  }
}
