package dev.affinity.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Running counters of one account, per model too; lock-free because every request on every event loop adds. */
final class UsageLedger {

  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final Map<String, ModelLedger> models = new ConcurrentHashMap<>();
  private final LongAdder openAiRequests = new LongAdder();
  private final LongAdder openAiErrors = new LongAdder();
  private final LongAdder openAiPromptTokens = new LongAdder();
  private final LongAdder openAiCachedTokens = new LongAdder();
  private final LongAdder openAiCompletionTokens = new LongAdder();

  private static final class ModelLedger {
    final LongAdder responses = new LongAdder();
    final LongAdder input = new LongAdder();
    final LongAdder cacheCreation = new LongAdder();
    final LongAdder cacheRead = new LongAdder();
    final LongAdder output = new LongAdder();

    ModelCounters snapshot() {
      return new ModelCounters(responses.sum(), input.sum(), cacheCreation.sum(), cacheRead.sum(), output.sum());
    }
  }

  void countRequest() {
    requests.increment();
  }

  void countError() {
    errors.increment();
  }

  /** A request on an OpenAI route: counted in {@code requests} too, which covers every {@code /v1} endpoint. */
  void countOpenAiRequest() {
    requests.increment();
    openAiRequests.increment();
  }

  /** An error answered on an OpenAI route: counted in {@code errors} too. */
  void countOpenAiError() {
    errors.increment();
    openAiErrors.increment();
  }

  /** Prompt side of a Chat Completions answer that began: the cache was read and written. */
  void recordOpenAiPrompt(long promptTokens, long cachedTokens) {
    openAiPromptTokens.add(promptTokens);
    openAiCachedTokens.add(cachedTokens);
  }

  void recordOpenAiCompletion(long completionTokens) {
    openAiCompletionTokens.add(completionTokens);
  }

  /** Input side of an answer that began: its cache reads and writes happened. */
  void recordInput(String model, Usage usage) {
    ModelLedger ledger = models.computeIfAbsent(model, m -> new ModelLedger());
    ledger.responses.increment();
    ledger.input.add(usage.inputTokens());
    ledger.cacheCreation.add(usage.cacheCreationInputTokens());
    ledger.cacheRead.add(usage.cacheReadInputTokens());
  }

  void recordOutput(String model, long outputTokens) {
    models.computeIfAbsent(model, m -> new ModelLedger()).output.add(outputTokens);
  }

  AccountCounters snapshot(String account) {
    Map<String, ModelCounters> byModel = new TreeMap<>();
    long input = 0;
    long creation = 0;
    long read = 0;
    long output = 0;
    for (Map.Entry<String, ModelLedger> entry : models.entrySet()) {
      ModelCounters counters = entry.getValue().snapshot();
      byModel.put(entry.getKey(), counters);
      input += counters.inputTokens();
      creation += counters.cacheCreationInputTokens();
      read += counters.cacheReadInputTokens();
      output += counters.outputTokens();
    }
    return new AccountCounters(account, requests.sum(), errors.sum(), input, creation, read, output, byModel,
        openAiRequests.sum(), openAiErrors.sum(), openAiPromptTokens.sum(), openAiCachedTokens.sum(),
        openAiCompletionTokens.sum());
  }

  void clear() {
    requests.reset();
    errors.reset();
    models.clear();
    openAiRequests.reset();
    openAiErrors.reset();
    openAiPromptTokens.reset();
    openAiCachedTokens.reset();
    openAiCompletionTokens.reset();
  }
}
