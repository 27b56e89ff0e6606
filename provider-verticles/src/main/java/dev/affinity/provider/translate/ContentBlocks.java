package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OpenAI message content (a string, or a list of typed parts) as Anthropic content blocks. A part's
 * {@code cache_control} stays on the block it becomes, so a client's breakpoints survive the translation; empty text
 * is dropped because the Messages API refuses empty text blocks.
 */
final class ContentBlocks {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What a role may send: OpenAI allows images and files in user turns only, refusals in assistant turns only. */
  enum Allowed {
    TEXT_ONLY, USER, ASSISTANT
  }

  private ContentBlocks() {
  }

  static List<ObjectNode> of(JsonNode content, Allowed allowed, String param) {
    List<ObjectNode> blocks = new ArrayList<>();
    if (content == null || content.isNull() || content.isMissingNode()) {
      return blocks;
    }
    if (content.isTextual()) {
      if (!content.textValue().isEmpty()) {
        blocks.add(NODES.objectNode().put("type", "text").put("text", content.textValue()));
      }
      return blocks;
    }
    if (!content.isArray()) {
      throw new TranslationException("Invalid type for '" + param + "': expected a string or an array of content parts.",
          param);
    }
    for (int i = 0; i < content.size(); i++) {
      JsonNode part = content.get(i);
      String where = param + ".[" + i + "]";
      String type = part.path("type").asText("");
      ObjectNode block = switch (type) {
        case "text" -> text(part, where);
        case "refusal" -> refusal(part, allowed, where);
        case "image_url" -> image(part, allowed, where);
        case "file" -> document(part, allowed, where);
        default -> throw unsupportedPart(type, where);
      };
      if (block != null) {
        copyCacheControl(part, block);
        blocks.add(block);
      }
    }
    return blocks;
  }

  /** Puts a message-level {@code cache_control} on the message's last block, where Anthropic reads a breakpoint. */
  static void applyMessageCacheControl(JsonNode message, List<ObjectNode> blocks) {
    if (!blocks.isEmpty()) {
      copyCacheControl(message, blocks.get(blocks.size() - 1));
    }
  }

  static void copyCacheControl(JsonNode from, ObjectNode to) {
    JsonNode marker = from.get("cache_control");
    if (marker != null && !marker.isNull()) {
      to.set("cache_control", marker.deepCopy());
    }
  }

  private static ObjectNode text(JsonNode part, String where) {
    JsonNode text = part.get("text");
    if (text == null || !text.isTextual()) {
      throw new TranslationException("Missing required parameter: '" + where + ".text'.", where + ".text");
    }
    return text.textValue().isEmpty() ? null : NODES.objectNode().put("type", "text").put("text", text.textValue());
  }

  private static ObjectNode refusal(JsonNode part, Allowed allowed, String where) {
    if (allowed != Allowed.ASSISTANT) {
      throw unsupportedPart("refusal", where);
    }
    String refusal = part.path("refusal").asText("");
    return refusal.isEmpty() ? null : NODES.objectNode().put("type", "text").put("text", refusal);
  }

  private static ObjectNode image(JsonNode part, Allowed allowed, String where) {
    if (allowed != Allowed.USER) {
      throw unsupportedPart("image_url", where);
    }
    JsonNode imageUrl = part.get("image_url");
    // the object form is OpenAI's; a bare string is an older form some clients still send
    String url = imageUrl != null && imageUrl.isTextual() ? imageUrl.textValue() : part.path("image_url").path("url")
        .asText("");
    String param = where + ".image_url.url";
    ObjectNode source;
    if (url.startsWith("data:")) {
      DataUrl data = DataUrl.parse(url, param);
      source = NODES.objectNode().put("type", "base64").put("media_type", data.mediaType()).put("data", data.base64());
    } else if (url.startsWith("https://") || url.startsWith("http://")) {
      source = NODES.objectNode().put("type", "url").put("url", url);
    } else {
      throw new TranslationException("Invalid image URL: expected a data URL or an http(s) URL.", param);
    }
    ObjectNode block = NODES.objectNode().put("type", "image");
    block.set("source", source);
    return block;
  }

  private static ObjectNode document(JsonNode part, Allowed allowed, String where) {
    if (allowed != Allowed.USER) {
      throw unsupportedPart("file", where);
    }
    JsonNode file = part.path("file");
    if (file.hasNonNull("file_id")) {
      throw new TranslationException("Uploaded files ('file_id') are not supported for this model; send the file "
          + "inline as 'file_data'.", where + ".file.file_id");
    }
    String param = where + ".file.file_data";
    DataUrl data = DataUrl.parse(file.path("file_data").asText(""), param);
    if (!data.mediaType().equals("application/pdf")) {
      throw new TranslationException("Unsupported file type '" + data.mediaType() + "': only application/pdf can be "
          + "sent to this model.", param);
    }
    ObjectNode block = NODES.objectNode().put("type", "document");
    block.putObject("source").put("type", "base64").put("media_type", data.mediaType()).put("data", data.base64());
    if (file.hasNonNull("filename")) {
      block.put("title", file.get("filename").asText());
    }
    return block;
  }

  private static TranslationException unsupportedPart(String type, String where) {
    return new TranslationException("Unsupported content part type '" + type + "' for this model.", where + ".type");
  }

  /** {@code data:<media type>;base64,<data>}, the only inline form Anthropic can take. */
  private record DataUrl(String mediaType, String base64) {

    static DataUrl parse(String url, String param) {
      int comma = url.indexOf(',');
      String header = comma < 0 ? "" : url.substring(0, comma);
      if (!url.startsWith("data:") || !header.endsWith(";base64")) {
        throw new TranslationException("Invalid data URL: expected 'data:<media type>;base64,<data>'.", param);
      }
      String mediaType = header.substring("data:".length(), header.length() - ";base64".length());
      int parameters = mediaType.indexOf(';');
      if (parameters >= 0) {
        mediaType = mediaType.substring(0, parameters);
      }
      if (mediaType.isBlank()) {
        throw new TranslationException("Invalid data URL: the media type is missing.", param);
      }
      return new DataUrl(mediaType.trim().toLowerCase(Locale.ROOT), url.substring(comma + 1));
    }
  }
}
