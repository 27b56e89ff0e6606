package dev.affinity.router.cache;

import static dev.affinity.router.cache.AgentConversation.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

  private static String canonical(String json) throws Exception {
    return new String(CanonicalJson.of(JSON.readTree(json)), StandardCharsets.UTF_8);
  }

  private static String canonicalBlock(JsonNode block) {
    return new String(CanonicalJson.ofBlock(block), StandardCharsets.UTF_8);
  }

  @Test
  void sortsKeysRecursivelyAndDropsWhitespace() throws Exception {
    assertThat(canonical("""
        { "b" : [ 1 , { "z" : true , "a" : null } ] , "a" : "x" }"""))
        .isEqualTo("{\"a\":\"x\",\"b\":[1,{\"a\":null,\"z\":true}]}");
  }

  @Test
  void normalisesNumbers() throws Exception {
    assertThat(canonical("[1, 1.0, 1e0, 10E1, -0.0, 0.5, 2.50, 12345678901234567890, 1.5e-7]"))
        .isEqualTo("[1,1,1,100,0,0.5,2.5,12345678901234567890,0.00000015]");
  }

  @Test
  void escapesOnlyWhatJsonRequiresAndWritesUtf8() throws Exception {
    String text = "quote \" backslash \\ newline \n tab \t bell \u0007 é 中 😀 lone \ud800 end";
    String canonical = new String(CanonicalJson.of(TextNode.valueOf(text)), StandardCharsets.UTF_8);

    assertThat(canonical).isEqualTo(
        "\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 é 中 😀 lone \\ud800 end\"");
    assertThat(JSON.readTree(CanonicalJson.of(TextNode.valueOf("é 中 😀 \n"))).textValue()).isEqualTo("é 中 😀 \n");
  }

  @Test
  void longStringsSurviveTheBufferBoundaries() throws Exception {
    // Surrogate pairs and escapes straddling every slice and buffer edge.
    String text = ("ab😀\"c\n中" + "x".repeat(1017)).repeat(40);

    byte[] canonical = CanonicalJson.of(TextNode.valueOf(text));

    assertThat(JSON.readTree(canonical).textValue()).isEqualTo(text);
  }

  @Test
  void blockLosesOnlyItsOwnCacheControl() throws Exception {
    JsonNode block = JSON.readTree("""
        {"type":"tool_result","tool_use_id":"t","cache_control":{"type":"ephemeral"},
         "content":[{"type":"text","text":"r","cache_control":{"type":"ephemeral"}}]}""");

    assertThat(canonicalBlock(block)).isEqualTo("{\"content\":[{\"cache_control\":{\"type\":\"ephemeral\"},"
        + "\"text\":\"r\",\"type\":\"text\"}],\"tool_use_id\":\"t\",\"type\":\"tool_result\"}");
  }

  @Test
  void stringBlockIsTheTextBlock() throws Exception {
    assertThat(CanonicalJson.ofBlock(TextNode.valueOf("hi \"you\"")))
        .isEqualTo(CanonicalJson.ofBlock(JSON.readTree("{\"text\":\"hi \\\"you\\\"\",\"type\":\"text\"}")));
  }

  @Test
  void digestFeedCountsTheCharactersOfTheCanonicalText() throws Exception {
    CanonicalJson.Feed feed = new CanonicalJson.Feed(ChainHash.of(ChainHash.Kind.XXH3_128));
    JsonNode request = new AgentConversation().request(3);
    List<JsonNode> blocks = new ArrayList<>();
    request.get("tools").forEach(blocks::add);
    request.at("/messages").forEach(message -> message.path("content").forEach(blocks::add));
    blocks.add(JSON.readTree("{\"type\":\"x\",\"v\":[1.50,true,null,\"tab\\there \\u0001 \\\\ \\\"q\\\" é 😀\"]}"));

    for (JsonNode block : blocks) {
      feed.block(block, true);
      assertThat(feed.chars()).as("%s", block).isEqualTo(canonicalBlock(block).length());
    }
  }

  @Test
  void charCountMatchesTheCanonicalText() throws Exception {
    JsonNode block = JSON.readTree("""
        {"type":"tool_use","id":"t","name":"n","input":{"q":"é\\n😀","n":[1.0,2]},"cache_control":{"type":"ephemeral"}}""");

    String canonical = canonicalBlock(block);

    assertThat(CanonicalJson.charCount(block)).isEqualTo(canonical.length());
    assertThat(TokenEstimate.ofBlock(block)).isEqualTo((canonical.length() + 3) / 4);
    assertThat(CanonicalJson.charCount(TextNode.valueOf("ab\u0001")))
        .isEqualTo(canonicalBlock(TextNode.valueOf("ab\u0001")).length());
  }

  @Test
  void escapeCountOfWordsAtATimeIsTheByteByByteCount() {
    // every byte value at every position of a word, in strings of every length around the word size
    java.util.Random random = new java.util.Random(11);
    byte[] special = {0, 1, 0x1f, 0x20, '"', '\\', '\n', 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xff, 'a', '!', '#', '[', ']'};
    for (int length = 0; length <= 40; length++) {
      for (int trial = 0; trial < 300; trial++) {
        byte[] utf8 = new byte[length];
        for (int i = 0; i < length; i++) {
          utf8[i] = random.nextInt(4) == 0 ? special[random.nextInt(special.length)] : (byte) random.nextInt(256);
        }
        assertThat(CanonicalJson.escapeChars(utf8)).as(java.util.Arrays.toString(utf8)).isEqualTo(byteByByte(utf8));
      }
    }
    for (int b = 0; b < 256; b++) {
      for (int at = 0; at < 8; at++) {
        byte[] word = "abcdefghij".getBytes(StandardCharsets.US_ASCII);
        word[at] = (byte) b;
        assertThat(CanonicalJson.escapeChars(word)).as("byte %d at %d", b, at).isEqualTo(byteByByte(word));
      }
    }
  }

  // The definition: a quote, a backslash and \n, \r, \t, \b, \f take one character more; other control characters five.
  private static int byteByByte(byte[] utf8) {
    int extra = 0;
    for (byte b : utf8) {
      int c = b & 0xff;
      extra += c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f' ? 1 : c < 0x20 ? 5 : 0;
    }
    return extra;
  }
}
