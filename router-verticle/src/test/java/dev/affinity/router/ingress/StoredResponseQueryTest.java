package dev.affinity.router.ingress;

import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.Operation;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What of a stored-response request's query goes upstream: OpenAI's documented parameters, re-encoded, or a 400. */
class StoredResponseQueryTest {

  private static MultiMap params(String... namesAndValues) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      params.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return params;
  }

  private static String refused(Operation operation, MultiMap params) {
    GatewayErrorException refused = catchThrowableOfType(GatewayErrorException.class,
        () -> StoredResponseQuery.upstream(operation, params));
    assertThat(refused.error().status()).isEqualTo(400);
    return refused.error().param();
  }

  @Test
  void theDocumentedParametersGoUpstreamReEncodedInOrder() {
    assertThat(StoredResponseQuery.upstream(Operation.RESPONSE_INPUT_ITEMS, params("limit", "2", "order", "asc",
        "after", "msg_1&x=y", "include[]", "message.input_image.image_url")))
        .isEqualTo("limit=2&order=asc&after=msg_1%26x%3Dy&include%5B%5D=message.input_image.image_url");
    assertThat(StoredResponseQuery.upstream(Operation.RESPONSE_RETRIEVE, params("include", "reasoning.encrypted_content",
        "stream", "false"))).isEqualTo("include=reasoning.encrypted_content");
    assertThat(StoredResponseQuery.upstream(Operation.RESPONSE_DELETE, params())).isNull();
  }

  /** A retrieve may ask for the events of a background response, to resume its stream. */
  @Test
  void aStreamedRetrieveGoesUpstream() {
    MultiMap resume = params("stream", "true", "starting_after", "4");
    assertThat(StoredResponseQuery.upstream(Operation.RESPONSE_RETRIEVE, resume))
        .isEqualTo("stream=true&starting_after=4");
    assertThat(StoredResponseQuery.streamed(Operation.RESPONSE_RETRIEVE, resume)).isTrue();
    assertThat(StoredResponseQuery.streamed(Operation.RESPONSE_RETRIEVE, params("stream", "false"))).isFalse();
    assertThat(StoredResponseQuery.streamed(Operation.RESPONSE_INPUT_ITEMS, resume)).isFalse();
    assertThat(refused(Operation.RESPONSE_RETRIEVE, params("starting_after", "4"))).as("without stream=true")
        .isEqualTo("starting_after");
  }

  @Test
  void unknownParametersAreRefusedNamingThem() {
    assertThat(refused(Operation.RESPONSE_RETRIEVE, params("limit", "2"))).isEqualTo("limit");
    assertThat(refused(Operation.RESPONSE_INPUT_ITEMS, params("stream", "true"))).isEqualTo("stream");
    assertThat(refused(Operation.RESPONSE_DELETE, params("include", "x"))).isEqualTo("include");
    assertThat(refused(Operation.RESPONSE_CANCEL, params("api-version", "2025-01-01"))).isEqualTo("api-version");
  }
}
