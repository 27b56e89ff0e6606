package dev.affinity.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.SseTap;

import java.io.IOException;

/** Keeps the usage chunk of an OpenAI stream (present when usage was asked for) and any error chunk. */
public final class OpenAiStreamTap extends SseTap {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenUsage usage = TokenUsage.NONE;
  private String errorType;

  @Override
  protected void onData(String event, String data) {
    // only the usage chunk and error chunks matter; content chunks are not parsed
    if (!data.contains("\"usage\":{") && !data.contains("\"usage\": {") && !data.startsWith("{\"error\"")) {
      return;
    }
    try {
      JsonNode chunk = JSON.readTree(data);
      TokenUsage reported = OpenAiUsage.of(chunk.get("usage"));
      if (reported != null) {
        usage = reported;
      }
      if (chunk.has("error")) {
        errorType = chunk.path("error").path("type").asText("server_error");
      }
    } catch (IOException malformed) {
      // relayed as it is
    }
  }

  @Override
  public TokenUsage usage() {
    return usage;
  }

  @Override
  public String errorType() {
    return errorType;
  }
}
