package dev.affinity.emulator.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * Replays an {@link AgentWorkload} against a gateway or an emulator and reports cache use per request and in total;
 * or compares the summaries of earlier runs. A command line tool: it blocks, on its own threads.
 *
 * <p>Turns are interleaved across sessions (turn 1 of every session, then turn 2, ...), which is what spreads a
 * tenant's prefix over deployments when a router ignores it. A session whose request fails does not advance: its
 * next turn re-sends the same request, as a client retrying would.
 */
public final class Replay {

  static final String DEPLOYMENT_HEADER = "x-affinity-deployment";
  static final String ROUTE_HEADER = "x-affinity-route";

  private final ReplayOptions options;
  private final PrintStream out;
  private final HttpClient client;

  private Replay(ReplayOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The whole command: returns the exit status instead of exiting, so that tests can call it. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    ReplayOptions options;
    try {
      options = ReplayOptions.parse(args);
    } catch (ReplayOptions.UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(ReplayOptions.USAGE);
      return 2;
    }
    if (options.help()) {
      out.print(ReplayOptions.USAGE);
      return 0;
    }
    if (options.comparing()) {
      return compare(options.compare(), out, err);
    }
    try {
      ReplaySummary summary = new Replay(options, out).replay();
      if (options.summaryOut() != null) {
        writeSummary(summary, options.summaryOut());
      }
      return summary.requests() > 0 && summary.errors() == summary.requests() ? 1 : 0;
    } catch (IOException e) {
      err.println("error: cannot write summary: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return 1;
    }
  }

  private ReplaySummary replay() throws InterruptedException {
    AgentWorkload workload = new AgentWorkload(options.seed(), options.tenants(), options.sessionsPerTenant(),
        options.model());
    List<Exchange> exchanges = new ArrayList<>();
    ExecutorService senders = Executors.newFixedThreadPool(options.concurrency(), daemonThreads());
    try {
      if (!options.quiet()) {
        out.println(Exchange.HEADER);
      }
      for (int turn = 1; turn <= options.turns(); turn++) {
        // One turn at a time across all sessions keeps each session's requests in order.
        List<Future<Exchange>> pending = new ArrayList<>();
        for (Session session : workload.sessions()) {
          int current = turn;
          pending.add(senders.submit(() -> send(session, current)));
        }
        for (Future<Exchange> future : pending) {
          Exchange exchange = outcome(future);
          exchanges.add(exchange);
          if (!options.quiet()) {
            out.println(exchange.line());
          }
        }
      }
    } finally {
      senders.shutdownNow();
    }
    ReplaySummary summary = ReplaySummary.of(options.label(), exchanges);
    out.print(summary.render());
    return summary;
  }

  private Exchange send(Session session, int turn) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(options.messagesUri())
        .timeout(options.timeout())
        .header("content-type", "application/json")
        .header("accept-encoding", "gzip")
        .header("user-agent", "affinity-replay/0.1")
        .header("x-api-key", options.apiKey())
        .POST(HttpRequest.BodyPublishers.ofByteArray(session.request(options.stream())));
    AgentWorkload.clientHeaders().forEach(request::header);
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      return failure(session, turn, "timeout");
    } catch (IOException e) {
      return failure(session, turn, "connection_error");
    }
    String deployment = response.headers().firstValue(DEPLOYMENT_HEADER).orElse(Exchange.ABSENT);
    String route = response.headers().firstValue(ROUTE_HEADER).orElse(Exchange.ABSENT);
    int status = response.statusCode();
    MessageReply reply;
    try (InputStream body = decoded(response)) {
      if (status < 200 || status >= 300) {
        reply = new MessageReply(Usage.ZERO, "", MessageReply.errorType(body.readAllBytes()));
      } else if (response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
        reply = MessageReply.fromEventStream(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)));
      } else {
        reply = MessageReply.fromMessage(body.readAllBytes());
      }
    } catch (IOException e) {
      reply = new MessageReply(Usage.ZERO, "", "broken_response");
    }
    Exchange exchange = new Exchange(turn, session.id(), session.tenant(), status, deployment, route, reply.usage(),
        reply.errorType());
    if (exchange.ok()) {
      session.nextTurn(reply.text(), reply.thinking());
    }
    return exchange;
  }

  private static Exchange failure(Session session, int turn, String errorType) {
    return new Exchange(turn, session.id(), session.tenant(), 0, Exchange.ABSENT, Exchange.ABSENT, Usage.ZERO,
        errorType);
  }

  private static InputStream decoded(HttpResponse<InputStream> response) throws IOException {
    boolean gzip = response.headers().firstValue("content-encoding").map("gzip"::equalsIgnoreCase).orElse(false);
    return gzip ? new GZIPInputStream(response.body()) : response.body();
  }

  private static Exchange outcome(Future<Exchange> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      // send() handles I/O failures itself; anything else is a bug in the replay, not a failed request.
      throw new IllegalStateException("replay request failed unexpectedly", e.getCause());
    }
  }

  private static void writeSummary(ReplaySummary summary, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, AgentWorkload.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(summary.toJson()));
  }

  private static int compare(List<Path> files, PrintStream out, PrintStream err) {
    List<ReplaySummary> summaries = new ArrayList<>();
    for (Path file : files) {
      try {
        ReplaySummary summary = ReplaySummary.fromJson(AgentWorkload.JSON.readTree(file.toFile()));
        if (summary.label().isEmpty()) {
          summary = new ReplaySummary(file.getFileName().toString(), summary.requests(), summary.errors(),
              summary.usage(), summary.deploymentsPerSession());
        }
        summaries.add(summary);
      } catch (IOException | IllegalArgumentException e) {
        err.println("error: " + file + " is not a readable replay summary: " + e.getMessage());
        return 2;
      }
    }
    out.print(SummaryComparison.render(summaries));
    return 0;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "replay-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
