package io.wharf.proxy.server;

/** The names of the handlers in a connection's pipeline, in order. */
final class PipelineNames {
  static final String TLS = "tls";
  static final String TLS_FAILURES = "tls-failures";
  static final String HEADER_TIMEOUT_START = "header-timeout-start";
  static final String HTTP_CODEC = "http-codec";
  static final String HEADER_TIMEOUT_END = "header-timeout-end";
  static final String HEADER_COUNT = "header-count";
  static final String IDLE_TIMEOUT = "idle-timeout";
  static final String READ_GATE = "read-gate";
  static final String ACCESS_LOG = "access-log";
  static final String CHUNKED_WRITE = "chunked-write";
  static final String UPLOAD_FLOW_CONTROL = "upload-flow-control";
  static final String ROUTE = "route";

  private PipelineNames() {}
}
