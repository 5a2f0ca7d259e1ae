package io.wharf.proxy.route.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioFile;
import io.wharf.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;

/** Builds what routes answer with: the registry's header names, JSON bodies and file bodies. */
public final class Responses {
  /** On every response: tells Docker clients this is a v2 registry. */
  public static final String API_VERSION = "Docker-Distribution-API-Version";
  public static final String API_VERSION_VALUE = "registry/2.0";
  public static final String DOCKER_CONTENT_DIGEST = "Docker-Content-Digest";
  public static final String DOCKER_UPLOAD_UUID = "Docker-Upload-UUID";
  public static final String OCI_SUBJECT = "OCI-Subject";
  public static final String OCI_FILTERS_APPLIED = "OCI-Filters-Applied";
  public static final String JSON = "application/json";
  public static final String OCTET_STREAM = "application/octet-stream";

  /**
   * Chunk size for ChunkedNioFile under TLS, where sendfile cannot be used: one chunk (and its
   * encrypted copy) is what a TLS download holds; 256 KiB took measurably less CPU per byte than
   * 64 KiB on a 300 MiB blob, and larger gained nothing clear.
   */
  private static final int TLS_CHUNK = 256 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Responses() {}

  /** Fresh, empty response headers. */
  public static HttpHeaders headers() {
    return new DefaultHttpHeaders();
  }

  /** The strong ETag of content-addressed bytes: the quoted digest. */
  public static String etag(Digest digest) {
    return "\"" + digest + "\"";
  }

  /**
   * Whether a conditional request's {@code If-None-Match} names this ETag (or {@code *}), so a
   * 304 answers it.
   */
  public static boolean matchesIfNoneMatch(Exchange exchange, Digest digest) {
    String header = exchange.header(HttpHeaderNames.IF_NONE_MATCH);
    if (header == null) {
      return false;
    }
    String etag = etag(digest);
    for (String candidate : header.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2); // weak comparison, RFC 9110 13.1.2
      }
      if (c.equals("*") || c.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** A value serialised as a JSON body. */
  public static ByteBuf json(Object value) {
    try {
      return Unpooled.wrappedBuffer(MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("not serialisable as JSON: " + value.getClass().getName(), e);
    }
  }

  /** The shared mapper, for routes that build a JSON tree. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * The body object for {@code count} bytes of a file from {@code position}: a
   * {@link DefaultFileRegion} (sendfile, zero-copy) on plain HTTP, a chunked read when an
   * {@link SslHandler} must encrypt the bytes (that needs a {@code ChunkedWriteHandler} in the
   * pipeline, which the TLS listener adds), each chunk with its share of the {@link TlsSendBudget}.
   * The body owns the channel and closes it once written or discarded.
   */
  public static Object fileBody(ChannelHandlerContext ctx, FileChannel file, long position, long count) {
    if (ctx.pipeline().get(SslHandler.class) == null) {
      return new DefaultFileRegion(file, position, count);
    }
    try {
      return new HttpChunkedInput(new BudgetedChunkedInput(
          new ChunkedNioFile(file, position, count, TLS_CHUNK), TLS_CHUNK, TlsSendBudget.jvm(), ctx.channel()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
