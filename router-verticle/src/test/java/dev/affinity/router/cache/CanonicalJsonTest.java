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
  void theFeedCountsAnEscapeWhereverItFallsInTheEightByteWordsItScans() {
    // the feed skips eight UTF-8 bytes at a time when none needs escaping: each character that does, at every offset
    // of strings long enough to fill several words, and after multi-byte characters that shift the words' alignment
    CanonicalJson.Feed feed = new CanonicalJson.Feed(ChainHash.of(ChainHash.Kind.XXH3_128));
    String[] escaped = {"\u0000", "\u0001", "\b", "\t", "\n", "\f", "\r", "\u001f", "\"", "\\"};
    String[] plain = {"a", " ", "~", "\u007f", "é", "中", "😀", "!", "#", "]"};
    int checked = 0;
    for (int length = 0; length <= 20; length++) {
      for (int at = 0; at < length; at++) {
        for (String special : escaped) {
          StringBuilder text = new StringBuilder();
          for (int k = 0; k < length; k++) {
            text.append(k == at ? special : plain[(k + at) % plain.length]);
          }
          JsonNode block = AgentConversation.JSON.createObjectNode().put("type", "x").put("v", text.toString());
          feed.block(block, true);
          assertThat(feed.chars()).as("%s", block).isEqualTo(canonicalBlock(block).length());
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(2100);
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
  void theFeedHashesEachStringAsItsUtf8BytesWhateverItHolds() {
    // ASCII, two-, three- and four-byte characters, lone surrogates (hashed as '?', as String.getBytes writes them),
    // and strings longer than the staging buffer, so that encoding straddles its end at every kind of character
    java.util.Random random = new java.util.Random(5);
    char[] alphabet = {'a', 'Z', ' ', '"', '\\', '\n', '\u0001', 'é', 'ß', '\u07ff', '\u0800', '中', '\uffff',
        '\ud83d', '\ude00', '\udbff', '\udfff'};
    for (int length : new int[] {0, 1, 2, 3, 4, 5, 100, 4091, 4093, 4095, 4096, 4097, 9000}) {
      for (int trial = 0; trial < 20; trial++) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
          text.append(alphabet[random.nextInt(alphabet.length)]);
        }
        String s = text.toString();
        Recording fed = new Recording();
        CanonicalJson.Feed feed = new CanonicalJson.Feed(fed);
        feed.label(s);
        feed.flush();
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        expected.write('s');
        expected.write(utf8.length >>> 24);
        expected.write(utf8.length >>> 16);
        expected.write(utf8.length >>> 8);
        expected.write(utf8.length);
        expected.writeBytes(utf8);
        assertThat(fed.bytes.toByteArray()).as("length %d, trial %d", length, trial)
            .isEqualTo(expected.toByteArray());
      }
    }
  }

  /** A hash that keeps what it was fed. */
  private static final class Recording extends ChainHash {
    final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

    @Override
    void update(byte b) {
      bytes.write(b);
    }

    @Override
    void update(byte[] data, int offset, int length) {
      bytes.write(data, offset, length);
    }

    @Override
    void finish(byte[] out, int offset) {
    }
  }
}
