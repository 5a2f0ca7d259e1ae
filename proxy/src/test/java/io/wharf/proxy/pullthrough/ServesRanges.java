package io.wharf.proxy.pullthrough;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WireMock transformer that answers {@code Range: bytes=N-} of a 200 stub as a registry does: 206
 * with the tail of the stub's body and its {@code Content-Range}, so a resumed fetch may ask from
 * whatever offset it reached. Stubs opt in with {@code withTransformers(ServesRanges.NAME)}.
 */
final class ServesRanges implements ResponseDefinitionTransformerV2 {
  static final String NAME = "serves-ranges";
  private static final Pattern OPEN_RANGE = Pattern.compile("bytes=(\\d+)-");

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public boolean applyGlobally() {
    return false;
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    ResponseDefinition stub = event.getResponseDefinition();
    String range = event.getRequest().getHeader("Range");
    Matcher m = range == null ? null : OPEN_RANGE.matcher(range.trim());
    if (m == null || !m.matches() || stub.getStatus() != 200) {
      return stub;
    }
    byte[] body = stub.getByteBody();
    int start = Integer.parseInt(m.group(1));
    if (start >= body.length) {
      return ResponseDefinitionBuilder.like(stub).withStatus(416)
          .withHeaders(headers(stub, "bytes */" + body.length, 0)).withBody(new byte[0]).build();
    }
    return ResponseDefinitionBuilder.like(stub).withStatus(206)
        .withHeaders(headers(stub, "bytes " + start + "-" + (body.length - 1) + "/" + body.length, body.length - start))
        .withBody(Arrays.copyOfRange(body, start, body.length))
        .build();
  }

  /** The stub's headers with the part's Content-Range and Content-Length instead of the whole body's. */
  private static HttpHeaders headers(ResponseDefinition stub, String contentRange, int length) {
    List<HttpHeader> kept = new ArrayList<>();
    if (stub.getHeaders() != null) {
      for (HttpHeader h : stub.getHeaders().all()) {
        if (!h.keyEquals("Content-Length") && !h.keyEquals("Content-Range")) {
          kept.add(h);
        }
      }
    }
    kept.add(new HttpHeader("Content-Range", contentRange));
    kept.add(new HttpHeader("Content-Length", Integer.toString(length)));
    return new HttpHeaders(kept);
  }
}
