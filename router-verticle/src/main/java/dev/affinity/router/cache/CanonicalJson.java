package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The canonical form of a JSON value, so that two requests carrying the same content hash alike however the client
 * serialised them: object keys sorted (by UTF-16 code unit, recursively), no whitespace, numbers normalised
 * ({@code 1}, {@code 1.0} and {@code 1e0} are all {@code 1}; other numbers in plain decimal without trailing zeros),
 * strings as raw UTF-8 with only {@code "}, {@code \} and control characters escaped.
 *
 * <p>For a content block ({@link #ofBlock(JsonNode)}) the block's own {@code cache_control} is left out: a marker says
 * where to cache, it is not part of what is cached, and it moves from turn to turn. A string standing for a block (a
 * string {@code system} or message {@code content}) is the text block {@code {"type":"text","text":...}}.
 *
 * <p>The hot path ({@link PrefixChain}) never materialises the text: a {@link Feed} hands a length-prefixed encoding
 * of the same canonical structure to the digest.
 */
public final class CanonicalJson {

  static final String CACHE_CONTROL = "cache_control";
  private static final int SMALL_OBJECT = 12;

  private CanonicalJson() {
  }

  /** The canonical UTF-8 bytes of any JSON value. */
  public static byte[] of(JsonNode node) {
    Collector out = new Collector();
    Writer writer = new Writer(out);
    writer.value(node);
    writer.flush();
    return out.toByteArray();
  }

  /** The canonical UTF-8 bytes of a content block, without its {@code cache_control}. */
  public static byte[] ofBlock(JsonNode block) {
    Collector out = new Collector();
    Writer writer = new Writer(out);
    writer.block(block);
    writer.flush();
    return out.toByteArray();
  }

  /** The length in UTF-16 characters of the canonical form of a block, as used by {@link TokenEstimate}. */
  static long charCount(JsonNode block) {
    Writer writer = new Writer((bytes, offset, length) -> { });
    writer.block(block);
    writer.flush();
    return writer.chars();
  }

  /** The fields of an object sorted by name, without {@code cache_control} when {@code withoutMarker}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Map.Entry<String, JsonNode>[] sortedFields(JsonNode object, boolean withoutMarker) {
    Map.Entry<String, JsonNode>[] fields = new Map.Entry[object.size()];
    int count = 0;
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      if (!withoutMarker || !CACHE_CONTROL.equals(field.getKey())) {
        fields[count++] = field;
      }
    }
    if (count < fields.length) {
      fields = Arrays.copyOf(fields, count);
    }
    // Objects in prompts have a handful of fields: insertion sort beats the general sort's set-up.
    if (count > SMALL_OBJECT) {
      Arrays.sort(fields, Map.Entry.comparingByKey());
    } else {
      for (int i = 1; i < count; i++) {
        Map.Entry<String, JsonNode> field = fields[i];
        int j = i - 1;
        while (j >= 0 && fields[j].getKey().compareTo(field.getKey()) > 0) {
          fields[j + 1] = fields[j];
          j--;
        }
        fields[j + 1] = field;
      }
    }
    return fields;
  }

  /**
   * The canonical text of a number: integral values (whatever their spelling) as integers, others in plain decimal
   * without trailing zeros. Non-finite values, which JSON cannot carry, come back as a quoted string.
   */
  static String canonicalNumber(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.isBigInteger() ? node.bigIntegerValue().toString() : Long.toString(node.longValue());
    }
    if (!node.isBigDecimal()) {
      double value = node.doubleValue();
      if (!Double.isFinite(value)) {
        return '"' + Double.toString(value) + '"';
      }
      if (value == Math.rint(value) && Math.abs(value) < 0x1p53) {
        return Long.toString((long) value);
      }
    }
    // Float nodes go through their own shortest text, not the float widened to double (0.1f is not 0.1d).
    BigDecimal decimal = node.isFloat() ? new BigDecimal(Float.toString(node.floatValue()))
        : node.isBigDecimal() ? node.decimalValue() : BigDecimal.valueOf(node.doubleValue());
    decimal = decimal.stripTrailingZeros();
    return decimal.scale() <= 0 ? decimal.toBigInteger().toString() : decimal.toPlainString();
  }

  /** Characters of an object's braces, colons and commas. */
  static long objectFraming(int fields) {
    return 2 + fields + Math.max(fields - 1, 0);
  }

  /** Characters of an array's brackets and commas. */
  static long arrayFraming(int elements) {
    return 2 + Math.max(elements - 1, 0);
  }

  /** Where a {@link Writer} drains its buffer. */
  @FunctionalInterface
  interface Sink {
    void accept(byte[] bytes, int offset, int length);
  }

  /** Streams canonical JSON into a {@link Sink} through a fixed buffer; one per thread of use, not shared. */
  static final class Writer {

    private static final int BUFFER_SIZE = 8192;
    // Long strings are encoded in slices so the buffer never has to grow to hold one whole.
    private static final int STRING_SLICE = 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT_KEY = {'"', 't', 'e', 'x', 't', '"', ':'};
    private static final byte[] TYPE_TEXT = {',', '"', 't', 'y', 'p', 'e', '"', ':', '"', 't', 'e', 'x', 't', '"', '}'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    private final Sink sink;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int len;
    private long chars;

    Writer(Sink sink) {
      this.sink = sink;
    }

    /** UTF-16 characters written so far. */
    long chars() {
      return chars;
    }

    /** Drains the buffer into the sink. */
    void flush() {
      if (len > 0) {
        sink.accept(buf, 0, len);
        len = 0;
      }
    }

    void block(JsonNode block) {
      if (block.isTextual()) {
        // Same bytes as the canonical {"type":"text","text":s}: "text" sorts before "type".
        raw((byte) '{');
        raw(TEXT_KEY);
        string(block.textValue());
        raw(TYPE_TEXT);
        chars += 1 + TEXT_KEY.length + TYPE_TEXT.length;
      } else if (block.isObject()) {
        object(block, true);
      } else {
        value(block);
      }
    }

    void value(JsonNode node) {
      switch (node.getNodeType()) {
        case OBJECT -> object(node, false);
        case ARRAY -> array(node);
        case STRING -> string(node.textValue());
        case NUMBER -> number(node);
        case BOOLEAN -> ascii(node.booleanValue() ? TRUE : FALSE);
        case NULL, MISSING -> ascii(NULL);
        // Not produced by parsing; hashed by their JSON text so that they still have an identity.
        case BINARY, POJO -> string(node.asText());
      }
    }

    private void object(JsonNode node, boolean withoutMarker) {
      Map.Entry<String, JsonNode>[] fields = sortedFields(node, withoutMarker);
      int count = fields.length;
      raw((byte) '{');
      for (int i = 0; i < count; i++) {
        if (i > 0) {
          raw((byte) ',');
        }
        string(fields[i].getKey());
        raw((byte) ':');
        value(fields[i].getValue());
      }
      raw((byte) '}');
      chars += objectFraming(count);
    }

    private void array(JsonNode node) {
      int count = node.size();
      raw((byte) '[');
      for (int i = 0; i < count; i++) {
        if (i > 0) {
          raw((byte) ',');
        }
        value(node.get(i));
      }
      raw((byte) ']');
      chars += arrayFraming(count);
    }

    private void number(JsonNode node) {
      String number = canonicalNumber(node);
      if (number.charAt(0) == '"') {
        string(number.substring(1, number.length() - 1));
      } else {
        ascii(number);
      }
    }

    private void string(String s) {
      int n = s.length();
      chars += n + 2;
      raw((byte) '"');
      for (int from = 0; from < n; ) {
        from = slice(s, from, Math.min(n, from + STRING_SLICE));
      }
      raw((byte) '"');
    }

    // Encodes s[from, to) as escaped UTF-8 and returns where the next slice starts (one further when a surrogate pair
    // straddles the end). Room is reserved for 3 bytes per char, the UTF-8 worst case for one UTF-16 unit; an escape
    // takes up to 6 and a pair at the end 4, so those re-reserve for the rest of the slice.
    private int slice(String s, int from, int to) {
      reserve((to - from) * 3);
      byte[] b = buf;
      int p = len;
      int i = from;
      for (; i < to; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          if (c >= 0x20 && c != '"' && c != '\\') {
            b[p++] = (byte) c;
            continue;
          }
          len = p;
          reserve((to - i) * 3 + 6);
          b = buf;
          p = len;
          b[p++] = '\\';
          switch (c) {
            case '"', '\\' -> b[p++] = (byte) c;
            case '\n' -> b[p++] = 'n';
            case '\r' -> b[p++] = 'r';
            case '\t' -> b[p++] = 't';
            case '\b' -> b[p++] = 'b';
            case '\f' -> b[p++] = 'f';
            default -> {
              p = unicodeEscape(b, p, c);
              chars += 4;
            }
          }
          chars += 1;
        } else if (c < 0x800) {
          b[p++] = (byte) (0xc0 | (c >> 6));
          b[p++] = (byte) (0x80 | (c & 0x3f));
        } else if (!Character.isSurrogate(c)) {
          b[p++] = (byte) (0xe0 | (c >> 12));
          b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
          b[p++] = (byte) (0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          len = p;
          reserve((to - i) * 3 + 3);
          b = buf;
          p = len;
          int cp = Character.toCodePoint(c, s.charAt(++i));
          b[p++] = (byte) (0xf0 | (cp >> 18));
          b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          b[p++] = (byte) (0x80 | (cp & 0x3f));
        } else {
          // A lone surrogate has no UTF-8 form; its escape keeps it distinct from any other string.
          len = p;
          reserve((to - i) * 3 + 6);
          b = buf;
          p = len;
          b[p++] = '\\';
          p = unicodeEscape(b, p, c);
          chars += 5;
        }
      }
      len = p;
      return i;
    }

    private static int unicodeEscape(byte[] b, int p, char c) {
      b[p++] = 'u';
      b[p++] = HEX[(c >> 12) & 0xf];
      b[p++] = HEX[(c >> 8) & 0xf];
      b[p++] = HEX[(c >> 4) & 0xf];
      b[p++] = HEX[c & 0xf];
      return p;
    }

    private void ascii(String s) {
      int n = s.length();
      chars += n;
      for (int i = 0; i < n; i++) {
        raw((byte) s.charAt(i));
      }
    }

    private void ascii(byte[] bytes) {
      chars += bytes.length;
      raw(bytes);
    }

    private void raw(byte b) {
      if (len == buf.length) {
        flush();
      }
      buf[len++] = b;
    }

    private void raw(byte[] bytes) {
      reserve(bytes.length);
      System.arraycopy(bytes, 0, buf, len, bytes.length);
      len += bytes.length;
    }

    // Makes room for n more bytes by draining; callers never ask for more than a slice's worth (under the buffer).
    private void reserve(int n) {
      if (buf.length - len < n) {
        flush();
      }
    }
  }

  /**
   * Feeds the canonical form of blocks into a digest, the hot path of {@link PrefixChain}. Instead of JSON text it
   * writes a length-prefixed encoding of the same canonical structure (sorted keys, normalised numbers, no
   * {@code cache_control} on the block), which is as unambiguous as the text and needs no escaping pass: strings go
   * to the digest as their UTF-8 bytes, long ones without a copy, short ones through a small staging buffer (a
   * digest call per JSON token would cost more than the hashing). Lone surrogates, which have no UTF-8 form, are
   * hashed as {@code ?}. One per chain, not shared.
   */
  static final class Feed {

    private static final int STAGE_SIZE = 4096;
    // Strings at least this long skip the staging buffer.
    private static final int DIRECT = 256;
    private static final byte OBJECT = 'o';
    private static final byte ARRAY = 'a';
    private static final byte STRING = 's';
    private static final byte NUMBER = 'n';
    private static final byte TRUE = 't';
    private static final byte FALSE = 'f';
    private static final byte NULL = 'z';
    private static final byte[] TEXT = {'t', 'e', 'x', 't'};
    private static final byte[] TYPE = {'t', 'y', 'p', 'e'};

    private final ChainHash digest;
    private final byte[] stage = new byte[STAGE_SIZE];
    private int staged;
    private boolean counting;
    private long chars;

    Feed(ChainHash digest) {
      this.digest = digest;
    }

    /**
     * Feeds one block.
     *
     * @param countChars whether to count the characters of the block's canonical JSON text (see {@link #chars()});
     *                   text blocks are estimated from their text and need not pay for it
     */
    void block(JsonNode block, boolean countChars) {
      counting = countChars;
      chars = 0;
      if (block.isTextual()) {
        // Same encoding as the canonical {"type":"text","text":s}: "text" sorts before "type".
        header(OBJECT, 2);
        literal(TEXT);
        string(block.textValue());
        literal(TYPE);
        literal(TEXT);
        chars += objectFraming(2) + (TEXT.length + 2) * 3L;
      } else if (block.isObject()) {
        object(block, true);
      } else {
        value(block);
      }
    }

    /** Feeds raw bytes (the previous hash, a section tag) through the staging buffer. */
    void raw(byte[] bytes, int offset, int length) {
      if (STAGE_SIZE - staged < length) {
        flush();
      }
      System.arraycopy(bytes, offset, stage, staged, length);
      staged += length;
    }

    void raw(byte b) {
      tag(b);
    }

    /** Feeds a string that is not part of a block (a message's role); it is not counted in {@link #chars()}. */
    void label(String s) {
      counting = false;
      string(s);
    }

    private void string(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      header(STRING, utf8.length);
      if (utf8.length >= DIRECT) {
        flush();
        digest.update(utf8);
      } else {
        stage(utf8);
      }
      if (counting) {
        chars += s.length() + 2 + escapeChars(utf8);
      }
    }

    /**
     * Characters of the last block's canonical JSON text, as {@link CanonicalJson#ofBlock(JsonNode)} would write it,
     * when counting was asked for.
     */
    long chars() {
      return chars;
    }

    /** Hands what is staged to the digest; call before reading the digest. */
    void flush() {
      if (staged > 0) {
        digest.update(stage, 0, staged);
        staged = 0;
      }
    }

    private void value(JsonNode node) {
      switch (node.getNodeType()) {
        case OBJECT -> object(node, false);
        case ARRAY -> {
          int count = node.size();
          header(ARRAY, count);
          for (int i = 0; i < count; i++) {
            value(node.get(i));
          }
          chars += arrayFraming(count);
        }
        case STRING -> string(node.textValue());
        case NUMBER -> {
          String number = canonicalNumber(node);
          if (number.charAt(0) == '"') {
            string(number.substring(1, number.length() - 1));
          } else {
            byte[] ascii = number.getBytes(StandardCharsets.US_ASCII);
            header(NUMBER, ascii.length);
            stage(ascii);
            chars += ascii.length;
          }
        }
        case BOOLEAN -> {
          tag(node.booleanValue() ? TRUE : FALSE);
          chars += node.booleanValue() ? 4 : 5;
        }
        case NULL, MISSING -> {
          tag(NULL);
          chars += 4;
        }
        case BINARY, POJO -> string(node.asText());
      }
    }

    private void object(JsonNode node, boolean withoutMarker) {
      Map.Entry<String, JsonNode>[] fields = sortedFields(node, withoutMarker);
      header(OBJECT, fields.length);
      for (Map.Entry<String, JsonNode> field : fields) {
        string(field.getKey());
        value(field.getValue());
      }
      chars += objectFraming(fields.length);
    }

    private void literal(byte[] ascii) {
      header(STRING, ascii.length);
      stage(ascii);
    }

    private void tag(byte tag) {
      if (staged == STAGE_SIZE) {
        flush();
      }
      stage[staged++] = tag;
    }

    private void header(byte tag, int length) {
      if (STAGE_SIZE - staged < 5) {
        flush();
      }
      byte[] b = stage;
      int p = staged;
      b[p] = tag;
      b[p + 1] = (byte) (length >>> 24);
      b[p + 2] = (byte) (length >>> 16);
      b[p + 3] = (byte) (length >>> 8);
      b[p + 4] = (byte) length;
      staged = p + 5;
    }

    private void stage(byte[] bytes) {
      if (STAGE_SIZE - staged < bytes.length) {
        flush();
        if (bytes.length > STAGE_SIZE) {
          digest.update(bytes);
          return;
        }
      }
      System.arraycopy(bytes, 0, stage, staged, bytes.length);
      staged += bytes.length;
    }

    // Characters that JSON escaping adds (as Jackson escapes), by byte: a quote, a backslash, \n and its kind take 2
    // characters instead of 1, other control characters 6. Bytes of multi-byte UTF-8 sequences are never escaped. A
    // table lookup, because this loop runs over every string of every non-text block.
    private static final byte[] ESCAPE_CHARS = new byte[256];

    static {
      for (int c = 0; c < 0x20; c++) {
        ESCAPE_CHARS[c] = 5;
      }
      for (char c : new char[] {'\n', '\r', '\t', '\b', '\f', '"', '\\'}) {
        ESCAPE_CHARS[c] = 1;
      }
    }

    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * The characters escaping adds to a string's UTF-8 bytes. Eight bytes at a time: a word none of whose bytes is a
     * control character, a quote or a backslash (nearly every word of a tool's schema or description) adds nothing
     * and is passed over with a few arithmetic steps; only a word that may hold one is counted byte by byte. This
     * loop was a tenth of the event loops' time (docs/benchmarks.md).
     */
    private static int escapeChars(byte[] utf8) {
      int extra = 0;
      int i = 0;
      for (int words = utf8.length & ~7; i < words; i += 8) {
        if (mayEscape((long) WORDS.get(utf8, i))) {
          for (int j = i; j < i + 8; j++) {
            extra += ESCAPE_CHARS[utf8[j] & 0xff];
          }
        }
      }
      for (; i < utf8.length; i++) {
        extra += ESCAPE_CHARS[utf8[i] & 0xff];
      }
      return extra;
    }

    /**
     * Whether any byte of {@code word} is below 0x20, a quote or a backslash: the classic tests for a byte less than
     * n ({@code (x - n·ONES) & ~x & HIGH_BITS}) and for a zero byte after XOR with the byte sought. Exact for "any";
     * a byte of 0x80 or more (UTF-8's multi-byte sequences) is never taken for one, as escaping never touches it.
     */
    private static boolean mayEscape(long word) {
      long quote = word ^ (ONES * '"');
      long backslash = word ^ (ONES * '\\');
      long found = ((word - ONES * 0x20) & ~word) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash);
      return (found & HIGH_BITS) != 0;
    }
  }

  /** Collects canonical bytes for the non-streaming entry points. */
  private static final class Collector implements Sink {
    private byte[] bytes = new byte[256];
    private int size;

    @Override
    public void accept(byte[] source, int offset, int length) {
      if (bytes.length - size < length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + length));
      }
      System.arraycopy(source, offset, bytes, size, length);
      size += length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }
  }
}
