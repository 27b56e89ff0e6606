package dev.affinity.benchmarks.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A load client on Vert.x's HTTP client. Fixed-rate runs are open loop: a scheduler thread releases request i at
 * {@code start + i / rate} whatever happened to earlier requests, and latency is measured from that intended send
 * time, so a server that stalls is charged for every request it kept waiting (no coordinated omission). Every
 * response is handled on one event loop, which records into plain (single-threaded) HdrHistograms in microseconds.
 *
 * <p>Each run uses an HTTP client of its own and closes it at the end, so that requests a saturated server never
 * answered do not spill into the next run; they count as timed out, with the time they had waited so far.
 */
final class LoadClient {

  /** One request to send. */
  record Call(String host, int port, String uri, MultiMap headers, Buffer body) {
  }

  /** The i-th request of a run (spreads over nodes, keys and sessions). */
  interface Calls {
    Call call(long i);
  }

  /** What a run measured. Latencies in microseconds. */
  static final class Result {
    final Histogram latency = histogram();
    final Histogram firstEvent = histogram();
    final Histogram gaps = histogram();
    long ok;
    long errors;
    long timedOut;
    final Map<String, Integer> errorKinds = new TreeMap<>();
    double seconds;
    double offeredRate;

    double throughput() {
      return seconds == 0 ? 0 : ok / seconds;
    }

    void error(String kind) {
      errors++;
      errorKinds.merge(kind.length() > 160 ? kind.substring(0, 160) : kind, 1, Integer::sum);
    }

    private static Histogram histogram() {
      return new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    }
  }

  private final Vertx vertx;

  LoadClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** {@code rate} requests per second for {@code seconds}, open loop; waits at most {@code graceSeconds} after. */
  Result fixedRate(Calls calls, double rate, double seconds, boolean stream, double graceSeconds) {
    long count = Math.max(1, Math.round(rate * seconds));
    Run run = new Run(count, stream, Math.max(64, Math.min(2048, (int) (rate * 0.5))));
    run.result.offeredRate = rate;
    double interval = 1e9 / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    for (long i = 0; i < count; i++) {
      long intended = start + Math.round(i * interval);
      parkUntil(intended);
      Call call = calls.call(i);
      run.context.runOnContext(v -> run.send(call, intended));
    }
    long sendEnd = start + Math.round(count * interval);
    run.finish(start, sendEnd, graceSeconds);
    return run.result;
  }

  /** One request at a time for {@code seconds}: latency of each from its own start. */
  Result sequential(Calls calls, double seconds, boolean stream) {
    return closedLoop(calls, 1, seconds, stream);
  }

  /**
   * {@code concurrency} requests in flight for {@code seconds}, each sent as soon as one ends (closed loop: the
   * throughput the server sustains, and the latency it gives at that load).
   */
  Result closedLoop(Calls calls, int concurrency, double seconds, boolean stream) {
    Run run = new Run(Long.MAX_VALUE, stream, concurrency);
    long start = System.nanoTime();
    long end = start + Math.round(seconds * 1e9);
    run.context.runOnContext(v -> {
      for (int i = 0; i < concurrency; i++) {
        run.sendSequentially(calls, end);
      }
    });
    run.finishSequential(start, end + TimeUnit.SECONDS.toNanos(30));
    return run.result;
  }

  /**
   * Opens {@code count} streams at {@code rampRate} per second and returns once every one has either received its
   * first event or failed. The streams stay open until {@link Hold#close()}.
   */
  Hold hold(Calls calls, int count, double rampRate, double timeoutSeconds) {
    Run run = new Run(count, true, count + 16);
    double interval = 1e9 / rampRate;
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long intended = start + Math.round(i * interval);
      parkUntil(intended);
      Call call = calls.call(i);
      run.context.runOnContext(v -> run.send(call, intended));
    }
    long deadline = System.nanoTime() + Math.round(timeoutSeconds * 1e9);
    while (System.nanoTime() < deadline) {
      CompletableFuture<long[]> counts = new CompletableFuture<>();
      run.context.runOnContext(v -> counts.complete(new long[] {run.opened, run.result.errors + run.result.ok}));
      long[] seen = counts.join();
      if (seen[0] + seen[1] >= count) {
        break;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    return new Hold(run);
  }

  /** Streams held open by {@link #hold}. */
  static final class Hold implements AutoCloseable {
    private final Run run;

    private Hold(Run run) {
      this.run = run;
    }

    /** Streams that received a first event and have not ended, and streams that failed or ended early. */
    long[] counts() {
      CompletableFuture<long[]> counts = new CompletableFuture<>();
      run.context.runOnContext(v -> counts.complete(new long[] {run.opened - run.result.ok, run.result.errors + run.result.ok}));
      return counts.join();
    }

    Result result() {
      return run.result;
    }

    @Override
    public void close() {
      run.closed = true;
      run.client.close().await();
    }
  }

  private static void parkUntil(long nanos) {
    long wait;
    while ((wait = nanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  /** State of one run; touched only on its event loop. */
  private final class Run {
    final Result result = new Result();
    final HttpClientAgent client;
    final Context context;
    final boolean stream;
    final long expected;
    final Map<Long, Long> pending = new HashMap<>();
    final CompletableFuture<Void> drained = new CompletableFuture<>();
    long next;
    long done;
    long opened;
    long lastCompletion;
    boolean closed;

    Run(long expected, boolean stream, int connections) {
      this.expected = expected;
      this.stream = stream;
      this.client = vertx.httpClientBuilder()
          .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(10_000))
          .with(new PoolOptions().setHttp1MaxSize(connections))
          .build();
      this.context = vertx.getOrCreateContext();
    }

    void send(Call call, long intended) {
      if (closed) {
        return;
      }
      long id = next++;
      pending.put(id, intended);
      exchange(call, intended).onComplete(outcome -> {
        if (closed || pending.remove(id) == null) {
          return;
        }
        long now = System.nanoTime();
        if (outcome.succeeded()) {
          result.ok++;
          result.latency.recordValue(micros(now - intended));
        } else {
          result.error(outcome.cause().getMessage() == null ? outcome.cause().getClass().getSimpleName()
              : outcome.cause().getMessage());
        }
        lastCompletion = now;
        if (++done == expected) {
          drained.complete(null);
        }
      });
    }

    void sendSequentially(Calls calls, long end) {
      long started = System.nanoTime();
      if (started >= end || closed) {
        if (pending.isEmpty()) {
          drained.complete(null);
        }
        return;
      }
      long i = next++;
      pending.put(i, started);
      exchange(calls.call(i), started).onComplete(outcome -> {
        pending.remove(i);
        long now = System.nanoTime();
        if (outcome.succeeded()) {
          result.ok++;
          result.latency.recordValue(micros(now - started));
        } else {
          result.error(String.valueOf(outcome.cause().getMessage()));
        }
        lastCompletion = now;
        sendSequentially(calls, end);
      });
    }

    private Future<Void> exchange(Call call, long sent) {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(call.host())
          .setPort(call.port()).setURI(call.uri()).setHeaders(call.headers());
      return client.request(options)
          .compose(request -> request.send(call.body()))
          .compose(response -> response.statusCode() / 100 == 2 ? read(response, sent)
              : response.body().compose(body -> Future.failedFuture("HTTP " + response.statusCode() + " "
                  + body.toString().substring(0, Math.min(120, body.length())))));
    }

    private Future<Void> read(HttpClientResponse response, long sent) {
      if (!stream) {
        return response.body().mapEmpty();
      }
      // An event ends at a blank line; the time an event is complete is the time its last byte arrived.
      long[] last = {0};
      boolean[] newline = {false};
      response.handler(chunk -> {
        long now = System.nanoTime();
        for (int i = 0; i < chunk.length(); i++) {
          byte b = chunk.getByte(i);
          if (b == '\r') {
            continue;
          }
          if (b == '\n' && newline[0]) {
            if (last[0] == 0) {
              opened++;
              result.firstEvent.recordValue(micros(now - sent));
            } else {
              result.gaps.recordValue(micros(now - last[0]));
            }
            last[0] = now;
            newline[0] = false;
          } else {
            newline[0] = b == '\n';
          }
        }
      });
      return response.end();
    }

    /** Waits for the open-loop requests; whatever is still unanswered after the grace period has timed out. */
    void finish(long start, long sendEnd, double graceSeconds) {
      long deadline = sendEnd + Math.round(graceSeconds * 1e9);
      try {
        drained.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // fall through: the rest timed out
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      CompletableFuture<Void> stopped = new CompletableFuture<>();
      context.runOnContext(v -> {
        long now = System.nanoTime();
        for (long intended : pending.values()) {
          result.timedOut++;
          result.latency.recordValue(micros(now - intended));
        }
        pending.clear();
        closed = true;
        result.seconds = (Math.max(sendEnd, lastCompletion) - start) / 1e9;
        stopped.complete(null);
      });
      stopped.join();
      client.close().await();
    }

    void finishSequential(long start, long deadline) {
      try {
        drained.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // a request that never ended: counted below
      }
      CompletableFuture<Void> stopped = new CompletableFuture<>();
      context.runOnContext(v -> {
        result.timedOut += pending.size();
        pending.clear();
        closed = true;
        result.seconds = (lastCompletion - start) / 1e9;
        stopped.complete(null);
      });
      stopped.join();
      client.close().await();
    }
  }

  private static long micros(long nanos) {
    return Math.max(0, nanos / 1000);
  }
}
